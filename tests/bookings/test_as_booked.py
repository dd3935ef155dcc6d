"""What the hotel and the traveller are told is what was booked: vouchers, pages and emails
read the allocations and the ledger, never the request again."""

import io
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse
from pypdf import PdfReader

from bookings import services
from bookings.models import CancelReason, Channel
from bookings.notifications import send_booking_notification
from bookings.package_lines import PackageLineRequest
from bookings.vouchers import render_voucher_pdf
from operators.pricing import PaxMix
from tests.bookings.test_views_backoffice import dmc_client  # noqa: F401 - fixture
from tests.operators.factories import bookable_experience
from tests.packages.conftest import day, trip  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db


def _family_package(trip, day):  # noqa: F811
    trip["room"].max_occupancy = 2
    trip["room"].save()
    booking = services.booking_hold(
        lines=[],
        package_lines=[
            PackageLineRequest(
                package=trip["package"],
                start_date=day,
                pax=PaxMix.of(adults=2, children_ages=[8]),
                terms_accepted=True,
            )
        ],
        channel="web",
        contact_name="Emily Clarke",
        contact_email="emily@example.com",
        language="en",
    )
    return services.booking_confirm(booking=booking)


def test_two_rooms_taken_are_two_rooms_on_the_voucher_page_and_email(trip, day):  # noqa: F811
    booking = _family_package(trip, day)
    stay = booking.lines.get(kind="accommodation")
    rooms_taken = {a.quantity for a in stay.allocations.all()}
    assert rooms_taken == {2}
    assert stay.quantity == 2 and stay.booked_quantity == 2
    text = "\n".join(
        page.extract_text() for page in PdfReader(io.BytesIO(render_voucher_pdf(booking))).pages
    )
    room = trip["room"].name
    assert f"2 × {room}" in text and f"3 × {room}" not in text
    assert "3 guests" in text
    send_booking_notification(booking=booking, event="confirmed")
    confirmation = next(m for m in mail.outbox if m.to == ["emily@example.com"])
    assert f"2 × {room}, 3 guests" in confirmation.body


def test_the_back_office_page_shows_the_rooms_held(trip, day, dmc_client):  # noqa: F811
    booking = _family_package(trip, day)
    url = reverse("bookings:backoffice_detail", args=[booking.reference])
    body = dmc_client.get(url).content.decode()
    assert f"2 × {trip['room'].name}" in body
    assert f"3 × {trip['room'].name}" not in body


def test_the_cancellation_email_states_the_penalty_and_the_refund():
    product, slot = bookable_experience(days_ahead=20)
    product.cancellation_policy = None
    booking = services.booking_hold(
        lines=[
            services.LineRequest(product=product, day=slot.date, slot=slot, pax=PaxMix.of(adults=2))
        ],
        channel=Channel.WEB,
        contact_name="Anna",
        contact_email="anna@example.com",
        language="en",
    )
    services.booking_confirm(booking=booking)
    mail.outbox.clear()
    result = services.booking_cancel(booking=booking, reason=CancelReason.BUYER)
    assert result.penalty > 0 and result.refund_due > 0
    booking.refresh_from_db()
    send_booking_notification(booking=booking, event="cancelled")
    email = next(m for m in mail.outbox if m.to == ["anna@example.com"])
    assert f"Cancellation penalty: EUR {result.penalty:.2f}" in email.body
    assert f"Refund: EUR {result.refund_due:.2f}" in email.body
    assert Decimal("60.00") == result.penalty + result.refund_due


def test_the_booking_page_says_refunded_once_the_ledger_has_the_refund(client):
    from payments.gateway import to_cents
    from payments.ledger import ledger_record
    from payments.models import EntryKind, Method
    from tests.factories import UserFactory

    traveller = UserFactory()
    product, slot = bookable_experience(days_ahead=40)
    booking = services.booking_hold(
        lines=[
            services.LineRequest(product=product, day=slot.date, slot=slot, pax=PaxMix.of(adults=2))
        ],
        channel=Channel.WEB,
        contact_name="Anna",
        contact_email=traveller.email,
        buyer_user=traveller,
    )
    services.booking_confirm(booking=booking)
    result = services.booking_cancel(booking=booking, reason=CancelReason.BUYER)
    client.force_login(traveller)
    url = reverse("bookings:account_detail", args=[booking.reference])
    page = client.get(url).content.decode()
    assert 'data-refund="due"' in page
    ledger_record(
        kind=EntryKind.REFUND,
        method=Method.CARD,
        amount_cents=-to_cents(result.refund_due),
        booking=booking,
        external_ref="re_test",
        note="refund",
    )
    page = client.get(url).content.decode()
    assert 'data-refund="due"' not in page
    assert 'data-refund="refunded"' in page
