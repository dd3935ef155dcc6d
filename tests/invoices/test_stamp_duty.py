"""Stamp duty (imposta di bollo): EUR 2.00 on documents whose amounts without VAT (N1-N4)
exceed EUR 77.47: DatiBollo in the XML, the statement on the PDF, charged to the customer per
the DMC's setting, and a quarterly summary of what is due."""

from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.models import Role
from accounts.services import DmcGroup, dmc_groups_ensure
from invoices import services
from invoices.models import FiscalSettings
from invoices.pdf import invoice_pdf
from invoices.selectors import stamp_duty_for_quarter
from invoices.specs import InvoiceLineSpec
from tests.factories import MembershipFactory

from .factories import package_line, service_line
from .helpers import parsed_valid_xml
from .test_pdf import pdf_text

pytestmark = pytest.mark.django_db


def not_subject(amount):
    return InvoiceLineSpec(
        description="Servizio a committente estero",
        quantity=Decimal("1"),
        unit_price=Decimal(amount),
        natura="N2.2",
    )


def test_document_above_the_threshold_carries_stamp_duty(dmc, agency):
    invoice = services.invoice_issue_from_specs(
        customer=agency, lines=[not_subject("77.48"), service_line()]
    )
    assert invoice.stamp_duty == Decimal("2.00") and not invoice.stamp_duty_charged
    root = parsed_valid_xml(invoice)
    assert root.findtext(".//DatiBollo/BolloVirtuale") == "SI"
    assert root.findtext(".//DatiBollo/ImportoBollo") == "2.00"
    text = " ".join(pdf_text(invoice_pdf(invoice)).split())
    assert "Imposta di bollo" in text and "a carico del fornitore" in text


def test_no_stamp_duty_at_the_threshold_nor_on_margin_or_vat_lines(dmc, agency):
    at_threshold = services.invoice_issue_from_specs(customer=agency, lines=[not_subject("77.47")])
    margin = services.invoice_issue_from_specs(customer=agency, lines=[package_line()])
    vat = services.invoice_issue_from_specs(customer=agency, lines=[service_line(price="500.00")])
    for invoice in (at_threshold, margin, vat):
        assert invoice.stamp_duty == 0
        assert parsed_valid_xml(invoice).find(".//DatiBollo") is None


def test_stamp_duty_charged_to_the_customer_when_the_dmc_says_so(dmc, agency):
    settings = FiscalSettings.current()
    settings.stamp_duty_charged_to_customer = True
    settings.save()
    invoice = services.invoice_issue_from_specs(customer=agency, lines=[not_subject("100.00")])
    assert invoice.stamp_duty_charged and invoice.total == Decimal("102.00")
    stamp = invoice.lines.get(kind="stamp_duty")
    assert (stamp.amount, stamp.natura) == (Decimal("2.00"), "N1")
    parsed_valid_xml(invoice)
    assert "addebitata al cliente" in " ".join(pdf_text(invoice_pdf(invoice)).split())


def test_quarterly_summary_of_stamp_duty_due(dmc, agency, client):
    first = services.invoice_issue_from_specs(customer=agency, lines=[not_subject("90.00")])
    services.invoice_issue_from_specs(customer=agency, lines=[service_line()])
    second = services.invoice_issue_from_specs(customer=agency, lines=[not_subject("300.00")])
    quarter = (first.issue_date.month - 1) // 3 + 1
    summary = stamp_duty_for_quarter(first.issue_date.year, quarter)
    assert summary.documents == [first, second] and summary.total == Decimal("4.00")

    user = MembershipFactory(organisation=dmc, role=Role.STAFF).user
    client.force_login(user)
    url = reverse("invoices:backoffice_stamp_duty")
    assert client.get(url).status_code == 404  # finance only
    user.groups.add(dmc_groups_ensure()[DmcGroup.FINANCE])
    page = client.get(url, {"year": first.issue_date.year, "quarter": quarter})
    assert first.number in page.content.decode() and "4.00" in page.content.decode()
