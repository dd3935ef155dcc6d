"""Reads of the invoices app, with the joins each page needs."""

from __future__ import annotations

from datetime import date

from django.db.models import Q, QuerySet

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
