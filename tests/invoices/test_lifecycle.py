"""Dates, numbering and the SdI life cycle: the last service day as DataFinePeriodo, issued
documents never deleted (model, queryset, admin, PostgreSQL trigger), no future issue date,
a rejected file re-sent under a new progressive name, REA and share capital."""

import io
import zipfile
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.contrib.admin.sites import site
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from invoices import exports, services
from invoices.models import FiscalSettings, Invoice
from invoices.pdf import invoice_pdf
from invoices.specs import InvoiceLineSpec

from .factories import service_line
from .helpers import parsed_valid_xml
from .test_pdf import pdf_text

pytestmark = pytest.mark.django_db


def draft_for(agency):
    return services.invoice_draft_create(customer=agency, lines=[service_line()])


def test_data_fine_periodo_is_the_last_service_day(dmc, agency):
    stay = InvoiceLineSpec(
        description="Soggiorno in agriturismo",
        quantity=Decimal("1"),
        unit_price=Decimal("300.00"),
        vat_rate=Decimal("10"),
        service_date=date(2026, 1, 13),
        service_end_date=date(2026, 1, 16),
    )
    invoice = services.invoice_issue_from_specs(customer=agency, lines=[stay])
    row = parsed_valid_xml(invoice).find(".//DettaglioLinee")
    assert row.findtext("DataInizioPeriodo") == "2026-01-13"
    assert row.findtext("DataFinePeriodo") == "2026-01-16"  # was 2026-01-13


def test_an_issued_invoice_is_never_deleted_by_any_path(dmc, agency):
    draft = draft_for(agency)
    stale = Invoice.objects.get(pk=draft.pk)  # loaded while still a draft
    services.invoice_issue(invoice=draft)
    with pytest.raises(ValidationError):
        stale.delete()
    with pytest.raises(ValidationError):
        services.invoice_draft_delete(invoice=stale)
    with pytest.raises(ValidationError):
        Invoice.objects.filter(pk=draft.pk).delete()
    assert not site._registry[Invoice].has_delete_permission(None, draft)
    assert Invoice.objects.filter(pk=draft.pk, status="issued").exists()
    other = draft_for(agency)
    Invoice.objects.filter(pk=other.pk).delete()  # a draft may go


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL trigger")
def test_the_database_refuses_to_delete_an_issued_invoice(dmc, agency):
    invoice = services.invoice_issue(invoice=draft_for(agency))
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM invoices_invoice WHERE id = %s", [invoice.pk])
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM invoices_invoiceline WHERE invoice_id = %s", [invoice.pk])
    assert Invoice.objects.filter(pk=invoice.pk).exists()


def test_an_issue_date_in_the_future_is_refused(dmc, agency):
    draft = draft_for(agency)
    tomorrow = timezone.localdate() + timedelta(days=1)
    with pytest.raises(ValidationError) as error:
        services.invoice_issue(invoice=draft, issue_date=tomorrow)
    assert "future" in str(error.value)
    draft.refresh_from_db()
    assert draft.status == "draft" and draft.number is None


def test_a_rejected_file_is_resent_with_a_new_name_keeping_number_and_date(dmc, agency):
    invoice = services.invoice_issue_from_specs(customer=agency, lines=[service_line()])
    first_name, number, day = invoice.xml_filename, invoice.number, invoice.issue_date
    services.invoice_sdi_status_set(invoice=invoice, status="sent")
    services.invoice_sdi_status_set(invoice=invoice, status="rejected", reason="00404 duplicato")
    with pytest.raises(ValidationError):  # no way back to "to send" under the same name
        services.invoice_sdi_status_set(invoice=invoice, status="to_send")
    resent = services.invoice_sdi_resend(invoice=invoice)
    assert resent.xml_filename != first_name and resent.xml_filename.endswith("_Z0001.xml")
    assert (resent.number, resent.issue_date, resent.sdi_status) == (number, day, "to_send")
    root = parsed_valid_xml(resent)
    assert root.findtext(".//ProgressivoInvio") == "Z0001"
    assert resent.sdi_transmissions == 2
    again = services.invoice_sdi_resend
    with pytest.raises(ValidationError):  # only a rejected file is re-sent
        again(invoice=resent)


def test_the_month_zip_holds_only_files_not_yet_sent_unless_asked(dmc, agency):
    sent = services.invoice_issue_from_specs(customer=agency, lines=[service_line()])
    services.invoice_sdi_status_set(invoice=sent, status="sent")
    pending = services.invoice_issue_from_specs(customer=agency, lines=[service_line()])
    day = pending.issue_date
    export = exports.fatturapa_export_month(year=day.year, month=day.month)
    assert zipfile.ZipFile(io.BytesIO(export.content)).namelist() == [pending.xml_filename]
    everything = exports.fatturapa_export_month(year=day.year, month=day.month, include_sent=True)
    assert len(everything.files) == 2


def test_rea_and_share_capital_on_company_documents(dmc, agency):
    settings = FiscalSettings.current()
    settings.rea_office, settings.rea_number = "LU", "123456"
    settings.share_capital = Decimal("10000.00")
    settings.save()
    invoice = services.invoice_issue_from_specs(customer=agency, lines=[service_line()])
    rea = parsed_valid_xml(invoice).find(".//CedentePrestatore/IscrizioneREA")
    assert (rea.findtext("Ufficio"), rea.findtext("NumeroREA")) == ("LU", "123456")
    assert rea.findtext("CapitaleSociale") == "10000.00"
    assert rea.findtext("StatoLiquidazione") == "LN"
    text = " ".join(pdf_text(invoice_pdf(invoice)).split())
    assert "REA LU-123456" in text and "10.000,00" in text
