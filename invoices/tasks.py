"""Celery tasks of the invoices app: thin, idempotent wrappers around `invoices.adapters`.

They run after commit from the outbox, as handlers of the booking engine's "confirmed" and
"cancelled" events (invoices/events.py); they never raise for fiscal data problems (those are
recorded for finance), so a confirmation or a cancellation never fails because of invoicing."""

import logging
from datetime import timedelta

from celery import shared_task
from django.utils import timezone

logger = logging.getLogger(__name__)


def _unexpected(booking, exc) -> dict:
    logger.exception("invoicing of booking %s failed", booking.pk)
    return {"__all__": f"Unexpected error: {exc.__class__.__name__}: {exc}"[:500]}


@shared_task(acks_late=True)
def invoice_booking(booking_id: int) -> list[str]:
    """The invoice or receipt of a booking just confirmed (numbers of the documents)."""
    from bookings.models import Booking

    from .adapters import booking_invoicing_failed, invoice_booking_or_record_failure

    booking = Booking.objects.filter(pk=booking_id).first()
    if booking is None:
        return []
    try:
        documents, _problems = invoice_booking_or_record_failure(booking=booking)
    except Exception as exc:  # never break the confirmation: finance sees it and retries
        booking_invoicing_failed(booking=booking, problems=_unexpected(booking, exc))
        return []
    return [document.number for document in documents]


@shared_task(acks_late=True)
def credit_cancellation(booking_id: int, line_ids: list[int]) -> list[str]:
    """The credit note of lines just cancelled on a confirmed booking (if it was invoiced)."""
    from bookings.models import Booking

    from .adapters import (
        cancellation_credit_failed,
        cancellation_event_key,
        credit_cancellation_or_record_failure,
    )

    booking = Booking.objects.filter(pk=booking_id).first()
    if booking is None or not line_ids:
        return []
    try:
        notes, _problems = credit_cancellation_or_record_failure(booking=booking, line_ids=line_ids)
    except Exception as exc:  # never break the cancellation: finance sees it and retries
        cancellation_credit_failed(
            booking=booking,
            key=cancellation_event_key(line_ids),
            problems=_unexpected(booking, exc),
        )
        return []
    return [note.number for note in notes]


@shared_task(acks_late=True)
def documents_for_amendment(booking_id: int) -> list[str]:
    """The supplementary invoice or credit note of an amended booking (if it was invoiced)."""
    from bookings.models import Booking

    from .adapters import cancellation_credit_failed, documents_for_amendment_or_record_failure

    booking = Booking.objects.filter(pk=booking_id).first()
    if booking is None:
        return []
    try:
        documents, _problems = documents_for_amendment_or_record_failure(booking=booking)
    except Exception as exc:  # never break the amendment: finance sees it and retries
        cancellation_credit_failed(
            booking=booking, key="amendment:unexpected", problems=_unexpected(booking, exc)
        )
        return []
    return [document.number for document in documents]


def previous_month(today=None) -> tuple[int, int]:
    first = (today or timezone.localdate()).replace(day=1)
    last_month = first - timedelta(days=1)
    return last_month.year, last_month.month


@shared_task
def issue_monthly_summaries(year: int | None = None, month: int | None = None) -> dict:
    """On the 1st: the summary invoices of the partners on account for the month just over,
    and the operators' statements of that month (to review before invoicing commission)."""
    from .adapters import monthly_summaries_issue, statements_for_month

    if year is None or month is None:
        year, month = previous_month()
    result = monthly_summaries_issue(year=year, month=month)
    statements = statements_for_month(year=year, month=month)
    return {
        "issued": [document.number for document in result["issued"]],
        "failed": result["failed"],
        "statements": len(statements),
    }
