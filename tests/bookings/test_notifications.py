"""Booking emails: text parts are not HTML-escaped; an operator hears only of its own lines
and is never told a cancelled line is confirmed."""

import pytest
from django.core import mail

from bookings import services
from bookings.models import CancelReason
from bookings.notifications import send_booking_notification
from operators.pricing import PaxMix
from tests.factories import OrganisationFactory
from tests.operators.factories import bookable_experience

pytestmark = pytest.mark.django_db


def _line(product, slot):
    return services.LineRequest(product=product, day=slot.date, slot=slot, pax=PaxMix.of(adults=2))


def test_plain_text_does_not_html_escape_and_html_does():
    product, slot = bookable_experience(
        title="Olive oil B&B tasting <Lucca>",
        title_it="Olive oil B&B tasting <Lucca>",
        title_en="Olive oil B&B tasting <Lucca>",
    )
    booking = services.booking_hold(
        lines=[_line(product, slot)], channel="web", contact_name="A", contact_email="a@example.com"
    )
    send_booking_notification(booking=booking, event="held")
    message = next(m for m in mail.outbox if m.to == ["a@example.com"])
    assert "B&B tasting <Lucca>" in message.body
    assert "&amp;" not in message.body
    assert "B&amp;B tasting &lt;Lucca&gt;" in message.alternatives[0][0]


def test_resending_a_voucher_does_not_tell_a_cancelled_lines_operator_it_is_confirmed():
    kept = OrganisationFactory(email="kept@example.com")
    dropped = OrganisationFactory(email="dropped@example.com")
    product, slot = bookable_experience(organisation=kept)
    other, other_slot = bookable_experience(organisation=dropped)
    booking = services.booking_hold(
        lines=[_line(product, slot), _line(other, other_slot)],
        channel="web",
        contact_name="A",
        contact_email="a@example.com",
    )
    services.booking_confirm(booking=booking)
    line = booking.lines.get(product=other)
    services.booking_cancel(booking=booking, reason=CancelReason.BUYER, line_ids=[line.pk])
    mail.outbox.clear()
    send_booking_notification(booking=booking, event="confirmed")
    recipients = [m.to[0] for m in mail.outbox]
    assert "dropped@example.com" not in recipients
    to_kept = next(m for m in mail.outbox if m.to == ["kept@example.com"])
    assert str(product) in to_kept.body and str(other) not in to_kept.body
