"""The PDF carries number, date, totals and the legal wording (text extracted with pypdf)."""

import io

import pytest
from pypdf import PdfReader

from invoices import services
from invoices.pdf import invoice_pdf

from .factories import package_line, service_line, tourist_tax_line

pytestmark = pytest.mark.django_db


def pdf_text(data: bytes) -> str:
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_margin_invoice_pdf_carries_number_date_totals_and_legal_wording(dmc, agency):
    invoice = services.invoice_issue_from_specs(
        customer=agency, lines=[package_line(), tourist_tax_line()], booking_reference="PDL-7K3M"
    )
    text = pdf_text(invoice_pdf(invoice))
    assert invoice.number in text
    assert invoice.issue_date.strftime("%d/%m/%Y") in text
    assert "2.521,00" in text
    assert "Regime del margine" in text and "74-ter" in text
    assert "DA PAGARE" in text
    assert dmc.iban in text
    assert agency.partita_iva in text


def test_english_customer_gets_both_languages_and_a_paid_stamp(dmc, german):
    invoice = services.invoice_issue_from_specs(
        customer=german, lines=[service_line("85.00", qty="12")]
    )
    services.invoice_mark_paid(invoice=invoice)
    invoice.refresh_from_db()
    text = pdf_text(invoice_pdf(invoice))
    assert "Fattura" in text and "Invoice" in text
    assert "PAGATA" in text and "PAID" in text
    assert "1.244,40" in text
    assert "XML" in text


def test_credit_note_pdf_names_the_credited_invoice(dmc, agency):
    invoice = services.invoice_issue_from_specs(customer=agency, lines=[service_line()])
    note = services.credit_note_issue(invoice=invoice, full=True, reason="Cancellazione")
    text = pdf_text(invoice_pdf(note))
    assert "Nota di credito" in text
    assert invoice.number in text and note.number in text
    assert "Cancellazione" in text
