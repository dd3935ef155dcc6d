"""The booking engine's events become outbox rows in its transaction, one per subscriber,
and run after commit."""

import pytest

from bookings import services
from bookings.models import Voucher
from outbox.models import MessageStatus, OutboxMessage
from tests.bookings.factories import hold_experience

pytestmark = pytest.mark.django_db


def _handlers(since=0):
    return list(OutboxMessage.objects.filter(pk__gt=since).values_list("handler", flat=True))


def test_a_confirmation_writes_its_rows_in_its_transaction(django_capture_on_commit_callbacks):
    booking = hold_experience(adults=2)
    last = OutboxMessage.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.booking_confirm(booking=booking)
    assert _handlers(last) == [
        "bookings.tasks.send_booking_notification",
        "bookings.tasks.generate_voucher",
        "payments.booking_confirmed",
        "invoices.invoice_booking",
        "webhooks.booking_confirmed",
    ]
    assert OutboxMessage.objects.filter(pk__gt=last, status=MessageStatus.PENDING).count() == 5
    for callback in callbacks:  # the commit
        callback()
    assert not OutboxMessage.objects.filter(pk__gt=last).exclude(status=MessageStatus.DONE)
    assert Voucher.objects.filter(booking=booking).exists()


def test_a_cancellation_of_a_confirmed_booking_publishes_the_cancelled_lines(
    django_capture_on_commit_callbacks,
):
    booking = hold_experience(adults=2)
    with django_capture_on_commit_callbacks(execute=True):
        services.booking_confirm(booking=booking)
    last = OutboxMessage.objects.order_by("-pk").values_list("pk", flat=True).first()
    with django_capture_on_commit_callbacks(execute=True):
        services.booking_cancel(booking=booking, reason="buyer")
    rows = {m.handler: m for m in OutboxMessage.objects.filter(pk__gt=last)}
    line_ids = list(booking.lines.values_list("pk", flat=True))
    assert rows["invoices.credit_cancellation"].kwargs == {
        "booking_id": booking.pk,
        "cancelled_line_ids": line_ids,
    }
    assert rows["payments.booking_cancelled"].status == MessageStatus.DONE
    assert "payments.tasks.refund_for_cancellation" in rows
