"""Reads of the invoices app, with the joins each page needs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Prefetch, Q, QuerySet

from .models import Invoice, InvoiceStatus, OperatorStatement


def month_bounds(year: int, month: int) -> tuple[date, date]:
    start = date(year, month, 1)
    end = date(year + (month == 12), month % 12 + 1, 1)
    return start, end


def invoice_search(
    *,
    query: str = "",
    kind: str = "",
    sdi_status: str = "",
    status: str = "",
    date_from: date | None = None,
    date_to: date | None = None,
) -> QuerySet[Invoice]:
    """The finance back office's list: text search on number, customer, booking, VAT ids."""
    invoices = Invoice.objects.select_related("series", "original", "customer_organisation")
    if query:
        query = query.strip()
        invoices = invoices.filter(
            Q(number__icontains=query)
            | Q(customer_name__icontains=query)
            | Q(booking_reference__icontains=query)
            | Q(customer_partita_iva__icontains=query)
            | Q(customer_vat_number__icontains=query)
            | Q(lines__booking_reference__icontains=query)
        ).distinct()
    if kind == "credit_note":
        invoices = invoices.filter(document_type="TD04")
    elif kind in ("business", "consumer"):
        invoices = invoices.filter(document_type="TD01", customer_kind=kind)
    if sdi_status:
        invoices = invoices.filter(sdi_status=sdi_status)
    if status == "draft":
        invoices = invoices.filter(status=InvoiceStatus.DRAFT)
    elif status == "unpaid":
        invoices = invoices.issued().filter(paid_at__isnull=True, document_type="TD01")
    elif status == "paid":
        invoices = invoices.issued().filter(paid_at__isnull=False)
    if date_from:
        invoices = invoices.filter(issue_date__gte=date_from)
    if date_to:
        invoices = invoices.filter(issue_date__lte=date_to)
    return invoices.order_by("-issued_at", "-pk")


def invoices_issued_between(start: date, end: date) -> QuerySet[Invoice]:
    """Issued documents with start <= issue date < end, in number order."""
    return (
        Invoice.objects.issued()
        .filter(issue_date__gte=start, issue_date__lt=end)
        .select_related("series", "original")
        .order_by("series__code", "year", "sequence")
    )


def invoices_with_xml_for_month(year: int, month: int) -> QuerySet[Invoice]:
    start, end = month_bounds(year, month)
    return invoices_issued_between(start, end).exclude(xml_content="")


def invoice_detail(pk: int) -> Invoice:
    return (
        Invoice.objects.select_related("series", "original", "customer_organisation")
        .prefetch_related("lines", "events__actor", "credit_notes")
        .get(pk=pk)
    )


def customer_documents(organisation) -> QuerySet[Invoice]:
    """Issued invoices and credit notes addressed to a trade partner."""
    return (
        Invoice.objects.issued()
        .filter(customer_organisation=organisation)
        .select_related("original")
        .order_by("-issued_at", "-pk")
    )


def operator_statements(operator) -> QuerySet[OperatorStatement]:
    return OperatorStatement.objects.filter(operator=operator).select_related("commission_invoice")


# --- documents of bookings (finance back office) -------------------------------------------


@dataclass(frozen=True)
class NotInvoicedRow:
    booking: object  # bookings.models.Booking
    record: object | None  # BookingInvoicing, None when no invoicing task ever ran
    problems: dict


def bookings_not_invoiced(limit: int = 200) -> list[NotInvoicedRow]:
    """Confirmed bookings without their documents, and why: failed invoicing, a monthly
    summary that failed, or no invoicing recorded at all (the task never ran)."""
    from bookings.models import Booking

    from .adapters import INVOICED_BOOKING_STATUSES
    from .models import BookingInvoicing, BookingInvoicingStatus

    records = (
        BookingInvoicing.objects.filter(
            Q(status=BookingInvoicingStatus.FAILED)
            | Q(status=BookingInvoicingStatus.ON_ACCOUNT) & ~Q(problems={})
        )
        .select_related("booking__buyer_organisation")
        .order_by("-last_attempt_at", "-pk")[:limit]
    )
    rows = [NotInvoicedRow(r.booking, r, r.problems) for r in records]
    missing = (
        Booking.objects.filter(
            confirmed_at__isnull=False,
            status__in=INVOICED_BOOKING_STATUSES,
            invoicing__isnull=True,
        )
        .select_related("buyer_organisation")
        .order_by("-confirmed_at")[:limit]
    )
    rows += [NotInvoicedRow(booking, None, {}) for booking in missing]
    return rows


@dataclass(frozen=True)
class SummaryToIssue:
    partner: object
    period_start: date
    bookings: int
    total: object
    problems: dict

    @property
    def month(self) -> str:
        return self.period_start.strftime("%Y-%m")


def summaries_waiting() -> list[SummaryToIssue]:
    """Bookings of partners on account waiting for their monthly summary, per partner and
    month, with the last failure of the summary if any."""
    from .models import BookingInvoicing, BookingInvoicingStatus

    records = (
        BookingInvoicing.objects.filter(status=BookingInvoicingStatus.ON_ACCOUNT)
        .select_related("customer_organisation", "booking")
        .order_by("period_start", "customer_organisation__name")
    )
    groups: dict[tuple, list] = {}
    for record in records:
        groups.setdefault((record.customer_organisation_id, record.period_start), []).append(record)
    return [
        SummaryToIssue(
            partner=items[0].customer_organisation,
            period_start=period,
            bookings=len(items),
            total=sum((r.booking.total_retail for r in items), Decimal("0.00")),
            problems=next((r.problems for r in items if r.problems), {}),
        )
        for (_partner, period), items in groups.items()
    ]


@dataclass(frozen=True)
class CreditToIssue:
    booking: object
    record: object
    amount: object
    lines: list
    problems: dict


def cancellations_to_credit(limit: int = 200) -> list[CreditToIssue]:
    """Invoiced bookings with cancelled lines whose credit note is still missing (the task
    failed or never ran), with the amount to credit and the last failure."""
    from bookings.models import BookingLine, LineStatus

    from .adapters import pending_credit
    from .models import BookingInvoicing, BookingInvoicingStatus, CreditOutcome

    records = (
        BookingInvoicing.objects.filter(
            status=BookingInvoicingStatus.INVOICED,
            booking__lines__parent__isnull=True,
            booking__lines__status=LineStatus.CANCELLED,
        )
        .distinct()
        .select_related("booking__buyer_organisation")
        .prefetch_related(
            Prefetch(
                "booking__lines",
                queryset=BookingLine.objects.filter(parent__isnull=True).order_by("position", "pk"),
                to_attr="top_lines",
            ),
            "credits",
            "documents",
        )
        .order_by("-updated_at")[:limit]
    )
    rows = []
    for record in records:
        amounts = pending_credit(record, record.booking.top_lines)
        if not amounts:
            continue
        failures = [c for c in record.credits.all() if c.outcome == CreditOutcome.FAILED]
        rows.append(
            CreditToIssue(
                booking=record.booking,
                record=record,
                amount=sum(amounts.values(), Decimal("0.00")),
                lines=list(amounts),
                problems=failures[-1].problems if failures else {},
            )
        )
    return rows


def quarter_bounds(year: int, quarter: int) -> tuple[date, date]:
    if quarter not in (1, 2, 3, 4):
        raise ValueError("quarter")
    start = date(year, 3 * quarter - 2, 1)
    end = date(year + 1, 1, 1) if quarter == 4 else date(year, 3 * quarter + 1, 1)
    return start, end


@dataclass(frozen=True)
class StampDutyQuarter:
    start: date
    end: date
    documents: list
    count: int
    total: Decimal


def stamp_duty_for_quarter(year: int, quarter: int) -> StampDutyQuarter:
    """The stamp duty due for the documents issued in a quarter (paid virtually, declared
    and paid by quarter): each document with its amount, their number and total."""
    from django.db.models import Sum

    start, end = quarter_bounds(year, quarter)
    documents = (
        Invoice.objects.issued()
        .filter(issue_date__gte=start, issue_date__lt=end, stamp_duty__gt=0)
        .order_by("issue_date", "number")
    )
    total = documents.aggregate(total=Sum("stamp_duty"))["total"] or Decimal("0.00")
    listed = list(documents)
    return StampDutyQuarter(start, end, listed, len(listed), total)
