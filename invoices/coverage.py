"""Every euro in the ledger covered by a document: per booking, what the payments ledger
holds (charges minus refunds) against what its documents certify (invoices or receipts minus
their credit notes). The month-end check lists the bookings where the two differ."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Sum

from operators.pricing import money

from .models import BookingInvoicing, DocumentType

ZERO = Decimal("0.00")
# The buyer's money for a booking: a card charge, a deposit and a balance (a group's
# instalments), refunds negative.
CASH_KINDS = ("charge", "deposit", "balance", "refund")


@dataclass(frozen=True)
class Uncovered:
    reference: str
    ledger: Decimal
    documented: Decimal


def documented_total(record: BookingInvoicing | None) -> Decimal:
    """What the booking's own documents certify, net of their credit notes."""
    if record is None:
        return ZERO
    total = ZERO
    for document in record.documents.filter(document_type=DocumentType.INVOICE):
        total += document.total
        total -= sum((note.total for note in document.credit_notes.issued()), ZERO)
    return money(total)


def ledger_uncovered(*, bookings) -> list[Uncovered]:
    """The bookings whose cash in the ledger is not exactly covered by their documents
    (none when the books agree). Bookings in a monthly summary are covered by it as a whole
    and are checked with `adapters.invoiced_total_for_period`."""
    from payments.models import LedgerEntry

    result = []
    for booking in bookings:
        cents = LedgerEntry.objects.filter(booking=booking, kind__in=CASH_KINDS).aggregate(
            n=Sum("amount_cents")
        )["n"]
        ledger = money(Decimal(cents or 0) / 100)
        record = BookingInvoicing.objects.filter(booking=booking).first()
        if record is not None and record.summary_id:
            continue
        documented = documented_total(record)
        if ledger != documented:
            result.append(Uncovered(booking.reference, ledger, documented))
    return result
