"""Helpers shared by the services: side effects after commit, totals, locked re-reads."""

from __future__ import annotations

import logging
from decimal import Decimal

from django.conf import settings
from django.db import transaction

from operators.pricing import money

from ..models import (
    Allocation,
    AllocationState,
    Booking,
    LineStatus,
)

logger = logging.getLogger(__name__)


def _after_commit(event: str, booking_id: int, cancelled_line_ids=None) -> None:
    """What other apps do once a confirmation or a cancellation is committed: payments
    accrues the operators' payables, shrinks the schedule and executes the refund; invoices
    issues the invoice or receipt, or the credit note of the cancelled invoiced lines."""
    from invoices import tasks as invoice_tasks
    from payments import services as payments

    if event == "confirmed":
        payments.on_booking_confirmed(booking_id)
        invoice_tasks.invoice_booking.delay(booking_id)
    elif event == "cancelled":
        payments.on_booking_cancelled(booking_id)
        if cancelled_line_ids:
            invoice_tasks.credit_cancellation.delay(booking_id, cancelled_line_ids)
    elif event == "amended":
        # payments: the on-account ledger, the schedule or a refund follow the new total.
        payments.on_booking_amended(booking_id)


def _notify(event: str, booking: Booking) -> None:
    from .. import tasks
    from ..notifications import notifications_are_muted

    if notifications_are_muted():  # decided when scheduled: on_commit runs after the block
        return

    booking_id = booking.pk
    transaction.on_commit(lambda: tasks.send_booking_notification.delay(booking_id, event))


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
