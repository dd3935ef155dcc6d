"""One sales model per sale: a property of the operator's contract frozen on each booking
line; the documents follow it (resale: the DMC's document, no commission invoice; agency:
sums collected on the operator's behalf, and only the commission is invoiced)."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from invoices import adapters
from invoices.models import FiscalTreatment
from operators.models import OperatorContract

from .adapter_helpers import confirmed, documents_of, experience
from .factories import italian_agency
from .helpers import parsed_valid_xml

pytestmark = pytest.mark.django_db


def _operator(name, sales_model):
    operator = italian_agency(name=name, kind="operator", subkind="guide")
    OperatorContract.objects.create(organisation=operator, sales_model=sales_model)
    return operator


def test_resale_line_gets_the_dmc_document_and_no_commission_invoice(
    dmc, django_capture_on_commit_callbacks
):
    guide = _operator("Guide Rivendita", "resale")
    walk = experience(adults=2, adult="40.00", net="30.00", organisation=guide)
    booking = confirmed(django_capture_on_commit_callbacks, lines=[walk])
    line = booking.lines.get()
    assert line.sales_model == "resale"
    [document] = documents_of(booking)
    assert document.total == Decimal("80.00") and document.vat_total > 0
    assert {ln.sales_model for ln in document.lines.all()} == {"resale"}

    statement = adapters.statement_for_operator(
        operator=guide, year=walk.day.year, month=walk.day.month, invoice_commission=True
    )
    # Before: a 22% commission invoice on a sale already invoiced in full to the customer.
    assert statement.commission_invoice is None
    assert statement.lines.get().sales_model == "resale"


def test_agency_line_is_collected_on_behalf_and_only_the_commission_is_invoiced(
    dmc, agency, django_capture_on_commit_callbacks
):
    guide = _operator("Guide Mandato", "agency")
    walk = experience(adults=2, adult="40.00", net="30.00", organisation=guide)
    booking = confirmed(django_capture_on_commit_callbacks, lines=[walk], buyer=agency)
    # The model is frozen: a later change of contract does not touch the sale.
    OperatorContract.objects.filter(organisation=guide).update(sales_model="resale")
    assert booking.lines.get().sales_model == "agency"

    [document] = documents_of(booking)
    [line] = document.lines.all()
    assert (line.kind, line.natura, line.vat_rate) == ("on_behalf", "N1", None)
    assert "Guide Mandato" in line.description and line.sales_model == "agency"
    assert document.total == booking.total_retail and document.vat_total == 0
    root = parsed_valid_xml(document)
    assert "art. 15" in root.findtext(".//DatiRiepilogo/RiferimentoNormativo")

    statement = adapters.statement_for_operator(
        operator=guide, year=walk.day.year, month=walk.day.month, invoice_commission=True
    )
    commission = statement.commission_invoice
    assert commission is not None and commission.customer_organisation == guide
    assert commission.taxable_total == Decimal("20.00")
    assert commission.vat_total == Decimal("4.40")
    assert statement.lines.get().sales_model == "agency"


def test_uncertain_treatment_is_data_the_dmc_changes(dmc, django_capture_on_commit_callbacks):
    """Single experiences resold: ordinary VAT by default; staff may switch the row to the
    margin regime, and the next document follows without a code change."""
    guide = _operator("Guide Dati", "resale")
    row = FiscalTreatment.objects.get(
        sales_model="resale", product_kind="experience", customer_kind="", customer_area=""
    )
    assert row.uncertain and row.treatment == "vat"
    row.treatment = "margin"
    row.save()
    booking = confirmed(
        django_capture_on_commit_callbacks,
        lines=[experience(adults=1, adult="50.00", organisation=guide)],
    )
    [document] = documents_of(booking)
    assert document.regime_fiscale == "RF11" and document.lines.get().natura == "N5"


def test_duplicated_treatment_is_refused_with_a_clear_message(dmc):
    duplicate = FiscalTreatment(
        sales_model="resale",
        product_kind="package",
        treatment="margin",
        legal_reference="x",
    )
    with pytest.raises(ValidationError) as error:
        duplicate.full_clean()
    assert "already exists" in str(error.value)
    assert FiscalTreatment.objects.filter(product_kind="package").count() == 1


def test_booking_line_and_invoice_pages_show_the_sales_model(
    dmc, client, django_capture_on_commit_callbacks
):
    from accounts.models import Role
    from accounts.services import DmcGroup, dmc_groups_ensure
    from tests.factories import MembershipFactory

    guide = _operator("Guide Pagina", "agency")
    booking = confirmed(
        django_capture_on_commit_callbacks,
        lines=[experience(adults=1, adult="50.00", organisation=guide)],
    )
    user = MembershipFactory(organisation=dmc, role=Role.STAFF).user
    user.groups.add(dmc_groups_ensure()[DmcGroup.FINANCE])
    client.force_login(user)
    [document] = documents_of(booking)
    page = client.get(reverse("invoices:backoffice_detail", args=[document.pk]))
    assert 'data-sales-model="agency"' in page.content.decode()
