"""Month end: what was invoiced for the month's bookings, minus the credit notes, is what
the bookings total (penalties kept included), to the cent."""

from decimal import Decimal

import pytest
from django.utils import timezone

from invoices import adapters
from invoices.models import BookingInvoicing, Invoice
from invoices.selectors import month_bounds, stamp_duty_for_quarter
from operators.models import OperatorContract

from .adapter_helpers import (
    all_xml_valid,
    cancel,
    confirmed,
    experience,
    on_account,
    on_day,
    package,
)
from .factories import italian_agency

pytestmark = pytest.mark.django_db


def test_month_end_invoices_minus_credit_notes_equal_the_bookings_to_the_cent(
    dmc, agency, german, trip, day, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    mandate = italian_agency(name="Guide per conto", kind="operator", subkind="guide")
    OperatorContract.objects.create(organisation=mandate, sales_model="agency")
    regular = on_account(italian_agency(name="Agenzia Mensile"))
    bookings = [
        confirmed(capture, lines=[experience(adults=3, adult="20.01"), experience(adults=1)]),
        confirmed(
            capture, lines=[experience(adults=2)], packages=[package(trip, day)], buyer=agency
        ),
        confirmed(capture, lines=[experience(adults=4, adult="33.33")], buyer=german),
        confirmed(capture, lines=[experience(adults=5, adult="19.99")], buyer=regular),
        confirmed(capture, lines=[experience(), experience(adults=3)], buyer=regular),
        confirmed(capture, packages=[package(trip, day, adults=1)], language="en"),
        # an agency sale collected on the operator's behalf (N1) above 77.47: stamp duty
        confirmed(capture, lines=[experience(adults=3, adult="40.00", organisation=mandate)]),
    ]
    cancel(capture, bookings[0], line_ids=[bookings[0].lines.order_by("pk").first().pk])
    cancel(capture, bookings[1], line_ids=[bookings[1].lines.get(kind="package").pk])
    cancel(capture, bookings[2], waive_penalty=True)
    cancel(capture, bookings[4], line_ids=[bookings[4].lines.order_by("pk").first().pk])
    cancel(capture, bookings[5])

    today = timezone.localdate()
    start, next_start = month_bounds(today.year, today.month)
    result = adapters.monthly_summaries_issue(year=today.year, month=today.month)
    assert result["issued"] == [] and "not over" in str(result["failed"])
    with on_day(next_start):
        adapters.monthly_summary_issue(
            partner=regular, year=today.year, month=today.month, issue_date=next_start
        )

    for booking in bookings:
        booking.refresh_from_db()
    expected = sum((b.total_retail for b in bookings), Decimal("0.00"))
    assert sum((b.penalty_total for b in bookings), Decimal("0.00")) > 0
    assert bookings[2].total_retail == 0
    after_summary = month_bounds(next_start.year, next_start.month)[1]
    assert adapters.invoiced_total_for_period(start, after_summary) == expected
    assert adapters.invoiced_total_for_period(start, next_start) == expected - sum(
        (b.total_retail for b in bookings[3:5]), Decimal("0.00")
    )
    assert all_xml_valid() >= 6
    assert set(BookingInvoicing.objects.values_list("status", flat=True)) == {"invoiced"}
    # stamp duty: due on the agency sale's document only, and in the quarter's summary
    stamped = Invoice.objects.issued().filter(stamp_duty__gt=0)
    assert [d.booking_reference for d in stamped] == [bookings[6].reference]
    quarter = stamp_duty_for_quarter(today.year, (today.month - 1) // 3 + 1)
    assert quarter.total == Decimal("2.00") and quarter.documents == list(stamped)
