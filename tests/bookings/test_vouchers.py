import io
from datetime import timedelta
from decimal import Decimal

import pytest
from pypdf import PdfReader

from bookings import services
from bookings.models import BookingStatus, LineStatus, Participant, RedemptionAttempt
from bookings.vouchers import render_voucher_pdf, voucher_token
from operators.pricing import PaxMix
from tests.bookings.factories import hold_experience
from tests.operators.factories import bookable_stay

pytestmark = pytest.mark.django_db


def _text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def test_the_voucher_carries_what_the_supplier_and_the_traveller_need():
    booking = hold_experience(adults=2, meeting_point="Porta San Pietro")
    Participant.objects.create(
        booking=booking, first_name="Emily", last_name="Clarke", dietary_needs="vegetarian"
    )
    booking.language = "en"
    booking.save()
    services.booking_confirm(booking=booking)
    line = booking.lines.get()
    text = _text(render_voucher_pdf(booking))
    assert booking.reference in text
    assert "Voucher" in text
    assert line.title in text
    assert "Porta San Pietro" in text
    assert "Emily Clarke" in text and "vegetarian" in text
    assert line.supplier.name in text


def test_the_voucher_shows_the_tourist_tax_to_pay_on_site():
    from bookings.models import TouristTaxRule

    hotel, unit_type, start = bookable_stay(units=2)
    TouristTaxRule.objects.create(
        comune=hotel.comune,
        rate_per_night=Decimal("3.50"),
        valid_from=start - timedelta(days=30),
        max_nights=3,
    )
    booking = services.booking_hold(
        lines=[
            services.LineRequest(
                product=hotel,
                day=start,
                unit_type=unit_type,
                check_out=start + timedelta(days=2),
                units=1,
                pax=PaxMix.of(adults=2),
            )
        ],
        channel="web",
        contact_name="A",
        contact_email="a@example.com",
        language="en",
    )
    services.booking_confirm(booking=booking)
    text = _text(render_voucher_pdf(booking))
    assert "14.00" in text  # 2 guests x 2 nights x 3.50
    assert "on site" in text


def test_scanning_redeems_once_and_logs_the_second_attempt():
    booking = hold_experience(adults=2, days_ahead=0)  # the service is today
    services.booking_confirm(booking=booking)
    supplier = booking.lines.get().supplier
    token = voucher_token(booking)
    first = services.voucher_redeem(organisation=supplier, actor=None, raw=token, method="scan")
    assert first.accepted
    booking.refresh_from_db()
    assert booking.status == BookingStatus.COMPLETED
    assert booking.lines.get().status == LineStatus.COMPLETED
    second = services.voucher_redeem(organisation=supplier, actor=None, raw=token, method="scan")
    assert not second.accepted
    assert "Already redeemed" in second.message
    assert RedemptionAttempt.objects.filter(accepted=False).count() == 1


def test_a_token_altered_by_one_character_is_refused_and_logged():
    booking = hold_experience(adults=2)
    services.booking_confirm(booking=booking)
    supplier = booking.lines.get().supplier
    token = voucher_token(booking)
    altered = token[:-1] + ("A" if token[-1] != "A" else "B")
    result = services.voucher_redeem(organisation=supplier, actor=None, raw=altered, method="scan")
    assert not result.accepted
    assert booking.lines.get().redeemed_at is None
    assert RedemptionAttempt.objects.get().accepted is False


def test_an_unconfirmed_booking_cannot_be_redeemed():
    booking = hold_experience(adults=2)
    supplier = booking.lines.get().supplier
    result = services.voucher_redeem(
        organisation=supplier, actor=None, raw=booking.reference, method="code"
    )
    assert not result.accepted
    assert booking.lines.get().redeemed_at is None
