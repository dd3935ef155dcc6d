import pytest

from accounts.models import Role
from bookings.models import Booking, BookingStatus, TradeContract
from operators.models import Slot
from tests.factories import MembershipFactory, OrganisationFactory, api_key_for
from tests.operators.factories import bookable_experience

pytestmark = pytest.mark.django_db


@pytest.fixture
def partner():
    return OrganisationFactory(name="Tuscany Tours", kind="trade", subkind="tour_operator")


@pytest.fixture
def partner_client(api_client, partner):
    _key, raw = api_key_for(partner)
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return api_client


def _hold_body(product, slot, adults=2, **extra):
    return {
        "contact_name": "Hans Müller",
        "contact_email": "hans@example.de",
        "language": "de",
        "buyer_reference": "TT-42",
        "lines": [
            {
                "product": product.slug,
                "date": slot.date.isoformat(),
                "slot": slot.pk,
                "adults": adults,
                **extra,
            }
        ],
    }


def test_hold_get_and_list(partner_client, partner):
    product, slot = bookable_experience(capacity=10)
    response = partner_client.post("/api/v1/bookings/", _hold_body(product, slot), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "held"
    assert body["total_retail"] == "60.00"
    assert body["lines"][0]["product"] == product.slug
    reference = body["reference"]
    assert partner_client.get(f"/api/v1/bookings/{reference}/").json()["reference"] == reference
    listing = partner_client.get("/api/v1/bookings/").json()["results"]
    assert [b["reference"] for b in listing] == [reference]
    assert Booking.objects.get(reference=reference).buyer_organisation == partner


def test_the_same_idempotency_key_books_once(partner_client):
    product, slot = bookable_experience(capacity=10)
    body = _hold_body(product, slot)
    first = partner_client.post(
        "/api/v1/bookings/", body, format="json", HTTP_IDEMPOTENCY_KEY="order-7781"
    )
    second = partner_client.post(
        "/api/v1/bookings/", body, format="json", HTTP_IDEMPOTENCY_KEY="order-7781"
    )
    assert first.status_code == second.status_code == 201
    assert first.json()["reference"] == second.json()["reference"]
    assert second["Idempotent-Replayed"] == "true"
    assert Booking.objects.count() == 1
    slot.refresh_from_db()
    assert slot.held == 2
    other = partner_client.post(
        "/api/v1/bookings/",
        _hold_body(product, slot, adults=3),
        format="json",
        HTTP_IDEMPOTENCY_KEY="order-7781",
    )
    assert other.status_code == 422
    assert other.json()["error"]["code"] == "idempotency_key_reused"


def test_sold_out_is_409_and_holds_nothing(partner_client):
    product, slot = bookable_experience(capacity=3)
    response = partner_client.post(
        "/api/v1/bookings/", _hold_body(product, slot, adults=4), format="json"
    )
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "sold_out"
    assert Slot.objects.get(pk=slot.pk).held == 0


def test_a_child_without_age_is_400_with_the_field(partner_client):
    product, slot = bookable_experience()
    body = _hold_body(product, slot, children_ages=[None])
    response = partner_client.post("/api/v1/bookings/", body, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["field"].startswith("lines")
    assert not Booking.objects.exists()


def test_unknown_product_is_400(partner_client):
    _product, slot = bookable_experience()
    body = _hold_body(type("P", (), {"slug": "does-not-exist"}), slot)
    response = partner_client.post("/api/v1/bookings/", body, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["field"] == "product"


def test_confirm_on_account_only_with_the_contract(partner_client, partner):
    product, slot = bookable_experience()
    reference = partner_client.post(
        "/api/v1/bookings/", _hold_body(product, slot), format="json"
    ).json()["reference"]
    refused = partner_client.post(f"/api/v1/bookings/{reference}/confirm/")
    assert refused.status_code == 402
    assert refused.json()["error"]["code"] == "payment_required"
    TradeContract.objects.create(organisation=partner, on_account=True, credit_limit=10000)
    confirmed = partner_client.post(f"/api/v1/bookings/{reference}/confirm/")
    assert confirmed.status_code == 200
    assert confirmed.json()["status"] == BookingStatus.CONFIRMED
    voucher = partner_client.get(f"/api/v1/bookings/{reference}/voucher/")
    assert voucher.status_code == 200
    assert voucher["Content-Type"] == "application/pdf"
    assert voucher.content.startswith(b"%PDF")


def test_amend_preview_then_amend_and_cancel(partner_client):
    product, slot = bookable_experience(capacity=10)
    body = partner_client.post("/api/v1/bookings/", _hold_body(product, slot), format="json").json()
    reference, line = body["reference"], body["lines"][0]["id"]
    preview = partner_client.post(
        f"/api/v1/bookings/{reference}/amend/",
        {"line": line, "adults": 4, "preview": True},
        format="json",
    )
    assert preview.json()["difference"] == "60.00"
    done = partner_client.post(
        f"/api/v1/bookings/{reference}/amend/",
        {"line": line, "adults": 4, "expected_total": "120.00"},
        format="json",
    )
    assert done.status_code == 200, done.json()
    assert done.json()["difference"] == "60.00"
    slot.refresh_from_db()
    assert slot.held == 4
    cancelled = partner_client.post(f"/api/v1/bookings/{reference}/cancel/", {}, format="json")
    assert cancelled.json()["status"] == "cancelled"
    slot.refresh_from_db()
    assert slot.held == 0
    again = partner_client.post(f"/api/v1/bookings/{reference}/confirm/")
    assert again.status_code in (402, 409)


def test_another_partners_booking_is_404(partner_client):
    other = OrganisationFactory(name="Other Tours", kind="trade", subkind="tour_operator")
    _key, raw = api_key_for(other)
    from rest_framework.test import APIClient

    other_client = APIClient()
    other_client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    product, slot = bookable_experience()
    reference = other_client.post(
        "/api/v1/bookings/", _hold_body(product, slot), format="json"
    ).json()["reference"]
    for method, path in [
        ("get", ""),
        ("post", "confirm/"),
        ("post", "cancel/"),
        ("post", "amend/"),
        ("get", "voucher/"),
    ]:
        response = getattr(partner_client, method)(
            f"/api/v1/bookings/{reference}/{path}", format="json"
        )
        assert response.status_code == 404, (path, response.status_code)
    assert Booking.objects.get(reference=reference).status == "held"


def test_operators_cannot_use_the_trade_booking_api(client):
    operator = OrganisationFactory(kind="operator", subkind="guide")
    user = MembershipFactory(organisation=operator, role=Role.OWNER).user
    client.force_login(user)
    assert client.get("/api/v1/bookings/").status_code == 403
