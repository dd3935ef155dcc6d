"""Exports: the month's FatturaPA files as a ZIP for the SdI intermediary, the accountant's
CSV, and the import of SdI notifications (receipts and rejections)."""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from lxml import etree

from . import fatturapa
from .models import Invoice, SdiStatus
from .selectors import invoices_issued_between, invoices_with_xml_for_month
from .services import invoice_sdi_status_set


@dataclass
class ZipExport:
    filename: str
    content: bytes
    files: list[str] = field(default_factory=list)


def parse_month(value: str) -> tuple[int, int]:
    """'2026-03' -> (2026, 3); a clear error otherwise."""
    try:
        year, month = (int(part) for part in value.split("-"))
        date(year, month, 1)
    except (ValueError, TypeError) as exc:
        raise ValidationError(
            {"month": _("Give the month as YYYY-MM, e.g. 2026-03.")}, code="invalid_month"
        ) from exc
    return year, month


@transaction.atomic
def fatturapa_export_month(
    *, year: int, month: int, mark_sent: bool = False, include_sent: bool = False, actor=None
):
    """A ZIP of the month's XML files still to send (each re-validated against the schema),
    named as the SdI expects; `include_sent` adds the files already sent. With `mark_sent`,
    files still to send are marked sent."""
    invoices = list(invoices_with_xml_for_month(year, month))
    if not include_sent:
        invoices = [i for i in invoices if i.sdi_status == SdiStatus.TO_SEND]
    buffer = io.BytesIO()
    names = []
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for invoice in invoices:
            xml = invoice.xml_content.encode("utf-8")
            fatturapa.validate(xml)
            archive.writestr(invoice.xml_filename, xml)
            names.append(invoice.xml_filename)
    now = timezone.now()
    Invoice.objects.filter(pk__in=[i.pk for i in invoices]).update(sdi_exported_at=now)
    if mark_sent:
        for invoice in invoices:
            if invoice.sdi_status == SdiStatus.TO_SEND:
                invoice_sdi_status_set(invoice=invoice, status=SdiStatus.SENT, actor=actor)
    return ZipExport(
        filename=f"fatturapa-{year}-{month:02d}.zip", content=buffer.getvalue(), files=names
    )


ACCOUNTANT_COLUMNS = [
    "numero",
    "tipo_documento",
    "data",
    "cliente",
    "partita_iva",
    "codice_fiscale",
    "vat_number",
    "paese",
    "regime_fiscale",
    "aliquota_o_natura",
    "imponibile",
    "imposta",
    "totale_documento",
    "fattura_collegata",
    "prenotazione",
    "pagata_il",
    "stato_sdi",
    "file_xml",
]


def _cell(value) -> str:
    """Text a spreadsheet will not execute as a formula."""
    text = str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


def accountant_csv(*, start: date, end: date) -> str:
    """One row per document and VAT rate / Natura (the accountant's VAT register view);
    issue dates from `start` to `end` inclusive."""
    from datetime import timedelta

    from .specs import compute_totals

    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(ACCOUNTANT_COLUMNS)
    invoices = invoices_issued_between(start, end + timedelta(days=1)).prefetch_related("lines")
    for invoice in invoices:
        for row in compute_totals(invoice.lines.all()).summary:
            writer.writerow(
                [
                    invoice.number,
                    invoice.document_type,
                    invoice.issue_date.isoformat(),
                    _cell(invoice.customer_name),
                    invoice.customer_partita_iva,
                    invoice.customer_codice_fiscale,
                    invoice.customer_vat_number,
                    invoice.customer_country,
                    invoice.regime_fiscale,
                    f"{row.vat_rate:.2f}" if row.vat_rate is not None else row.natura,
                    f"{row.taxable:.2f}",
                    f"{row.vat:.2f}",
                    f"{invoice.total:.2f}",
                    invoice.original.number if invoice.original_id else "",
                    invoice.booking_reference,
                    invoice.paid_at.date().isoformat() if invoice.paid_at else "",
                    invoice.sdi_status,
                    invoice.xml_filename,
                ]
            )
    return out.getvalue()


# SdI notification types (root element local names) and what they mean for the invoice.
SDI_OUTCOMES = {
    "RicevutaConsegna": SdiStatus.ACCEPTED,  # RC: delivered to the customer
    "NotificaMancataConsegna": SdiStatus.ACCEPTED,  # MC: issued, left in the cassetto fiscale
    "NotificaScarto": SdiStatus.REJECTED,  # NS: rejected, with its errors
}


@dataclass
class ImportResult:
    filename: str
    invoice: Invoice | None
    status: str
    message: str


def sdi_notification_import(*, name: str, content: bytes, actor=None) -> ImportResult:
    """Apply one SdI notification file (RC, MC or NS) to the invoice it names."""
    try:
        root = etree.fromstring(content, etree.XMLParser(no_network=True, resolve_entities=False))
    except etree.XMLSyntaxError:
        return ImportResult(name, None, "", _("Not an XML file."))
    kind = etree.QName(root).localname
    outcome = SDI_OUTCOMES.get(kind)
    if outcome is None:
        return ImportResult(name, None, "", _("Unknown SdI notification “%s”.") % kind)
    xml_name = root.findtext(".//NomeFile") or ""
    invoice = Invoice.objects.filter(xml_filename=xml_name).first()
    if invoice is None:
        return ImportResult(name, None, "", _("No invoice with the file name “%s”.") % xml_name)
    reason = ""
    if outcome == SdiStatus.REJECTED:
        reason = "; ".join(
            f"{error.findtext('Codice') or ''} {error.findtext('Descrizione') or ''}".strip()
            for error in root.iter("Errore")
        ) or _("Rejected by the SdI.")
    elif kind == "NotificaMancataConsegna":
        reason = _("Not delivered: available to the customer in its cassetto fiscale.")
    try:
        invoice_sdi_status_set(invoice=invoice, status=outcome, reason=reason, actor=actor)
    except ValidationError as exc:
        return ImportResult(name, invoice, invoice.sdi_status, " ".join(exc.messages))
    return ImportResult(name, invoice, outcome, reason)
