"""Bookings for the invoicing adapters' tests: held and confirmed through the engine, with
the on-commit hooks (the invoicing tasks) run as in production."""

from datetime import datetime, time, timedelta
from decimal import Decimal

import time_machine
from django.utils import timezone

from bookings import services as booking_services
from bookings.models import Booking, TradeContract
from bookings.package_lines import PackageLineRequest
from invoices.models import Invoice
from operators.pricing import PaxMix
from tests.operators.factories import bookable_experience

from .helpers import parsed_valid_xml


def experience(adults=2, adult="30.00", net=None, days_ahead=10, **fields):
    """A line request for a fresh experience (22% VAT) `days_ahead` from today; the
    operator's net is 80% of the price unless given."""
    net = net or str((Decimal(adult) * Decimal("0.8")).quantize(Decimal("0.01")))
    product, slot = bookable_experience(
        capacity=40, adult=adult, net=net, days_ahead=days_ahead, **fields
    )
    return booking_services.LineRequest(
        product=product, day=slot.date, slot=slot, pax=PaxMix.of(adults=adults)
    )


def package(trip, day, adults=2):
    return PackageLineRequest(
        package=trip["package"], start_date=day, pax=PaxMix.of(adults=adults), terms_accepted=True
    )


def confirmed(
    capture, *, lines=(), packages=(), buyer=None, language="it", buyer_reference=""
) -> Booking:
    """Hold and confirm a booking, running the on-commit callbacks (the invoicing task)."""
    booking = booking_services.booking_hold(
        lines=list(lines),
        package_lines=list(packages),
        channel="trade" if buyer else "web",
        contact_name="Anna Rossi",
        contact_email="anna@example.com",
        language=language,
        buyer_organisation=buyer,
        buyer_reference=buyer_reference,
        hold_for=timedelta(days=3),
    )
    with capture(execute=True):
        booking_services.booking_confirm(booking=booking, via="test")
    booking.refresh_from_db()
    return booking


def cancel(capture, booking, *, line_ids=None, waive_penalty=False):
    with capture(execute=True):
        result = booking_services.booking_cancel(
            booking=booking,
            reason="buyer",
            line_ids=line_ids,
            waive_penalty=waive_penalty,
        )
    booking.refresh_from_db()
    return result


def on_account(organisation, on=True):
    TradeContract.objects.update_or_create(
        organisation=organisation, defaults={"on_account": on, "payment_terms_days": 60}
    )
    return organisation


def documents_of(booking) -> list[Invoice]:
    return list(Invoice.objects.filter(booking_invoicings__booking=booking).order_by("pk"))


def net_invoiced(documents) -> Decimal:
    total = Decimal("0.00")
    for document in documents:
        total += document.total
        for note in document.credit_notes.issued():
            total -= note.total
    return total


def all_xml_valid() -> int:
    """Validate every stored FatturaPA file against the schema; return how many."""
    count = 0
    for invoice in Invoice.objects.issued().exclude(xml_content=""):
        parsed_valid_xml(invoice)
        count += 1
    return count


def on_day(day):
    """Run the block at noon of `day` (documents are never issued with a future date)."""
    return time_machine.travel(timezone.make_aware(datetime.combine(day, time(12))), tick=False)
