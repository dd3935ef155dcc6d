"""A line added to a paid, invoiced booking (issue 10 item 4): the new line's price becomes a
balance instalment and a supplementary receipt; a later decrease is refunded and credited;
the ledger stays covered by documents to the cent."""

from decimal import Decimal

import pytest

from bookings import services as booking_services
from invoices.coverage import documented_total, ledger_uncovered
from invoices.models import BookingInvoicing, DocumentType, Invoice
from operators.pricing import PaxMix
from payments.models import ScheduleStatus
from payments.selectors import booking_paid
from tests.bookings.factories import hold_experience
from tests.operators.factories import bookable_experience

from .helpers import pay

pytestmark = pytest.mark.django_db


def test_an_added_line_is_due_and_invoiced_and_a_reduction_refunded_and_credited(
    localstripe, django_capture_on_commit_callbacks
):
    from tests.invoices.factories import dmc_org

    dmc_org()  # the issuer of the receipts
    booking = hold_experience(adults=2, capacity=10)
    with django_capture_on_commit_callbacks(execute=True):
        pay(booking)  # 60.00, confirmed and its receipt issued
    booking.refresh_from_db()
    assert booking.status == "confirmed"
    record = BookingInvoicing.objects.get(booking=booking)
    assert record.status == "invoiced", record.problems
    assert documented_total(record) == Decimal("60.00")

    product, slot = bookable_experience(capacity=5, adult="25.00", net="20.00", days_ahead=12)
    request = booking_services.LineRequest(
        product=product, day=slot.date, slot=slot, pax=PaxMix.of(adults=3)
    )
    with django_capture_on_commit_callbacks(execute=True):
        booking_services.booking_add_lines(
            booking=booking, lines=[request], expected_total=Decimal("135.00")
        )
    booking.refresh_from_db()
    assert booking.total_retail == Decimal("135.00")
    due = booking.payment_schedule.filter(status=ScheduleStatus.OPEN).get()
    assert due.amount == Decimal("75.00")
    documents = list(record.documents.filter(document_type=DocumentType.INVOICE).order_by("pk"))
    assert [d.total for d in documents] == [Decimal("60.00"), Decimal("75.00")]
    assert documented_total(record) == Decimal("135.00")
    with django_capture_on_commit_callbacks(execute=True):
        pay(booking)
    assert booking_paid(booking) == Decimal("135.00")
    assert ledger_uncovered(bookings=[booking]) == []

    # The added line shrinks to 1 adult: 50.00 refunded and credited.
    added = booking.lines.get(product=product)
    with django_capture_on_commit_callbacks(execute=True):
        booking_services.booking_amend(line=added, pax=PaxMix.of(adults=1))
    assert booking_paid(booking) == Decimal("85.00")
    credit = Invoice.objects.get(document_type=DocumentType.CREDIT_NOTE)
    assert credit.total == Decimal("50.00")
    assert documented_total(record) == Decimal("85.00")
    assert ledger_uncovered(bookings=[booking]) == []
    # Nothing more on a second run of the handlers.
    from invoices.adapters import documents_for_amendment

    assert documents_for_amendment(booking=booking) == []
