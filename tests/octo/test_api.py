"""The OCTO supplier API: every endpoint, every response checked against the OCTO OpenAPI
document of @octocloud/types; bad input gets the standard's errors, never a 500; tenancy."""

import json
import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db.models import Sum
from django.test import Client
from django.utils import timezone

from accounts.services import api_key_revoke
from bookings.models import Allocation, Booking, BookingStatus, Channel, TradeContract
from octo.models import OctoBooking
from operators.models import GoodsStock
from tests.factories import OrganisationFactory, api_key_for
from tests.octo.conformance import assert_conforms
from tests.operators.factories import (
    GoodsFactory,
    RateFactory,
    SlotFactory,
    bookable_experience,
    bookable_stay,
)

pytestmark = pytest.mark.django_db

PRICING = {"HTTP_OCTO_CAPABILITIES": "octo/pricing"}


class Octo:
    """A test client that speaks OCTO with a partner's key and checks every answer."""

    def __init__(self, raw_key, capabilities="octo/pricing"):
        self.client = Client()
        self.headers = {"HTTP_AUTHORIZATION": f"Bearer {raw_key}"}
        if capabilities:
            self.headers["HTTP_OCTO_CAPABILITIES"] = capabilities

    def call(self, method, url, spec_path, body=None, raw=None, **extra):
        kwargs = {**self.headers, **extra}
        if method == "get":
            response = self.client.get(f"/octo{url}", **kwargs)
        else:
            data = raw if raw is not None else json.dumps(body or {})
            response = getattr(self.client, method)(
                f"/octo{url}", data=data, content_type="application/json", **kwargs
            )
        assert response.status_code < 500, response.content
        return response, assert_conforms(response, spec_path, method)

    def get(self, url, spec_path, **extra):
        return self.call("get", url, spec_path, **extra)

    def post(self, url, spec_path, body=None, **extra):
        return self.call("post", url, spec_path, body, **extra)

    def patch(self, url, spec_path, body=None, **extra):
        return self.call("patch", url, spec_path, body, **extra)


@pytest.fixture
def partner():
    organisation = OrganisationFactory(
        name="Tuscany Discovery Tours", kind="trade", subkind="tour_operator", email="ops@tdt.de"
    )
    TradeContract.objects.create(
        organisation=organisation, on_account=True, credit_limit=Decimal("5000.00")
    )
    return organisation


@pytest.fixture
def octo(partner):
    _key, raw = api_key_for(partner)
    return Octo(raw)


@pytest.fixture
def experience():
    product, slot = bookable_experience(capacity=10, adult="30.00", net="24.00")
    RateFactory(
        product=product,
        pax_category="child",
        age_min=6,
        age_max=11,
        retail_price=Decimal("15.00"),
        net_price=Decimal("12.00"),
    )
    return product, slot


def _availability_id(slot):
    return timezone.localtime(slot.starts_at).isoformat()


def _reserve(octo, product, slot, units=("adult", "adult"), **extra):
    body = {
        "productId": product.slug,
        "optionId": "DEFAULT",
        "availabilityId": _availability_id(slot),
        "unitItems": [{"unitId": u} for u in units],
        **extra,
    }
    return octo.post("/bookings", "/bookings/", body)


# --- supplier, products ------------------------------------------------------------------


def test_supplier(octo):
    response, body = octo.get("/supplier", "/supplier/")
    assert response.status_code == 200
    assert body["name"]
    assert response["Octo-Capabilities"] == "octo/pricing"


def test_products_list_and_one_with_units_and_partner_prices(octo, experience):
    product, slot = experience
    stay, _unit_type, _start = bookable_stay()
    response, body = octo.get("/products", "/products/")
    assert response.status_code == 200
    by_id = {p["id"]: p for p in body}
    assert by_id[product.slug]["availabilityType"] == "START_TIME"
    assert by_id[stay.slug]["availabilityType"] == "OPENING_HOURS"
    response, one = octo.get(f"/products/{product.slug}", "/products/{id}")
    option = one["options"][0]
    assert option["id"] == "DEFAULT"
    assert option["availabilityLocalStartTimes"] == [slot.start_time.strftime("%H:%M")]
    units = {u["id"]: u for u in option["units"]}
    assert set(units) == {"adult", "child_6_11", "infant"}
    assert units["child_6_11"]["restrictions"]["minAge"] == 6
    assert units["adult"]["pricingFrom"][0]["retail"] == 3000
    assert units["adult"]["pricingFrom"][0]["net"] == 3000  # the partner's price: public today
    assert units["child_6_11"]["pricingFrom"][0]["net"] == 1500


def test_no_pricing_without_the_capability(partner, experience):
    product, _slot = experience
    _key, raw = api_key_for(partner)
    plain = Octo(raw, capabilities="")
    response, body = plain.get(f"/products/{product.slug}", "/products/{id}")
    assert "pricingFrom" not in body["options"][0]["units"][0]
    assert response["Octo-Capabilities"] == ""


def test_prices_come_from_the_partners_contract_never_the_operators_net(
    octo, experience, monkeypatch
):
    """Whatever the contract makes of a price is what OCTO shows as `net`; the operators' net
    (24.00) is never shown."""
    from trade import pricing

    def discounted(organisation, *, retail, net, kind, day, **kwargs):
        amount = (
            retail if organisation is None else (retail * Decimal("0.9")).quantize(Decimal("0.01"))
        )
        return pricing.PartnerPrice(public=retail, amount=amount, basis="net_rate")

    original = pricing.price_product_for

    def price_product_for(organisation, product, **kwargs):
        quote = original(organisation, product, **kwargs)
        if organisation is not None:
            for line in quote.lines:
                line.unit_retail = (line.unit_retail * Decimal("0.9")).quantize(Decimal("0.01"))
        return quote

    monkeypatch.setattr("octo.catalogue.partner_price", discounted)
    monkeypatch.setattr("octo.catalogue.price_product_for", price_product_for)
    product, slot = experience
    _response, one = octo.get(f"/products/{product.slug}", "/products/{id}")
    adult = one["options"][0]["units"][0]["pricingFrom"][0]
    assert (adult["retail"], adult["net"]) == (3000, 2700)
    _response, days = octo.post(
        "/availability/calendar",
        "/availability/calendar",
        {
            "productId": product.slug,
            "optionId": "DEFAULT",
            "localDateStart": slot.date.isoformat(),
            "localDateEnd": slot.date.isoformat(),
            "units": [{"id": "adult", "quantity": 2}],
        },
    )
    assert days[0]["pricingFrom"]["net"] == 5400
    assert days[0]["pricingFrom"]["retail"] == 6000
    text = json.dumps([one, days])
    assert "2400" not in text and "24.00" not in text


# --- availability ----------------------------------------------------------------------------


def test_calendar_over_30_days(octo, experience):
    product, slot = experience
    start = timezone.localdate()
    response, days = octo.post(
        "/availability/calendar",
        "/availability/calendar",
        {
            "productId": product.slug,
            "optionId": "DEFAULT",
            "localDateStart": start.isoformat(),
            "localDateEnd": (start + timedelta(days=29)).isoformat(),
        },
    )
    assert response.status_code == 200
    assert len(days) == 30
    by_day = {d["localDate"]: d for d in days}
    assert by_day[slot.date.isoformat()]["status"] == "AVAILABLE"
    assert by_day[slot.date.isoformat()]["vacancies"] == 10
    assert by_day[start.isoformat()]["status"] == "CLOSED"
    assert by_day[slot.date.isoformat()]["unitPricingFrom"][0]["unitId"] == "adult"


def test_availability_check_by_range_and_by_id(octo, experience):
    product, slot = experience
    body = {
        "productId": product.slug,
        "optionId": "DEFAULT",
        "localDate": slot.date.isoformat(),
        "units": [{"id": "adult", "quantity": 2}, {"id": "child_6_11", "quantity": 1}],
    }
    response, found = octo.post("/availability", "/availability/", body)
    assert response.status_code == 200
    assert [a["id"] for a in found] == [_availability_id(slot)]
    assert found[0]["available"] is True
    assert found[0]["pricing"]["retail"] == 7500  # 2 x 30 + 15
    response, again = octo.post(
        "/availability",
        "/availability/",
        {"productId": product.slug, "optionId": "DEFAULT", "availabilityIds": [found[0]["id"]]},
    )
    assert again[0]["vacancies"] == 10


def test_stay_and_goods_map_to_opening_hours(octo):
    hotel, unit_type, start = bookable_stay(units=3)
    _r, days = octo.post(
        "/availability/calendar",
        "/availability/calendar",
        {
            "productId": hotel.slug,
            "optionId": str(unit_type.pk),
            "localDateStart": start.isoformat(),
            "localDateEnd": (start + timedelta(days=2)).isoformat(),
        },
    )
    assert [d["vacancies"] for d in days] == [3, 3, 3]
    _r, found = octo.post(
        "/availability",
        "/availability/",
        {"productId": hotel.slug, "optionId": str(unit_type.pk), "localDate": start.isoformat()},
    )
    assert found[0]["allDay"] is True
    response, booking = octo.post(
        "/bookings",
        "/bookings/",
        {
            "productId": hotel.slug,
            "optionId": str(unit_type.pk),
            "availabilityId": found[0]["id"],
            "unitItems": [{"unitId": "room"}],
        },
    )
    assert response.status_code == 200, booking
    line = Booking.objects.get(reference=booking["supplierReference"]).lines.get()
    assert (line.service_date, line.end_date) == (start, start + timedelta(days=1))

    oil = GoodsFactory()
    RateFactory(
        product=oil, pax_category="unit", retail_price=Decimal("12.00"), net_price=Decimal("9")
    )
    GoodsStock.objects.create(product=oil, quantity=4)
    _r, product = octo.get(f"/products/{oil.slug}", "/products/{id}")
    assert product["availabilityRequired"] is False
    response, order = octo.post(
        "/bookings",
        "/bookings/",
        {"productId": oil.slug, "optionId": "DEFAULT", "unitItems": [{"unitId": "item"}] * 3},
    )
    assert response.status_code == 200, order
    assert GoodsStock.objects.get(product=oil).held == 3


# --- the booking journey ---------------------------------------------------------------------


def test_reserve_confirm_get_list(octo, partner, experience):
    product, slot = experience
    response, held = _reserve(octo, product, slot, resellerReference="TDT-1")
    assert response.status_code == 200
    assert held["status"] == "ON_HOLD"
    assert held["utcExpiresAt"]
    assert held["pricing"]["retail"] == 6000
    booking = Booking.objects.get(reference=held["supplierReference"])
    assert booking.buyer_organisation == partner
    assert booking.channel == Channel.API
    assert booking.buyer_reference == "TDT-1"
    slot.refresh_from_db()
    assert slot.held == 2

    response, confirmed = octo.post(
        f"/bookings/{held['uuid']}/confirm",
        "/bookings/{uuid}/confirm",
        {
            "contact": {"fullName": "Hans Müller", "emailAddress": "hans@example.de"},
            "resellerReference": "TDT-1b",
        },
    )
    assert response.status_code == 200, confirmed
    assert confirmed["status"] == "CONFIRMED"
    assert confirmed["utcConfirmedAt"]
    assert confirmed["contact"]["fullName"] == "Hans Müller"
    assert confirmed["voucher"]["deliveryOptions"][0]["deliveryFormat"] == "PDF_URL"
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED
    assert booking.contact_email == "hans@example.de"
    slot.refresh_from_db()
    assert (slot.held, slot.sold) == (0, 2)

    _r, one = octo.get(f"/bookings/{held['uuid']}", "/bookings/{uuid}")
    assert one["supplierReference"] == booking.reference
    _r, listing = octo.get("/bookings?resellerReference=TDT-1b", "/bookings/")
    assert [b["uuid"] for b in listing] == [held["uuid"]]
    _r, none = octo.get("/bookings?supplierReference=NOPE", "/bookings/")
    assert none == []


def test_the_booking_uuid_is_the_idempotency_key(octo, experience):
    product, slot = experience
    booking_uuid = str(uuid.uuid4())
    _r, first = _reserve(octo, product, slot, uuid=booking_uuid)
    _r, again = _reserve(octo, product, slot, uuid=booking_uuid)
    assert first["supplierReference"] == again["supplierReference"]
    assert Booking.objects.count() == 1
    slot.refresh_from_db()
    assert slot.held == 2


def test_cancel_releases_and_is_idempotent(octo, experience):
    product, slot = experience
    _r, held = _reserve(octo, product, slot)
    response, cancelled = octo.post(
        f"/bookings/{held['uuid']}/cancel", "/bookings/{uuid}/cancel", {"reason": "Changed plan"}
    )
    assert response.status_code == 200
    assert cancelled["status"] == "CANCELLED"
    assert cancelled["cancellation"]["refund"] == "FULL"
    assert cancelled["cancellable"] is False
    slot.refresh_from_db()
    assert slot.held == 0
    response, twice = octo.post(f"/bookings/{held['uuid']}/cancel", "/bookings/{uuid}/cancel")
    assert twice["status"] == "CANCELLED"


def test_extend_moves_the_expiry(octo, experience):
    product, slot = experience
    _r, held = _reserve(octo, product, slot, expirationMinutes=30)
    before = Booking.objects.get(reference=held["supplierReference"]).expires_at
    assert before - timezone.now() < timedelta(minutes=31)
    response, extended = octo.post(
        f"/bookings/{held['uuid']}/extend", "/bookings/{uuid}/extend", {"expirationMinutes": 240}
    )
    assert response.status_code == 200
    after = Booking.objects.get(reference=held["supplierReference"]).expires_at
    assert after - timezone.now() > timedelta(minutes=230)
    assert extended["utcExpiresAt"] != held["utcExpiresAt"]


def test_patch_changes_units_availability_and_notes(octo, experience):
    product, slot = experience
    later = SlotFactory(product=product, capacity=6, date=slot.date + timedelta(days=1))
    _r, held = _reserve(octo, product, slot)
    response, changed = octo.patch(
        f"/bookings/{held['uuid']}",
        "/bookings/{uuid}",
        {
            "availabilityId": _availability_id(later),
            "unitItems": [{"unitId": "adult"}, {"unitId": "adult"}, {"unitId": "child_6_11"}],
            "notes": "Vegetarian lunch",
        },
    )
    assert response.status_code == 200, changed
    assert changed["availabilityId"] == _availability_id(later)
    assert len(changed["unitItems"]) == 3
    assert changed["notes"] == "Vegetarian lunch"
    slot.refresh_from_db()
    later.refresh_from_db()
    assert (slot.held, later.held) == (0, 3)
    assert changed["pricing"]["retail"] == 7500


def test_confirm_over_the_credit_limit_stays_on_hold_with_the_reason(octo, partner, experience):
    TradeContract.objects.filter(organisation=partner).update(credit_limit=Decimal("10.00"))
    product, slot = experience
    _r, held = _reserve(octo, product, slot)
    response, body = octo.post(
        f"/bookings/{held['uuid']}/confirm",
        "/bookings/{uuid}/confirm",
        {"contact": {"fullName": "Hans Müller"}},
    )
    assert body["error"] == "UNPROCESSABLE_ENTITY"
    assert "credit" in body["errorMessage"]
    _r, still = octo.get(f"/bookings/{held['uuid']}", "/bookings/{uuid}")
    assert still["status"] == "ON_HOLD"


def test_an_expired_hold_cannot_be_confirmed(octo, experience):
    product, slot = experience
    _r, held = _reserve(octo, product, slot)
    Booking.objects.filter(reference=held["supplierReference"]).update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )
    _r, status = octo.get(f"/bookings/{held['uuid']}", "/bookings/{uuid}")
    assert status["status"] == "EXPIRED"
    _r, body = octo.post(
        f"/bookings/{held['uuid']}/confirm",
        "/bookings/{uuid}/confirm",
        {"contact": {"fullName": "Hans"}},
    )
    assert body["error"] == "INVALID_BOOKING_UUID"


# --- bad input: the standard's errors, nothing written -------------------------------------


def test_no_key_a_revoked_key_an_operators_key(partner, experience):
    anonymous = Client()
    response = anonymous.get("/octo/supplier")
    assert response.status_code == 401
    assert_conforms(response, "/supplier/", "get")
    key, raw = api_key_for(partner)
    api_key_revoke(api_key=key)
    response, body = Octo(raw).get("/products", "/products/")
    assert (response.status_code, body["error"]) == (401, "UNAUTHORIZED")
    response, body = Octo("pdl_nope_nope").get("/products", "/products/")
    assert response.status_code == 401
    operator = OrganisationFactory(kind="operator")
    _key, raw = api_key_for(operator)
    response, body = Octo(raw).get("/products", "/products/")
    assert (response.status_code, body["error"]) == (403, "FORBIDDEN")


@pytest.mark.parametrize(
    "raw",
    ["{not json", "[1, 2]", '"text"', "\xff\xfe", "null"],
)
def test_malformed_json_is_bad_request(octo, raw):
    response, body = octo.call("post", "/bookings", "/bookings/", raw=raw)
    assert body["error"] == "BAD_REQUEST"
    assert OctoBooking.objects.count() == 0


def test_unknown_ids_get_their_error(octo, experience):
    product, slot = experience
    cases = [
        ({"productId": "nope", "optionId": "DEFAULT"}, "INVALID_PRODUCT_ID", "productId"),
        ({"productId": 7, "optionId": "DEFAULT"}, "INVALID_PRODUCT_ID", "productId"),
        ({"productId": product.slug, "optionId": "X"}, "INVALID_OPTION_ID", "optionId"),
        (
            {
                "productId": product.slug,
                "optionId": "DEFAULT",
                "availabilityId": "2020-01-01T10:00:00+01:00",
                "unitItems": [{"unitId": "adult"}],
            },
            "INVALID_AVAILABILITY_ID",
            "availabilityId",
        ),
        (
            {
                "productId": product.slug,
                "optionId": "DEFAULT",
                "availabilityId": "garbage",
                "unitItems": [{"unitId": "adult"}],
            },
            "INVALID_AVAILABILITY_ID",
            "availabilityId",
        ),
        (
            {
                "productId": product.slug,
                "optionId": "DEFAULT",
                "availabilityId": _availability_id(slot),
                "unitItems": [{"unitId": "alien"}],
            },
            "INVALID_UNIT_ID",
            "unitId",
        ),
        (
            {
                "productId": product.slug,
                "optionId": "DEFAULT",
                "availabilityId": _availability_id(slot),
                "unitItems": [],
            },
            "BAD_REQUEST",
            None,
        ),
        (
            {
                "productId": product.slug,
                "optionId": "DEFAULT",
                "availabilityId": _availability_id(slot),
                "unitItems": [{"unitId": "adult"}],
                "uuid": "not-a-uuid",
            },
            "BAD_REQUEST",
            None,
        ),
        (
            {
                "productId": product.slug,
                "optionId": "DEFAULT",
                "availabilityId": _availability_id(slot),
                "unitItems": [{"unitId": "adult"}],
                "expirationMinutes": -5,
            },
            "BAD_REQUEST",
            None,
        ),
    ]
    for body, code, field in cases:
        response, answer = octo.post("/bookings", "/bookings/", body)
        assert answer["error"] == code, (body, answer)
        if field:
            assert field in answer
    assert OctoBooking.objects.count() == 0
    assert Booking.objects.count() == 0
    response, answer = octo.get("/products/nope", "/products/{id}")
    assert (answer["error"], answer["productId"]) == ("INVALID_PRODUCT_ID", "nope")
    for url, spec_path in [
        (f"/bookings/{uuid.uuid4()}", "/bookings/{uuid}"),
        ("/bookings/not-a-uuid", "/bookings/{uuid}"),
    ]:
        _response, answer = octo.get(url, spec_path)
        assert answer["error"] == "INVALID_BOOKING_UUID"


def test_availability_bad_dates(octo, experience):
    product, _slot = experience
    today = timezone.localdate()
    for extra in [
        {},
        {"localDate": "tomorrow"},
        {"localDate": (today - timedelta(days=3)).isoformat()},
        {"localDateStart": today.isoformat(), "localDateEnd": (today - timedelta(1)).isoformat()},
        {
            "localDateStart": today.isoformat(),
            "localDateEnd": (today + timedelta(days=400)).isoformat(),
        },
        {"localDate": today.isoformat(), "units": "many"},
        {"localDate": today.isoformat(), "units": [{"id": "adult", "quantity": -1}]},
    ]:
        body = {"productId": product.slug, "optionId": "DEFAULT", **extra}
        _r, answer = octo.post("/availability/calendar", "/availability/calendar", body)
        assert answer["error"] == "BAD_REQUEST", (extra, answer)
        _r, answer = octo.post("/availability", "/availability/", body)
        assert answer["error"] == "BAD_REQUEST", (extra, answer)
    _r, answer = octo.post(
        "/availability",
        "/availability/",
        {
            "productId": product.slug,
            "optionId": "DEFAULT",
            "localDate": today.isoformat(),
            "units": [{"id": "martian", "quantity": 1}],
        },
    )
    assert answer["error"] == "BAD_REQUEST"  # the document lists no INVALID_UNIT_ID here


def test_over_capacity_is_refused_and_holds_nothing(octo, experience):
    product, slot = experience
    response, answer = _reserve(octo, product, slot, units=["adult"] * 11)
    assert answer["error"] == "UNPROCESSABLE_ENTITY"
    slot.refresh_from_db()
    assert slot.held == 0
    assert OctoBooking.objects.count() == 0 and Booking.objects.count() == 0


def test_a_past_slot_is_an_invalid_availability(octo, experience):
    product, _slot = experience
    past = SlotFactory(product=product, capacity=5, date=timezone.localdate() - timedelta(days=2))
    _response, answer = _reserve(octo, product, past)
    assert answer["error"] == "INVALID_AVAILABILITY_ID"


def test_confirm_needs_a_contact_and_the_wrong_method_is_refused(octo, experience):
    product, slot = experience
    _r, held = _reserve(octo, product, slot)
    _r, answer = octo.post(f"/bookings/{held['uuid']}/confirm", "/bookings/{uuid}/confirm", {})
    assert answer["error"] == "BAD_REQUEST"
    response = octo.client.delete(f"/octo/bookings/{held['uuid']}", **octo.headers)
    assert response.status_code == 400
    assert json.loads(response.content)["error"] == "BAD_REQUEST"


# --- tenancy -------------------------------------------------------------------------------


def test_another_partners_booking_is_an_invalid_uuid_everywhere(octo, experience):
    product, slot = experience
    _r, held = _reserve(octo, product, slot)
    rival = OrganisationFactory(kind="trade", subkind="tour_operator")
    TradeContract.objects.create(organisation=rival, on_account=True, credit_limit=1000)
    _key, raw = api_key_for(rival)
    other = Octo(raw)
    calls = [
        ("get", f"/bookings/{held['uuid']}", "/bookings/{uuid}", None),
        ("patch", f"/bookings/{held['uuid']}", "/bookings/{uuid}", {"notes": "mine"}),
        (
            "post",
            f"/bookings/{held['uuid']}/confirm",
            "/bookings/{uuid}/confirm",
            {"contact": {"fullName": "X"}},
        ),
        ("post", f"/bookings/{held['uuid']}/cancel", "/bookings/{uuid}/cancel", {}),
        ("post", f"/bookings/{held['uuid']}/extend", "/bookings/{uuid}/extend", {}),
    ]
    for method, url, spec_path, body in calls:
        _response, answer = other.call(method, url, spec_path, body)
        assert answer["error"] == "INVALID_BOOKING_UUID", (method, url, answer)
    _r, listing = other.get("/bookings", "/bookings/")
    assert listing == []
    # Reusing another partner's uuid for a reservation is refused, not a replay of its booking.
    _response, answer = _reserve(other, product, slot, uuid=held["uuid"])
    assert (
        answer["error"] == "UNPROCESSABLE_ENTITY"
    )  # the reservation knows no INVALID_BOOKING_UUID
    booking = Booking.objects.get(reference=held["supplierReference"])
    assert booking.status == BookingStatus.HELD and booking.notes == ""


def test_counters_equal_allocations_after_a_journey(octo, experience):
    product, slot = experience
    _r, a = _reserve(octo, product, slot)
    _r, b = _reserve(octo, product, slot, units=["adult", "child_6_11"])
    octo.post(f"/bookings/{a['uuid']}/cancel", "/bookings/{uuid}/cancel")
    octo.post(
        f"/bookings/{b['uuid']}/confirm",
        "/bookings/{uuid}/confirm",
        {"contact": {"fullName": "Anna"}},
    )
    slot.refresh_from_db()
    held = Allocation.objects.filter(slot=slot, state="held").aggregate(n=Sum("quantity"))["n"]
    sold = Allocation.objects.filter(slot=slot, state="sold").aggregate(n=Sum("quantity"))["n"]
    assert (slot.held, slot.sold) == (held or 0, sold or 0) == (0, 2)


def test_errors_in_the_partners_language_english_by_default(octo):
    _response, answer = octo.get("/products/nope", "/products/{id}", HTTP_ACCEPT_LANGUAGE="de")
    assert answer["errorMessage"] == "Die productId fehlt oder ist ungültig."
    response, answer = octo.get("/products/nope", "/products/{id}")
    assert answer["errorMessage"] == "The productId was missing or invalid."
    assert response["Content-Language"] == "en"


def test_products_and_calendar_run_a_fixed_number_of_queries(
    octo, experience, django_assert_max_num_queries
):
    for _ in range(4):
        bookable_experience()
    product, slot = experience
    with django_assert_max_num_queries(12):
        response, body = octo.get("/products", "/products/")
    assert len(body) == 5
    calendar = {
        "productId": product.slug,
        "optionId": "DEFAULT",
        "localDateStart": timezone.localdate().isoformat(),
        "localDateEnd": (timezone.localdate() + timedelta(days=29)).isoformat(),
    }
    with django_assert_max_num_queries(8):
        octo.post("/availability/calendar", "/availability/calendar", calendar)


def test_a_uuid_left_by_a_dead_reservation_is_freed_after_a_while(octo, partner, experience):
    product, slot = experience
    booking_uuid = str(uuid.uuid4())
    OctoBooking.objects.create(
        uuid=booking_uuid, organisation=partner, product=product, option_id="DEFAULT"
    )
    _response, answer = _reserve(octo, product, slot, uuid=booking_uuid)
    assert answer["error"] == "UNPROCESSABLE_ENTITY"  # in progress
    OctoBooking.objects.filter(uuid=booking_uuid).update(
        created_at=timezone.now() - timedelta(minutes=10)
    )
    _response, held = _reserve(octo, product, slot, uuid=booking_uuid)
    assert held["status"] == "ON_HOLD"
    assert OctoBooking.objects.get(uuid=booking_uuid).booking is not None


HOSTILE_VALUES = [None, 0, -1, 1.5, True, "", "x" * 5000, [], [1], {}, {"a": 1}, "\x00"]


def test_hostile_values_in_every_field_never_500(octo, experience):
    """Every field of every body with values of the wrong type or size: the standard's
    error (checked against the document), never a 500, never a booking."""
    product, slot = experience
    _r, held = _reserve(octo, product, slot)
    base = {
        "productId": product.slug,
        "optionId": "DEFAULT",
        "availabilityId": _availability_id(slot),
        "localDate": slot.date.isoformat(),
        "localDateStart": slot.date.isoformat(),
        "localDateEnd": slot.date.isoformat(),
        "availabilityIds": [_availability_id(slot)],
        "units": [{"id": "adult", "quantity": 1}],
        "unitItems": [{"unitId": "adult"}],
        "uuid": str(uuid.uuid4()),
        "expirationMinutes": 30,
        "resellerReference": "R",
        "notes": "n",
        "contact": {"fullName": "A", "emailAddress": "a@example.com"},
        "reason": "r",
    }
    endpoints = [
        ("post", "/availability/calendar", "/availability/calendar"),
        ("post", "/availability", "/availability/"),
        ("post", "/bookings", "/bookings/"),
        ("patch", f"/bookings/{held['uuid']}", "/bookings/{uuid}"),
        ("post", f"/bookings/{held['uuid']}/extend", "/bookings/{uuid}/extend"),
    ]
    before = Booking.objects.count()
    for method, url, spec_path in endpoints:
        for field in base:
            for value in HOSTILE_VALUES:
                body = {**base, "uuid": str(uuid.uuid4()), field: value}
                if field in ("units", "unitItems") and value not in (None, [], {}):
                    body[field] = [value]
                response, _answer = octo.call(method, url, spec_path, body)
                assert response.status_code in (200, 400), (method, url, field, value)
    for url, spec_path in [
        ("/products/%00", "/products/{id}"),
        ("/bookings?resellerReference=%00", "/bookings/"),
        (f"/bookings/{held['uuid']}%00", "/bookings/{uuid}"),
    ]:
        _response, answer = octo.get(url, spec_path)
        assert answer["error"] in ("BAD_REQUEST", "INVALID_BOOKING_UUID"), (url, answer)
    deep = "[" * 100000 + "]" * 100000
    response, answer = octo.call("post", "/bookings", "/bookings/", raw=deep)
    assert answer["error"] == "BAD_REQUEST"
    # Only the valid bodies may have booked (a hostile value in an ignored field).
    assert Booking.objects.count() - before <= len(base) * len(HOSTILE_VALUES)
