"""Documents from bookings: invoices, receipts, the margin/VAT split, monthly summaries,
credit notes for cancellations, failures recorded for finance, operator statements."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from bookings.models import TouristTaxRule
from invoices import adapters
from invoices.models import (
    BookingInvoicing,
    BookingInvoicingStatus,
    CancellationCredit,
    CreditOutcome,
    Invoice,
    LineKind,
    MonthlySummary,
)
from invoices.selectors import month_bounds
from invoices.specs import GrossItem, InvoiceLineSpec, compute_totals, vat_included_lines
from operators.models import OperatorContract
from tests.operators.factories import bookable_stay

from .adapter_helpers import (
    cancel,
    confirmed,
    documents_of,
    experience,
    net_invoiced,
    on_account,
    on_day,
    package,
)
from .helpers import parsed_valid_xml, text

pytestmark = pytest.mark.django_db
NS = "{http://ivaservizi.agenziaentrate.gov.it/docs/xsd/fatture/v1.2}"


def next_month_start() -> date:
    return month_bounds(timezone.localdate().year, timezone.localdate().month)[1]


def test_vat_included_lines_total_the_gross_where_rounding_per_rate_would_not():
    gross = Decimal("60.03")  # 3 x 20.01: taxable 49.20 + 22% VAT 10.82 = 60.02
    naive = InvoiceLineSpec(
        description="x", quantity=Decimal("1"), unit_price=Decimal("49.20"), vat_rate=22
    )
    assert compute_totals([naive]).total == Decimal("60.02")
    assert compute_totals(vat_included_lines([GrossItem("x", gross, Decimal("22"))])).total == (
        gross
    )
    lines = vat_included_lines(
        [GrossItem("a", gross, Decimal("22")), GrossItem("b", Decimal("19.99"), Decimal("22"))]
        + [GrossItem("c", Decimal("101.01"), Decimal("10"))]
    )
    totals = compute_totals(lines)
    assert totals.total == Decimal("181.03")
    for row in totals.summary:  # within the SdI's one-cent tolerance
        assert abs(row.vat - row.taxable * row.vat_rate / 100) <= Decimal("0.01")


def test_a_trade_partner_gets_one_invoice_per_booking_with_valid_xml(
    dmc, agency, django_capture_on_commit_callbacks
):
    booking = confirmed(
        django_capture_on_commit_callbacks,
        lines=[experience(adults=3, adult="20.01"), experience(adults=2, adult="45.50")],
        buyer=agency,
        buyer_reference="GIGLIO-7",
    )
    [invoice] = documents_of(booking)
    assert invoice.series.code == "TR" and invoice.customer_organisation == agency
    assert invoice.booking_reference == booking.reference
    assert invoice.total == booking.total_retail == Decimal("151.03")
    assert invoice.regime_fiscale == "RF01" and invoice.payment_method == "MP05"
    assert "GIGLIO-7" in invoice.notes
    tree = parsed_valid_xml(invoice)
    assert text(tree, ".//CodiceDestinatario") == agency.sdi_code
    assert text(tree, ".//ImportoTotaleDocumento") == "151.03"
    record = BookingInvoicing.objects.get(booking=booking)
    assert record.status == BookingInvoicingStatus.INVOICED
    # idempotent: the task again, the adapter again
    assert adapters.invoice_for_booking(booking=booking) == [invoice]
    from invoices.tasks import invoice_booking

    assert invoice_booking(booking.pk) == [invoice.number]
    assert Invoice.objects.count() == 1


def test_a_foreign_partner_gets_xxxxxxx_and_its_vat_number(
    dmc, german, django_capture_on_commit_callbacks
):
    booking = confirmed(django_capture_on_commit_callbacks, lines=[experience()], buyer=german)
    [invoice] = documents_of(booking)
    tree = parsed_valid_xml(invoice)
    assert text(tree, ".//CodiceDestinatario") == "XXXXXXX"
    assert text(tree, ".//CessionarioCommittente//IdPaese") == "DE"
    assert invoice.language == "en"


def test_a_traveller_gets_a_receipt_in_the_language_of_the_booking(
    dmc, django_capture_on_commit_callbacks
):
    booking = confirmed(
        django_capture_on_commit_callbacks, lines=[experience(adults=2)], language="en"
    )
    [receipt] = documents_of(booking)
    assert receipt.series.code == "RC" and receipt.customer_kind == "consumer"
    assert receipt.language == "en" and receipt.customer_name == "Anna Rossi"
    assert receipt.payment_method == "MP08"
    assert receipt.xml_content == ""  # consumers get a PDF only
    assert receipt.total == booking.total_retail == Decimal("60.00")


def test_a_package_and_a_service_give_a_margin_invoice_and_a_vat_invoice(
    dmc,
    agency,
    trip,
    day,
    django_capture_on_commit_callbacks,
):
    booking = confirmed(
        django_capture_on_commit_callbacks,
        lines=[experience(adults=2)],
        packages=[package(trip, day)],
        buyer=agency,
    )
    documents = documents_of(booking)
    by_regime = {d.regime_fiscale: d for d in documents}
    assert set(by_regime) == {"RF01", "RF11"}
    margin = by_regime["RF11"]
    [margin_line] = margin.lines.all()
    assert margin_line.kind == LineKind.PACKAGE_MARGIN and margin_line.natura == "N5"
    assert margin.total == Decimal("300.00") and margin.vat_total == 0
    tree = parsed_valid_xml(margin)
    assert text(tree, ".//RegimeFiscale") == "RF11"
    assert "74-ter" in text(tree, ".//Causale")
    assert by_regime["RF01"].total == Decimal("60.00")
    parsed_valid_xml(by_regime["RF01"])
    assert sum(d.total for d in documents) == booking.total_retail


def test_the_tourist_tax_paid_on_site_is_not_invoiced(dmc, django_capture_on_commit_callbacks):
    hotel, room, start = bookable_stay(price="95.00", net="80.00")
    TouristTaxRule.objects.create(
        comune=hotel.comune, rate_per_night=Decimal("3.50"), valid_from=date(2025, 1, 1)
    )
    from bookings.services import LineRequest
    from operators.pricing import PaxMix

    stay = LineRequest(
        product=hotel,
        day=start,
        unit_type=room,
        check_out=start + timedelta(days=2),
        units=1,
        pax=PaxMix.of(adults=2),
    )
    booking = confirmed(django_capture_on_commit_callbacks, lines=[stay])
    assert booking.tourist_tax == Decimal("14.00")
    [receipt] = documents_of(booking)
    assert receipt.total == booking.total_retail == Decimal("190.00")
    assert not receipt.lines.filter(kind=LineKind.TOURIST_TAX).exists()
    assert receipt.lines.get().vat_rate == Decimal("10.00")


def test_a_partial_cancellation_credits_the_price_minus_the_penalty(
    dmc, agency, django_capture_on_commit_callbacks
):
    booking = confirmed(
        django_capture_on_commit_callbacks,
        lines=[experience(adults=3, adult="20.01"), experience(adults=2, adult="45.50")],
        buyer=agency,
    )
    [invoice] = documents_of(booking)
    line = booking.lines.get(retail_amount=Decimal("60.03"))
    result = cancel(django_capture_on_commit_callbacks, booking, line_ids=[line.pk])
    assert result.penalty == Decimal("18.01")  # 30% ten days before
    [note] = invoice.credit_notes.all()
    assert note.total == Decimal("60.03") - Decimal("18.01")
    assert "penalty kept" in note.lines.get().description.lower() or "penale" in (
        note.lines.get().description.lower()
    )
    tree = parsed_valid_xml(note)
    assert text(tree, ".//TipoDocumento") == "TD04"
    assert text(tree, ".//DatiFattureCollegate/IdDocumento") == invoice.number
    booking.refresh_from_db()
    assert invoice.total - note.total == booking.total_retail
    credit = CancellationCredit.objects.get()
    assert credit.outcome == CreditOutcome.CREDITED and credit.amount == note.total
    # the same cancellation event again: nothing new
    again = adapters.credit_note_for_cancellation(booking=booking, result=result)
    assert again == [note]
    assert adapters.credit_note_for_cancellation(booking=booking) == []  # reconciled
    assert Invoice.objects.filter(document_type="TD04").count() == 1


def test_a_full_free_cancellation_credits_the_whole_invoice(
    dmc,
    german,
    trip,
    day,
    django_capture_on_commit_callbacks,
):
    booking = confirmed(
        django_capture_on_commit_callbacks,
        lines=[experience(adults=2)],
        packages=[package(trip, day)],
        buyer=german,
    )
    cancel(django_capture_on_commit_callbacks, booking, waive_penalty=True)
    assert booking.status == "cancelled" and booking.total_retail == 0
    documents = documents_of(booking)
    assert len(documents) == 2
    for document in documents:
        [note] = document.credit_notes.all()
        assert note.total == document.total
        assert note.lines.count() == document.lines.count()
        parsed_valid_xml(note)
    assert net_invoiced(documents) == 0


def test_an_invoice_issued_after_a_cancellation_shows_the_penalty_and_needs_no_credit(
    dmc, django_capture_on_commit_callbacks
):
    from .factories import italian_agency

    agency = italian_agency(name="Agenzia Ritardataria", sdi_code="", pec="")
    booking = confirmed(
        django_capture_on_commit_callbacks,
        lines=[experience(adults=2), experience(adults=1)],
        buyer=agency,
    )
    assert BookingInvoicing.objects.get(booking=booking).status == "failed"
    first = booking.lines.order_by("pk").first()
    cancel(django_capture_on_commit_callbacks, booking, line_ids=[first.pk])
    assert not CancellationCredit.objects.exists()  # nothing invoiced yet, nothing to credit
    agency.sdi_code = "ABC1234"
    agency.save()
    [invoice] = adapters.invoice_for_booking(booking=booking)
    assert invoice.total == booking.total_retail == Decimal("48.00")  # 30 + 30% of 60
    assert "penal" in invoice.lines.order_by("position").first().description.lower()
    assert adapters.credit_note_for_cancellation(booking=booking) == []
    assert not invoice.credit_notes.exists()


def test_fiscal_data_problems_are_recorded_not_raised(dmc, django_capture_on_commit_callbacks):
    from .factories import italian_agency

    agency = italian_agency(name="Agenzia Senza Codice", sdi_code="", pec="")
    booking = confirmed(django_capture_on_commit_callbacks, lines=[experience()], buyer=agency)
    assert booking.status == "confirmed"
    record = BookingInvoicing.objects.get(booking=booking)
    assert record.status == BookingInvoicingStatus.FAILED
    assert "sdi_code" in record.problems and record.attempts == 1
    assert not Invoice.objects.exists()
    with pytest.raises(ValidationError):
        adapters.invoice_for_booking(booking=booking)
    agency.pec = "agenzia@pec.example.it"
    agency.save()
    documents, problems = adapters.invoice_booking_or_record_failure(booking=booking)
    assert problems == {} and len(documents) == 1
    record.refresh_from_db()
    assert record.status == BookingInvoicingStatus.INVOICED and record.problems == {}
    assert text(parsed_valid_xml(documents[0]), ".//CodiceDestinatario") == "0000000"


def test_a_failing_credit_note_is_recorded_and_can_be_retried(
    dmc, agency, django_capture_on_commit_callbacks
):
    booking = confirmed(
        django_capture_on_commit_callbacks, lines=[experience(), experience()], buyer=agency
    )
    iban = dmc.iban
    dmc.iban = ""
    dmc.save()  # the DMC cannot issue anything now
    line = booking.lines.order_by("pk").first()
    cancel(django_capture_on_commit_callbacks, booking, line_ids=[line.pk])
    credit = CancellationCredit.objects.get()
    assert credit.outcome == CreditOutcome.FAILED and "supplier" in credit.problems
    record = BookingInvoicing.objects.get(booking=booking)
    assert adapters.pending_credit(record) == {line: Decimal("42.00")}
    dmc.iban = iban
    dmc.save()
    notes, problems = adapters.credit_cancellation_or_record_failure(
        booking=booking, line_ids=[line.pk]
    )
    assert problems == {} and notes[0].total == Decimal("42.00")
    credit.refresh_from_db()
    assert credit.outcome == CreditOutcome.CREDITED
    record.refresh_from_db()
    assert adapters.pending_credit(record) == {}


def test_partners_on_account_get_a_monthly_summary_listing_each_booking(
    dmc,
    agency,
    trip,
    day,
    django_capture_on_commit_callbacks,
):
    on_account(agency)
    first = confirmed(
        django_capture_on_commit_callbacks,
        lines=[experience(adults=3, adult="20.01")],
        buyer=agency,
        buyer_reference="SC-1",
    )
    second = confirmed(
        django_capture_on_commit_callbacks,
        lines=[experience(adults=2)],
        packages=[package(trip, day)],
        buyer=agency,
    )
    assert not Invoice.objects.exists()
    assert set(BookingInvoicing.objects.values_list("status", flat=True)) == {"on_account"}
    today = timezone.localdate()
    with pytest.raises(ValidationError) as refused:
        adapters.monthly_summary_issue(partner=agency, year=today.year, month=today.month)
    assert "month" in refused.value.message_dict
    issue_day = next_month_start()
    with on_day(issue_day):
        documents = adapters.monthly_summary_issue(
            partner=agency, year=today.year, month=today.month, issue_date=issue_day
        )
    by_regime = {d.regime_fiscale: d for d in documents}
    assert set(by_regime) == {"RF01", "RF11"}
    vat_lines = list(by_regime["RF01"].lines.all())
    assert [ln.booking_reference for ln in vat_lines] == [first.reference, second.reference]
    assert first.reference in vat_lines[0].description and "SC-1" in vat_lines[0].description
    assert sum(d.total for d in documents) == first.total_retail + second.total_retail
    for document in documents:
        parsed_valid_xml(document)
        assert document.booking_reference == "" and document.issue_date == issue_day
    assert set(BookingInvoicing.objects.values_list("status", flat=True)) == {"invoiced"}
    with on_day(issue_day):
        again = adapters.monthly_summary_issue(
            partner=agency, year=today.year, month=today.month, issue_date=issue_day
        )
    assert again == documents and MonthlySummary.objects.count() == 1
    assert adapters.invoice_for_booking(booking=first) == documents


def test_a_cancellation_before_the_summary_lowers_the_summary(
    dmc, agency, django_capture_on_commit_callbacks
):
    on_account(agency)
    booking = confirmed(
        django_capture_on_commit_callbacks, lines=[experience(), experience()], buyer=agency
    )
    line = booking.lines.order_by("pk").first()
    cancel(django_capture_on_commit_callbacks, booking, line_ids=[line.pk])
    assert CancellationCredit.objects.get().outcome == CreditOutcome.SUMMARY_ADJUSTED
    assert not Invoice.objects.exists()
    today = timezone.localdate()
    issue_day = next_month_start()
    with on_day(issue_day):
        [summary] = adapters.monthly_summary_issue(
            partner=agency, year=today.year, month=today.month, issue_date=issue_day
        )
    assert summary.total == booking.total_retail == Decimal("78.00")  # 60 + 30% of 60


def test_a_cancellation_after_the_summary_credits_the_summary(
    dmc, agency, django_capture_on_commit_callbacks
):
    on_account(agency)
    booking = confirmed(
        django_capture_on_commit_callbacks, lines=[experience(), experience()], buyer=agency
    )
    today = timezone.localdate()
    issue_day = next_month_start()
    with on_day(issue_day):
        [summary] = adapters.monthly_summary_issue(
            partner=agency, year=today.year, month=today.month, issue_date=issue_day
        )
    line = booking.lines.order_by("pk").first()
    from bookings import services as booking_services

    result = booking_services.booking_cancel(booking=booking, reason="buyer", line_ids=[line.pk])
    with on_day(issue_day):
        [note] = adapters.credit_note_for_cancellation(
            booking=booking, result=result, issue_date=issue_day
        )
    assert note.original == summary and note.total == Decimal("42.00")
    booking.refresh_from_db()
    assert summary.total - note.total == booking.total_retail


def test_statement_for_operator_from_the_lines_served_in_the_month(
    dmc,
    trip,
    day,
    django_capture_on_commit_callbacks,
):
    from .factories import italian_agency

    guide = italian_agency(name="Guide di Lucca", kind="operator", subkind="guide")
    OperatorContract.objects.create(organisation=guide, sales_model="agency")
    walk = experience(adults=2, adult="40.00", net="30.00", organisation=guide)
    other = experience(adults=1, adult="40.00", net="30.00", organisation=guide)
    booking = confirmed(django_capture_on_commit_callbacks, lines=[walk, other])
    cancel(
        django_capture_on_commit_callbacks,
        booking,
        line_ids=[booking.lines.get(quantity=1).pk],
    )
    from bookings import services as booking_services

    booking_services.booking_hold(  # held, not sold: not on the statement
        lines=[experience(adults=1, organisation=guide)],
        channel="web",
        contact_name="X",
        contact_email="x@example.com",
    )
    tour_operator = trip["tour"].organisation
    confirmed(django_capture_on_commit_callbacks, packages=[package(trip, day)])
    served = walk.day
    statement = adapters.statement_for_operator(
        operator=guide, year=served.year, month=served.month
    )
    lines = {line.kind: line for line in statement.lines.all()}
    line = lines["service"]
    assert (line.booking_reference, line.gross, line.commission, line.net) == (
        booking.reference,
        Decimal("80.00"),
        Decimal("20.00"),
        Decimal("60.00"),
    )
    # The cancelled line kept a penalty: the guide's share of it, owed from the cancellation
    # (this month), on this month's statement.
    today = timezone.localdate()
    now = adapters.statement_for_operator(operator=guide, year=today.year, month=today.month)
    [share] = now.lines.filter(kind="penalty_share")
    assert share.service_date == today
    assert share.net == (share.gross * Decimal("0.75")).quantize(Decimal("0.01")) > 0
    statement.refresh_from_db()
    assert statement.payouts.count() == 0
    owed = sum(x.net for x in statement.lines.all())
    assert statement.balance == owed + statement.opening_balance
    assert set(lines) <= {"service", "penalty_share"}
    assert adapters.payouts_for(guide, served.year, served.month) == []
    component = adapters.statement_for_operator(
        operator=tour_operator, year=day.year, month=day.month
    )
    [component_line] = component.lines.all()
    assert trip["package"].title in component_line.product
    assert component_line.gross == Decimal("60.00")
    invoiced = adapters.statement_for_operator(
        operator=guide, year=served.year, month=served.month, invoice_commission=True
    )
    assert invoiced.commission_invoice.customer_organisation == guide
    parsed_valid_xml(invoiced.commission_invoice)
    # the commission invoice to the operator is not a booking sale
    booking_documents = Invoice.objects.filter(booking_invoicings__isnull=False)
    credited = Invoice.objects.filter(original__in=booking_documents)
    assert adapters.invoiced_total_for_period(date(2000, 1, 1), date(2100, 1, 1)) == (
        sum(d.total for d in booking_documents) - sum(n.total for n in credited)
    )
