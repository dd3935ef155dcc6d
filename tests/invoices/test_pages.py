"""Finance back office, trade partners' invoices, operator statements: pages and access."""

import io
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from pypdf import PdfReader

from accounts.models import Role
from accounts.services import DmcGroup, dmc_groups_ensure
from invoices import services
from invoices.models import Invoice
from invoices.specs import PayoutSpec, StatementLineSpec
from tests.factories import MembershipFactory, OrganisationFactory

from .factories import package_line, service_line
from .helpers import parsed_valid_xml

pytestmark = pytest.mark.django_db


@pytest.fixture
def finance_client(client, dmc):
    user = MembershipFactory(organisation=dmc, role=Role.STAFF).user
    user.groups.add(dmc_groups_ensure()[DmcGroup.FINANCE])
    client.force_login(user)
    return client


@pytest.fixture
def issued(dmc, agency):
    return services.invoice_issue_from_specs(
        customer=agency, lines=[package_line()], booking_reference="PDL-7K3M"
    )


def test_finance_lists_searches_and_downloads(finance_client, issued, german):
    other = services.invoice_issue_from_specs(customer=german, lines=[service_line()])
    url = reverse("invoices:backoffice_list")
    response = finance_client.get(url, {"q": "7K3M"})
    assert response.status_code == 200
    assert list(response.context["invoices"]) == [issued]
    response = finance_client.get(url)
    assert {i.pk for i in response.context["invoices"]} == {issued.pk, other.pk}
    pdf = finance_client.get(reverse("invoices:backoffice_pdf", args=[issued.pk]))
    assert pdf["Content-Type"] == "application/pdf"
    xml = finance_client.get(reverse("invoices:backoffice_xml", args=[issued.pk]))
    assert xml.content.decode() == issued.xml_content
    detail = finance_client.get(reverse("invoices:backoffice_detail", args=[issued.pk]))
    assert detail.status_code == 200 and issued.number in detail.content.decode()


def test_finance_issues_a_credit_note_and_sets_the_sdi_status(finance_client, issued):
    response = finance_client.post(
        reverse("invoices:backoffice_credit_note", args=[issued.pk]),
        {"reason": "Gruppo cancellato", "full": "on"},
    )
    note = Invoice.objects.get(original=issued)
    assert response.url == reverse("invoices:backoffice_detail", args=[note.pk])
    parsed_valid_xml(note)
    response = finance_client.post(
        reverse("invoices:backoffice_sdi_status", args=[issued.pk]), {"status": "rejected"}
    )
    issued.refresh_from_db()
    assert issued.sdi_status == "to_send"  # a rejection needs the SdI's reason
    finance_client.post(
        reverse("invoices:backoffice_sdi_status", args=[issued.pk]),
        {"status": "rejected", "reason": "00305 IdCodice non valido"},
    )
    issued.refresh_from_db()
    assert issued.sdi_status == "rejected" and "00305" in issued.sdi_status_reason


def test_a_partial_credit_beyond_the_invoice_is_refused_with_a_message(finance_client, issued):
    response = finance_client.post(
        reverse("invoices:backoffice_credit_note", args=[issued.pk]),
        {"reason": "Rimborso", "amount": "9999.00"},
        follow=True,
    )
    assert "exceeds" in response.content.decode()
    assert not Invoice.objects.filter(original=issued).exists()


def test_issuing_a_draft_for_a_customer_without_fiscal_data_says_what_is_missing(
    finance_client, dmc
):
    customer = OrganisationFactory(kind="trade", subkind="travel_agency", comune=None)
    draft = services.invoice_draft_create(customer=customer, lines=[service_line()])
    response = finance_client.post(
        reverse("invoices:backoffice_issue", args=[draft.pk]), follow=True
    )
    page = response.content.decode()
    assert "Partita IVA" in page and "PEC" in page
    draft.refresh_from_db()
    assert draft.number is None


def test_exports_from_the_back_office(finance_client, dmc, agency):
    services.invoice_issue_from_specs(
        customer=agency, lines=[service_line()], issue_date=date(2026, 2, 3)
    )
    zipped = finance_client.get(reverse("invoices:backoffice_export_zip"), {"month": "2026-02"})
    assert zipped["Content-Type"] == "application/zip"
    csv = finance_client.get(
        reverse("invoices:backoffice_export_csv"),
        {"date_from": "2026-02-01", "date_to": "2026-02-28"},
    )
    assert "TR-2026-00001" in csv.content.decode()


def test_the_back_office_is_closed_to_dmc_staff_outside_finance(client, dmc, issued):
    user = MembershipFactory(organisation=dmc, role=Role.STAFF).user
    user.groups.add(dmc_groups_ensure()[DmcGroup.PRODUCT_MANAGER])
    client.force_login(user)
    assert client.get(reverse("invoices:backoffice_list")).status_code == 404
    assert client.get(reverse("invoices:backoffice_pdf", args=[issued.pk])).status_code == 404


def test_a_trade_partner_sees_and_downloads_only_its_own_documents(client, issued, german):
    foreign = services.invoice_issue_from_specs(customer=german, lines=[service_line()])
    user = MembershipFactory(organisation=issued.customer_organisation).user
    client.force_login(user)
    response = client.get(reverse("invoices:trade_list"))
    assert list(response.context["invoices"]) == [issued]
    pdf = client.get(reverse("invoices:trade_pdf", args=[issued.pk]))
    text = PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text()
    assert issued.number in text
    assert client.get(reverse("invoices:trade_xml", args=[issued.pk])).status_code == 200
    assert client.get(reverse("invoices:trade_pdf", args=[foreign.pk])).status_code == 404
    assert client.get(reverse("invoices:trade_xml", args=[foreign.pk])).status_code == 404


def test_operator_statement_with_commission_invoice(client, dmc):
    operator = OrganisationFactory(
        name="Guide Lucca",
        kind="operator",
        subkind="guide",
        legal_name="Guide Lucca Srl",
        partita_iva=dmc.partita_iva[:-4] + "0000",
        address="Piazza San Michele 8",
        postcode="55100",
        sdi_code="ABCDEF1",
    )
    from accounts.demo import partita_iva

    operator.partita_iva = partita_iva(4242)
    operator.save()
    statement = services.operator_statement_build(
        operator=operator,
        year=2026,
        month=5,
        lines=[
            StatementLineSpec(
                "PDL-AAAA",
                date(2026, 5, 3),
                "Tour delle mura",
                Decimal("200.00"),
                Decimal("40.00"),
                Decimal("160.00"),
                sales_model="agency",
            ),
            StatementLineSpec(
                "PDL-BBBB",
                date(2026, 5, 9),
                "Tour serale",
                Decimal("90.00"),
                Decimal("18.00"),
                Decimal("72.00"),
                sales_model="agency",
            ),
        ],
        payouts=[PayoutSpec(date(2026, 5, 15), "tr_123", Decimal("160.00"))],
        invoice_commission=True,
    )
    assert (statement.gross_total, statement.commission_total, statement.net_total) == (
        Decimal("290.00"),
        Decimal("58.00"),
        Decimal("232.00"),
    )
    assert statement.balance == Decimal("72.00")
    invoice = statement.commission_invoice
    assert invoice.total == Decimal("70.76")
    parsed_valid_xml(invoice)
    user = MembershipFactory(organisation=operator).user
    client.force_login(user)
    listing = client.get(reverse("invoices:operator_statements"))
    assert list(listing.context["statements"]) == [statement]
    csv = client.get(reverse("invoices:operator_statement_csv", args=[statement.pk]))
    assert "PDL-AAAA" in csv.content.decode() and "72.00" in csv.content.decode()
    pdf = client.get(reverse("invoices:operator_statement_pdf", args=[statement.pk]))
    text = PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text()
    assert "Estratto conto" in text and "232,00" in text
    other = OrganisationFactory(kind="operator", subkind="guide")
    client.force_login(MembershipFactory(organisation=other).user)
    assert (
        client.get(reverse("invoices:operator_statement_pdf", args=[statement.pk])).status_code
        == 404
    )


def test_a_statement_whose_lines_do_not_add_up_is_refused(dmc, operator_org):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.operator_statement_build(
            operator=operator_org,
            year=2026,
            month=5,
            lines=[
                StatementLineSpec(
                    "X", date(2026, 5, 3), "p", Decimal("10"), Decimal("2"), Decimal("7")
                )
            ],
        )


def test_the_operator_downloads_its_commission_invoice(client, dmc):
    from accounts.demo import partita_iva

    operator = OrganisationFactory(
        kind="operator",
        subkind="guide",
        legal_name="Guide Srl",
        partita_iva=partita_iva(77),
        address="Via Roma 1",
        postcode="55100",
        sdi_code="ABCDEF1",
    )
    statement = services.operator_statement_build(
        operator=operator,
        year=2026,
        month=6,
        lines=[
            StatementLineSpec(
                "PDL-C1",
                date(2026, 6, 2),
                "Tour",
                Decimal("100.00"),
                Decimal("20.00"),
                Decimal("80.00"),
                sales_model="agency",
            )
        ],
        invoice_commission=True,
    )
    client.force_login(MembershipFactory(organisation=operator).user)
    response = client.get(reverse("invoices:operator_statement_invoice", args=[statement.pk]))
    text = PdfReader(io.BytesIO(response.content)).pages[0].extract_text()
    assert statement.commission_invoice.number in text and "24,40" in text


def test_the_admin_shows_documents_read_only(admin_client, issued):
    assert admin_client.get("/admin/invoices/invoice/").status_code == 200
    response = admin_client.get(f"/admin/invoices/invoice/{issued.pk}/change/")
    assert response.status_code == 200 and issued.number in response.content.decode()
    response = admin_client.post(f"/admin/invoices/invoice/{issued.pk}/delete/", {"post": "yes"})
    assert response.status_code == 403
