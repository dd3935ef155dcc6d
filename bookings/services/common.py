"""Helpers shared by the services: side effects after commit, totals, locked re-reads."""

from __future__ import annotations

import logging
from decimal import Decimal

from django.conf import settings

from operators.pricing import money

from ..models import (
    Allocation,
    AllocationState,
    Booking,
    LineStatus,
)

logger = logging.getLogger(__name__)


def _publish(event: str, booking_id: int, **payload) -> None:
    """Tell the other apps what happened (bookings.events): written in this transaction,
    run after commit from the outbox by the handlers they registered."""
    from ..events import booking_event_publish

    booking_event_publish(event=event, booking_id=booking_id, **payload)


def _after_commit(event: str, booking_id: int, cancelled_line_ids=None) -> None:
    """Kept for the callers' name: publishes the event (call it inside the transaction)."""
    if event == "cancelled":
        _publish(event, booking_id, cancelled_line_ids=cancelled_line_ids)
    else:
        _publish(event, booking_id)


def _notify(event: str, booking: Booking) -> None:
    from outbox.services import outbox_enqueue

    from .. import tasks
    from ..notifications import notifications_are_muted

    if notifications_are_muted():  # decided when scheduled: the outbox row runs later
        return
    outbox_enqueue(
        handler=tasks.send_booking_notification,
        kwargs={"booking_id": booking.pk, "event": event},
    )


def _notification(event: str, booking: Booking):
    """`_notify`'s outbox row, unsaved (None when notifications are muted), for a writer that
    inserts it with the booking's rows and dispatches it once they are committed."""
    from outbox.services import outbox_message

    from .. import tasks
    from ..notifications import notifications_are_muted

    if notifications_are_muted():
        return None
    return outbox_message(
        handler=tasks.send_booking_notification,
        kwargs={"booking_id": booking.pk, "event": event},
    )


def _recompute_totals(booking: Booking) -> None:
    lines = list(booking.lines.filter(parent__isnull=True))
    active = [ln for ln in lines if ln.status != LineStatus.CANCELLED]
    booking.total_retail = money(
        sum((ln.retail_amount for ln in active), Decimal("0"))
        + sum((ln.penalty_amount for ln in lines), Decimal("0"))
    )
    booking.total_net = money(sum((ln.net_amount for ln in active), Decimal("0")))
    booking.tourist_tax = money(sum((ln.tourist_tax for ln in active), Decimal("0")))
    booking.penalty_total = money(sum((ln.penalty_amount for ln in lines), Decimal("0")))
    dates = [ln.service_date for ln in active] or [ln.service_date for ln in lines]
    booking.first_service_date = min(dates) if dates else None
    booking.save(
        update_fields=[
            "total_retail",
            "total_net",
            "tourist_tax",
            "penalty_total",
            "first_service_date",
            "status",
            "expires_at",
            "updated_at",
        ]
    )


def _locked_booking(booking: Booking) -> Booking:
    return Booking.objects.select_for_update().get(pk=booking.pk)


def _allocations_of(booking: Booking, states=(AllocationState.HELD, AllocationState.SOLD)):
    return list(Allocation.objects.filter(line__booking=booking, state__in=states))


def settings_dmc_email() -> str:
    return getattr(settings, "DMC_NOTIFICATION_EMAIL", "") or settings.DEFAULT_FROM_EMAIL
