"""What invoices does when the booking engine publishes an event (bookings.events):
the invoice or receipt of a confirmed booking, the credit note of cancelled invoiced lines,
the supplementary invoice or credit note of an amendment.
Registered in `InvoicesConfig.ready()`; both are idempotent and never raise for fiscal data
problems (those are recorded for finance)."""

from bookings import events


def _confirmed(*, booking_id: int) -> None:
    from .tasks import invoice_booking

    invoice_booking.run(booking_id)


def _cancelled(*, booking_id: int, cancelled_line_ids=None) -> None:
    from .tasks import credit_cancellation

    if cancelled_line_ids:
        credit_cancellation.run(booking_id, cancelled_line_ids)


def _amended(*, booking_id: int) -> None:
    from .tasks import documents_for_amendment

    documents_for_amendment.run(booking_id)


def register() -> None:
    events.subscribe(events.CONFIRMED, name="invoices.invoice_booking", function=_confirmed)
    events.subscribe(events.CANCELLED, name="invoices.credit_cancellation", function=_cancelled)
    events.subscribe(events.AMENDED, name="invoices.amendment_documents", function=_amended)
