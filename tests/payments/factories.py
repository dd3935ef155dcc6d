"""Organisation-scoped payments objects for the tenancy walk."""

from payments.ledger import ledger_record
from payments.models import EntryKind, LedgerEntry, Method, OperatorPayable
from tests.bookings.factories import hold_experience


def _payable_for(organisation):
    booking = hold_experience(organisation=organisation)
    line = booking.lines.first()
    return OperatorPayable.objects.create(
        line=line,
        booking=booking,
        operator=organisation,
        amount=line.net_amount,
        service_date=line.service_date,
    )


def _ledger_for(organisation):
    return ledger_record(
        kind=EntryKind.RECEIPT,
        method=Method.BANK_TRANSFER,
        amount_cents=1000,
        counterparty=organisation,
        external_ref=f"test:{organisation.pk}",
    )


SCOPED_MODEL_FACTORIES = {
    OperatorPayable: _payable_for,
    LedgerEntry: _ledger_for,
}
