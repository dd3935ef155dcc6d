"""Quotes by REST: /api/v1/quotes/ with the partner's API key."""

from datetime import timedelta

import pytest
from django.core import mail

from bookings.models import Booking, BookingStatus
from operators.models import Slot
from tests.factories import api_key_for
from tests.tradeportal.factories import group_products, partner, quote_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def tdt():
    return partner()


@pytest.fixture
def tdt_api(api_client, tdt):
    _key, raw = api_key_for(tdt)
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return api_client


def _body(products, adults=20):
    return {
        "title": "Spring group",
        "client_reference": "TDT-7",
        "client_email": "client@reisen.example",
        "language": "de",
        "lines": [
            {
                "product": products["tour"].slug,
                "date": products["slot"].date.isoformat(),
                "slot": products["slot"].pk,
                "adults": adults,
            },
            {
                "product": products["hotel"].slug,
                "date": products["start"].isoformat(),
                "check_out": (products["start"] + timedelta(days=2)).isoformat(),
                "unit_type": products["room"].pk,
                "units": 10,
                "adults": adults,
            },
        ],
    }


def test_create_retrieve_list_send_and_turn_into_an_option(
    tdt_api, tdt, django_capture_on_commit_callbacks
):
    products = group_products()
    response = tdt_api.post("/api/v1/quotes/", _body(products), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["total"] == "3000.00"
    assert [line["amount"] for line in body["lines"]] == ["600.00", "2400.00"]
    assert "net" not in str(body).lower().replace("internet", "")
    reference = body["reference"]
    assert tdt_api.get(f"/api/v1/quotes/{reference}/").json()["status"] == "draft"
    listing = tdt_api.get("/api/v1/quotes/").json()["results"]
    assert [q["reference"] for q in listing] == [reference]

    with django_capture_on_commit_callbacks(execute=True):
        sent = tdt_api.post(f"/api/v1/quotes/{reference}/send/")
    assert sent.status_code == 200 and sent.json()["status"] == "sent"
    assert any(reference in m.subject and "client@reisen.example" in m.to for m in mail.outbox)

    pdf = tdt_api.get(f"/api/v1/quotes/{reference}/pdf/")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")

    option = tdt_api.post(f"/api/v1/quotes/{reference}/option/", {}, format="json")
    assert option.status_code == 201, option.json()
    booking = Booking.objects.get(reference=option.json()["reference"])
    assert booking.status == BookingStatus.HELD
    assert booking.buyer_organisation == tdt
    assert option.json()["total_retail"] == "3000.00"
    again = tdt_api.post(f"/api/v1/quotes/{reference}/option/", {}, format="json")
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "quote_not_open"
    bookings = tdt_api.get("/api/v1/bookings/").json()["results"]
    assert [b["reference"] for b in bookings] == [booking.reference]


def test_a_sold_out_line_refuses_the_option_with_the_line_named(tdt_api):
    products = group_products()
    reference = tdt_api.post("/api/v1/quotes/", _body(products), format="json").json()["reference"]
    Slot.objects.filter(pk=products["slot"].pk).update(sold=29)
    response = tdt_api.post(f"/api/v1/quotes/{reference}/option/", {}, format="json")
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "quote_not_bookable"
    assert error["field"] == "lines.1"
    assert error["errors"][0]["code"] == "sold_out"
    assert not Booking.objects.exists()


@pytest.mark.parametrize(
    "mutate, field",
    [
        (lambda b: b["lines"][0].update(product="no-such-product"), "product"),
        (lambda b: b["lines"][0].update(slot=999999), "slot"),
        (lambda b: b["lines"][0].update(adults=-1), "lines.adults"),
        (lambda b: b["lines"][0].update(date="2001-01-01"), "lines.0"),
        (lambda b: b.update(title=""), "title"),
        (lambda b: b["lines"][0].update(package="a-package"), "lines.product"),
    ],
)
def test_bad_input_is_a_400_with_the_error_shape_and_nothing_written(tdt_api, mutate, field):
    products = group_products()
    body = _body(products)
    mutate(body)
    response = tdt_api.post("/api/v1/quotes/", body, format="json")
    assert response.status_code == 400, response.json()
    error = response.json()["error"]
    assert error["field"] == field
    assert error["code"] and error["message"]
    assert not tdt_api.get("/api/v1/quotes/").json()["results"]


def test_another_partners_quote_is_404(tdt_api):
    theirs = quote_for(partner(name="Other Tours"))
    for method, url in (
        ("get", f"/api/v1/quotes/{theirs.reference}/"),
        ("post", f"/api/v1/quotes/{theirs.reference}/send/"),
        ("post", f"/api/v1/quotes/{theirs.reference}/option/"),
        ("get", f"/api/v1/quotes/{theirs.reference}/pdf/"),
    ):
        assert getattr(tdt_api, method)(url).status_code == 404, url


def test_without_a_key_it_is_401(api_client):
    assert api_client.get("/api/v1/quotes/").status_code in (401, 403)
    api_client.credentials(HTTP_AUTHORIZATION="Bearer pdl_nope_nope")
    assert api_client.get("/api/v1/quotes/").status_code == 401


def test_the_schema_documents_the_quote_endpoints(api_client):
    schema = api_client.get("/api/schema/?format=json").json()
    paths = schema["paths"]
    assert "/api/v1/quotes/" in paths
    assert "/api/v1/quotes/{reference}/option/" in paths
    assert "/api/v1/quotes/{reference}/send/" in paths
