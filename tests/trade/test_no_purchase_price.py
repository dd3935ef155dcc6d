"""A trade partner never sees what the DMC pays operators: walk every partner-facing API
endpoint, trade page and document of a booking whose nets are distinctive amounts."""

import io
import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from pypdf import PdfReader

from accounts.models import Role
from bookings import services as booking_services
from invoices.adapters import invoice_for_booking
from invoices.models import Invoice
from operators.pricing import PaxMix
from tests.factories import MembershipFactory, api_key_for
from tests.invoices.factories import dmc_org, german_tour_operator
from tests.operators.factories import bookable_experience, bookable_stay
from tests.packages.conftest import day, trip  # noqa: F401 - fixtures

from .factories import contract_with_rules

pytestmark = pytest.mark.django_db

# Nets: 23.17 a person (2 adults: 46.34); 87.13 a night (2 nights: 174.26). Partner prices:
# 45.00 / 90.00 and 108.00 / 216.00 (10% commission); the DMC's margins 43.66 and 41.74.
SECRETS = ["23.17", "46.34", "87.13", "174.26", "43.66", "41.74", "220.60", "85.40"]
FIELD_NAMES = ["unit_net", "net_amount", "net_price", "total_net", "commission_amount"]


def _variants(amount: str) -> list[str]:
    return [amount, amount.replace(".", ",")]


def _assert_clean(label: str, text: str) -> None:
    for secret in SECRETS:
        for variant in _variants(secret):
            # not part of a longer number (e.g. 1123.17)
            if re.search(rf"(?<![\d.,]){re.escape(variant)}(?!\d)", text):
                raise AssertionError(f"{label} shows the purchase price {variant}")
    for name in FIELD_NAMES:
        assert name not in text, f"{label} shows the field {name}"


def _pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(content)).pages)


@pytest.fixture
def partner_booking(django_capture_on_commit_callbacks):
    dmc_org()
    partner = german_tour_operator()
    contract_with_rules(
        partner,
        {"basis": "commission", "percent": 10},
    )
    tour, slot = bookable_experience(adult="50.00", net="23.17", capacity=20)
    hotel, room, start = bookable_stay(price="120.00", net="87.13")
    with django_capture_on_commit_callbacks(execute=True):
        booking = booking_services.booking_hold(
            lines=[
                booking_services.LineRequest(
                    product=tour, day=slot.date, slot=slot, pax=PaxMix.of(adults=2)
                ),
                booking_services.LineRequest(
                    product=hotel,
                    day=start,
                    unit_type=room,
                    check_out=start + timedelta(days=2),
                    pax=PaxMix.of(adults=2),
                ),
            ],
            channel="trade",
            contact_name="Anna Rossi",
            contact_email="anna@example.com",
            buyer_organisation=partner,
            hold_for=timedelta(days=3),
        )
    with django_capture_on_commit_callbacks(execute=True):
        booking_services.booking_confirm(booking=booking, via="test")
    booking.refresh_from_db()
    invoice_for_booking(booking=booking)  # idempotent: the invoicing task's adapter
    assert booking.total_net == Decimal("220.60")  # the secret is there, internally
    assert booking.total_retail == Decimal("306.00")
    return booking


def test_no_partner_facing_response_shows_a_purchase_price(client, api_client, partner_booking):
    booking = partner_booking
    partner = booking.buyer_organisation
    user = MembershipFactory(organisation=partner, role=Role.OWNER).user
    _key, secret = api_key_for(partner)
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    ref = booking.reference
    line = booking.lines.first()
    tour = booking.lines.get(kind="experience").product
    hotel = booking.lines.get(kind="accommodation").product
    first_day = booking.first_service_date.isoformat()
    package = _package_of(tour, hotel)
    month = booking.first_service_date.strftime("%Y-%m")

    api_gets = [
        "/api/v1/bookings/",
        f"/api/v1/bookings/{ref}/",
        "/api/v1/products/",
        f"/api/v1/products/{tour.slug}/",
        f"/api/v1/products/{hotel.slug}/",
        f"/api/v1/products/{tour.slug}/rates/",
        f"/api/v1/products/{hotel.slug}/rates/",
        f"/api/v1/availability/?start={first_day}&end={first_day}&adults=2",
        f"/api/v1/availability/?start={first_day}&end={first_day}&adults=2&kind=accommodation",
        f"/api/v1/products/?kind=experience&q={tour.title_it[:6]}",
        f"/api/v1/slots/?product={tour.slug}",
        "/api/v1/packages/",
        f"/api/v1/packages/{package.slug}/",
        f"/api/v1/packages/{package.slug}/departures/",
        f"/api/v1/packages/{package.slug}/quote/?start_date={first_day}&adults=2",
        f"/api/v1/packages/{package.slug}/availability/?month={month}&adults=2",
        "/api/v1/invoices/",
        "/api/v1/organisations/",
    ]
    seen = 0
    for url in api_gets:
        response = api_client.get(url)
        assert response.status_code < 500, url
        _assert_clean(url, response.content.decode())
        seen += response.status_code == 200
    assert seen >= 14
    # the endpoints show the partner's prices (10% commission), not the public ones
    products = api_client.get(f"/api/v1/products/{tour.slug}/").json()
    assert (products["from_price"], products["public_from_price"]) == ("45.00", "50.00")
    quote = api_client.get(
        f"/api/v1/packages/{package.slug}/quote/?start_date={first_day}&adults=2"
    ).json()
    assert quote["available"] and quote["public_total"] != quote["retail_total"]
    detail = api_client.get(f"/api/v1/bookings/{ref}/").json()
    assert {ln["retail_amount"] for ln in detail["lines"]} == {"90.00", "216.00"}
    assert {ln["public_amount"] for ln in detail["lines"]} == {"100.00", "240.00"}
    # previews and errors
    for url, body in (
        (f"/api/v1/bookings/{ref}/amend/", {"line": line.pk, "adults": 3, "preview": True}),
        (f"/api/v1/bookings/{ref}/amend/", {"line": line.pk, "adults": -1}),
        (f"/api/v1/bookings/{ref}/cancel/", {"preview": True}),
    ):
        response = api_client.post(url, body, format="json")
        assert response.status_code < 500, (url, response.content)
        _assert_clean(url, response.content.decode())
    voucher = api_client.get(f"/api/v1/bookings/{ref}/voucher/")
    assert voucher.status_code == 200
    _assert_clean("API voucher", _pdf_text(voucher.content))
    invoices = list(Invoice.objects.filter(customer_organisation=partner))
    assert invoices, "the booking was invoiced"
    for invoice in invoices:
        pdf = api_client.get(f"/api/v1/invoices/{invoice.number}/pdf/")
        assert pdf.status_code == 200
        _assert_clean("API invoice PDF", _pdf_text(pdf.content))
        xml = api_client.get(f"/api/v1/invoices/{invoice.number}/xml/")
        _assert_clean("API invoice XML", xml.content.decode())

    client.force_login(user)
    pages = [
        reverse("bookings:trade_list"),
        reverse("bookings:trade_detail", args=[ref]),
        reverse("bookings:trade_rooming", args=[ref]),
        reverse("bookings:trade_cancel", args=[ref]),
        reverse("payments_pages:trade_account"),
        reverse("invoices:trade_list"),
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        _assert_clean(url, response.content.decode())
    csv = client.get(reverse("bookings:trade_rooming_csv", args=[ref]))
    _assert_clean("rooming CSV", csv.content.decode())
    voucher = client.get(reverse("bookings:trade_voucher", args=[ref]))
    _assert_clean("voucher PDF", _pdf_text(voucher.content))
    for invoice in invoices:
        pdf = client.get(reverse("invoices:trade_pdf", args=[invoice.pk]))
        _assert_clean("invoice PDF", _pdf_text(pdf.content))


def _package_of(tour, hotel):
    """A published package of the booking's tour and a night at its hotel (the same nets)."""
    from tests.packages.factories import ComponentFactory, PackageFactory

    package = PackageFactory(duration_days=2, duration_nights=1)
    ComponentFactory(package=package, product=tour, day_offset=0)
    ComponentFactory(
        package=package,
        product=hotel,
        unit_type=hotel.unit_types.first(),
        day_offset=0,
        quantity_rule="per_room",
        room_occupancy=2,
    )
    return package


def test_the_walk_would_see_a_leak():
    """Canary: the checker finds a net where one is."""
    with pytest.raises(AssertionError):
        _assert_clean("x", '{"unit_net": "23.17"}')
    with pytest.raises(AssertionError):
        _assert_clean("x", "Netto 46,34 EUR")
    _assert_clean("x", "Totale 1123.17")


def test_a_package_priced_below_the_nets_does_not_say_the_nets(trip, day):  # noqa: F811
    from packages.quotes import package_quote
    from tests.packages.factories import SeasonPriceFactory

    package = trip["package"]
    package.pricing_mode = "fixed"
    package.save()
    SeasonPriceFactory(package=package, price_per_person=Decimal("100.00"))
    quote = package_quote(package=package, start_date=day, pax=PaxMix.of(adults=2))
    assert quote.net_total == Decimal("248.00") and not quote.available
    assert "below the operators' nets" in " ".join(quote.problems)
    _assert_clean("problems", " ".join(quote.problems).replace("248", "23.17"))
    assert "248" not in " ".join(quote.problems)
