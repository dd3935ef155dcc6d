"""Issuing from plain data: fiscal checks, regimes, totals, credit notes."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from invoices import services
from invoices.fiscal import organisation_invoicing_problems
from invoices.models import Invoice
from invoices.specs import InvoiceLineSpec, compute_totals

from .factories import (
    german_tour_operator,
    italian_agency,
    package_line,
    service_line,
    tourist_tax_line,
)

pytestmark = pytest.mark.django_db


def test_issuing_for_a_customer_without_fiscal_data_says_what_is_missing(dmc):
    customer = italian_agency(name="Agenzia Incompleta", partita_iva="", sdi_code="", postcode="")
    draft = services.invoice_draft_create(customer=customer, lines=[service_line()])
    with pytest.raises(ValidationError) as exc:
        services.invoice_issue(invoice=draft)
    errors = exc.value.message_dict
    assert set(errors) == {"partita_iva", "sdi_code", "postcode"}
    assert "Partita IVA" in errors["partita_iva"][0]
    assert "PEC" in errors["sdi_code"][0]
    draft.refresh_from_db()
    assert draft.number is None


def test_a_foreign_business_needs_a_valid_vat_number_of_its_country(dmc):
    bad = german_tour_operator(name="Falsch", vat_number="DE123")
    assert "vat_number" in organisation_invoicing_problems(bad)
    french_number = german_tour_operator(name="Wrong country", vat_number="FR40303265045")
    assert "country" in organisation_invoicing_problems(french_number)["vat_number"]
    assert organisation_invoicing_problems(german_tour_operator(name="Gut")) == {}


def test_the_dmc_fiscal_data_is_checked_too(agency):
    draft = services.invoice_draft_create(customer=agency, lines=[service_line()])
    with pytest.raises(ValidationError) as exc:
        services.invoice_issue(invoice=draft)
    assert "supplier" in exc.value.message_dict


def test_margin_packages_and_vat_services_cannot_share_a_document(dmc, agency):
    with pytest.raises(ValidationError) as exc:
        services.invoice_draft_create(customer=agency, lines=[package_line(), service_line()])
    assert "separate invoices" in exc.value.message_dict["lines"][0]
    assert not Invoice.objects.exists()


def test_a_mixed_booking_is_split_into_one_document_per_regime(dmc, agency):
    documents = services.invoices_issue_split_by_regime(
        customer=agency,
        lines=[package_line(), service_line(), tourist_tax_line()],
        expected_total=Decimal("2643.00"),
    )
    assert sorted(d.regime_fiscale for d in documents) == ["RF01", "RF11"]
    assert sum(d.total for d in documents) == Decimal("2643.00")
    ordinary = next(d for d in documents if d.regime_fiscale == "RF01")
    assert [line.kind for line in ordinary.lines.all()] == ["service", "tourist_tax"]


def test_an_amount_that_does_not_add_up_to_the_booking_is_refused(dmc, agency):
    with pytest.raises(ValidationError) as exc:
        services.invoice_issue_from_specs(
            customer=agency, lines=[service_line()], expected_total=Decimal("120.00")
        )
    assert "122.00" in exc.value.message_dict["lines"][0]
    assert not Invoice.objects.exists()


def test_vat_is_computed_per_rate_on_the_summed_lines_exact_to_the_cent():
    lines = [
        InvoiceLineSpec("a", Decimal("3"), Decimal("0.33"), vat_rate=Decimal("22")),
        InvoiceLineSpec("b", Decimal("1"), Decimal("0.33"), vat_rate=Decimal("22")),
        InvoiceLineSpec("c", Decimal("1"), Decimal("45.45"), vat_rate=Decimal("10")),
        InvoiceLineSpec("d", Decimal("2"), Decimal("3.50"), kind="tourist_tax", natura="N1"),
    ]
    totals = compute_totals(lines)
    assert totals.taxable_total == Decimal("46.77")
    assert [(r.vat_rate, r.vat) for r in totals.summary if r.vat_rate] == [
        (Decimal("22.00"), Decimal("0.29")),
        (Decimal("10.00"), Decimal("4.55")),
    ]
    assert totals.total == Decimal("46.77") + Decimal("4.84") + Decimal("7.00")


@pytest.mark.parametrize(
    "line, message",
    [
        (InvoiceLineSpec("x", Decimal("1"), Decimal("10")), "VAT rate or a Natura"),
        (InvoiceLineSpec("x", Decimal("1"), Decimal("10"), vat_rate=Decimal("21")), "not an"),
        (InvoiceLineSpec("x", Decimal("0"), Decimal("10"), vat_rate=Decimal("22")), "quantity"),
        (InvoiceLineSpec("x", Decimal("1"), Decimal("10.001"), vat_rate=22), "two decimals"),
        (
            InvoiceLineSpec(
                "x", Decimal("1"), Decimal("10"), vat_rate=Decimal("22"), kind="package_margin"
            ),
            "margin",
        ),
    ],
)
def test_bad_lines_are_refused_with_a_reason(dmc, agency, line, message):
    with pytest.raises(ValidationError) as exc:
        services.invoice_draft_create(customer=agency, lines=[line])
    assert message in exc.value.message_dict["lines"][0]


def test_partial_credit_notes_cannot_exceed_the_invoice(dmc, agency):
    invoice = services.invoice_issue_from_specs(customer=agency, lines=[service_line("500.00")])
    first = services.credit_note_issue(
        invoice=invoice, lines=[service_line("300.00")], reason="Riduzione gruppo"
    )
    assert first.total == Decimal("366.00")
    with pytest.raises(ValidationError) as exc:
        services.credit_note_issue(invoice=invoice, lines=[service_line("300.00")], reason="Ancora")
    assert "exceeds" in exc.value.message_dict["lines"][0]
    with pytest.raises(ValidationError):
        services.credit_note_issue(invoice=invoice, full=True, reason="")
    with pytest.raises(ValidationError):
        services.credit_note_issue(invoice=first, full=True, reason="credit a credit note")


def test_a_credit_note_keeps_the_regime_of_the_invoice(dmc, agency):
    invoice = services.invoice_issue_from_specs(customer=agency, lines=[package_line()])
    with pytest.raises(ValidationError):
        services.credit_note_issue(invoice=invoice, lines=[service_line()], reason="x")
    note = services.credit_note_issue(
        invoice=invoice, lines=[package_line(price="1000.00", qty="1")], reason="Penale trattenuta"
    )
    assert note.regime_fiscale == "RF11" and note.total == Decimal("1000.00")


def test_the_customer_snapshot_does_not_follow_later_profile_changes(dmc, agency):
    invoice = services.invoice_issue_from_specs(customer=agency, lines=[service_line()])
    agency.legal_name = "Nuovo Nome Srl"
    agency.save()
    invoice.refresh_from_db()
    assert invoice.customer_name == "Viaggi del Giglio Srl"
    assert invoice.supplier["partita_iva"] == dmc.partita_iva
