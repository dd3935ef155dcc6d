"""Finance back office for the documents of bookings: the "not invoiced" list with retry,
monthly summaries waiting, cancellations to credit, statements built from bookings."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from accounts.services import DmcGroup, dmc_groups_ensure
from invoices.models import (
    BookingInvoicing,
    BookingInvoicingStatus,
    CreditOutcome,
    Invoice,
    MonthlySummary,
    OperatorStatement,
)
from tests.factories import MembershipFactory

from .adapter_helpers import cancel, confirmed, experience, on_account
from .factories import italian_agency
from .helpers import parsed_valid_xml

pytestmark = pytest.mark.django_db


@pytest.fixture
def finance_client(client, dmc):
    user = MembershipFactory(organisation=dmc, role=Role.STAFF).user
    user.groups.add(dmc_groups_ensure()[DmcGroup.FINANCE])
    client.force_login(user)
    return client


def _messages(response) -> str:
    return " ".join(str(m) for m in response.context["messages"])


def test_finance_sees_why_a_booking_is_not_invoiced_and_retries_it(
    finance_client, dmc, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    agency = italian_agency(name="Agenzia Senza Codice", sdi_code="", pec="")
    booking = confirmed(django_capture_on_commit_callbacks, lines=[experience()], buyer=agency)
    from bookings import services as booking_services

    silent = booking_services.booking_hold(  # confirmed without its task having run
        lines=[experience()],
        channel="web",
        contact_name="Mario Bianchi",
        contact_email="mario@example.com",
    )
    booking_services.booking_confirm(booking=silent)
    url = reverse("invoices:backoffice_not_invoiced")
    with django_assert_max_num_queries(12):
        response = finance_client.get(url)
    assert response.status_code == 200
    page = response.content.decode()
    assert booking.reference in page and silent.reference in page
    assert "SdI code" in page  # the reason, as finance reads it
    retry = reverse("invoices:backoffice_invoice_retry", args=[booking.reference])
    response = finance_client.post(retry, follow=True)
    assert "still not invoiced" in _messages(response)
    agency.sdi_code = "ABC1234"
    agency.save()
    response = finance_client.post(retry, follow=True)
    [invoice] = Invoice.objects.filter(booking_reference=booking.reference)
    assert invoice.number in _messages(response)
    finance_client.post(reverse("invoices:backoffice_invoice_retry", args=[silent.reference]))
    assert Invoice.objects.filter(booking_reference=silent.reference).count() == 1
    assert finance_client.get(url).context["rows"] == []


def test_finance_issues_the_missing_credit_note_of_a_cancellation(
    finance_client, dmc, agency, django_capture_on_commit_callbacks
):
    booking = confirmed(
        django_capture_on_commit_callbacks, lines=[experience(), experience()], buyer=agency
    )
    iban, dmc.iban = dmc.iban, ""
    dmc.save()
    line = booking.lines.order_by("pk").first()
    cancel(django_capture_on_commit_callbacks, booking, line_ids=[line.pk])
    from django.utils import translation

    with translation.override("it"):
        url = reverse("invoices:backoffice_cancellations")
    response = finance_client.get(url)
    [row] = response.context["rows"]
    assert row.booking == booking and row.amount == Decimal("42.00") and row.lines == [line]
    page = response.content.decode()
    assert booking.reference in page and "42,00" in page
    assert "IBAN" in page  # why it failed
    dmc.iban = iban
    dmc.save()
    response = finance_client.post(
        reverse("invoices:backoffice_cancellation_credit", args=[booking.reference]), follow=True
    )
    [note] = Invoice.objects.filter(document_type="TD04")
    assert note.total == Decimal("42.00") and note.number in _messages(response)
    parsed_valid_xml(note)
    assert finance_client.get(url).context["rows"] == []
    response = finance_client.post(
        reverse("invoices:backoffice_cancellation_credit", args=[booking.reference]), follow=True
    )
    assert booking.reference in _messages(response)  # "nothing left to credit on …"
    assert note.number not in _messages(response)
    assert Invoice.objects.filter(document_type="TD04").count() == 1
    assert BookingInvoicing.objects.get().credits.filter(outcome=CreditOutcome.CREDITED).exists()


def test_finance_issues_a_monthly_summary_of_a_closed_month(
    finance_client, dmc, agency, django_capture_on_commit_callbacks
):
    on_account(agency)
    booking = confirmed(django_capture_on_commit_callbacks, lines=[experience()], buyer=agency)
    last_month = timezone.localdate().replace(day=1) - timedelta(days=1)
    BookingInvoicing.objects.filter(booking=booking).update(period_start=last_month.replace(day=1))
    page = finance_client.get(reverse("invoices:backoffice_not_invoiced")).content.decode()
    assert agency.name in page and "Issue summary" in page
    response = finance_client.post(
        reverse("invoices:backoffice_summary_issue"),
        {"partner": agency.pk, "month": last_month.strftime("%Y-%m")},
        follow=True,
    )
    [summary] = MonthlySummary.objects.get().documents.all()
    assert summary.number in _messages(response)
    assert summary.total == booking.total_retail
    record = BookingInvoicing.objects.get(booking=booking)
    assert record.status == BookingInvoicingStatus.INVOICED
    response = finance_client.post(
        reverse("invoices:backoffice_summary_issue"),
        {"partner": agency.pk, "month": "2026-13"},
        follow=True,
    )
    assert "YYYY-MM" in _messages(response)


def test_the_monthly_command_issues_last_months_summaries(
    dmc, agency, django_capture_on_commit_callbacks, capsys
):
    on_account(agency)
    booking = confirmed(django_capture_on_commit_callbacks, lines=[experience()], buyer=agency)
    last_month = timezone.localdate().replace(day=1) - timedelta(days=1)
    BookingInvoicing.objects.filter(booking=booking).update(period_start=last_month.replace(day=1))
    call_command("issue_monthly_summaries", "--month", last_month.strftime("%Y-%m"))
    out = capsys.readouterr().out
    [summary] = Invoice.objects.all()
    assert summary.number in out and "1 summary invoice(s)" in out
    call_command("issue_monthly_summaries", "--month", last_month.strftime("%Y-%m"))
    assert Invoice.objects.count() == 1
    from invoices.tasks import issue_monthly_summaries

    assert issue_monthly_summaries()["issued"] == []  # last month already summarised


def test_statements_are_built_from_the_bookings_and_commission_invoiced(
    finance_client, dmc, django_capture_on_commit_callbacks
):
    from operators.models import OperatorContract

    guide = italian_agency(name="Guide di Lucca", kind="operator", subkind="guide")
    OperatorContract.objects.create(organisation=guide, sales_model="agency")
    walk = experience(adults=2, adult="40.00", net="30.00", organisation=guide)
    confirmed(django_capture_on_commit_callbacks, lines=[walk])
    response = finance_client.post(
        reverse("invoices:backoffice_statements_build"),
        {"month": walk.day.strftime("%Y-%m")},
        follow=True,
    )
    statement = OperatorStatement.objects.get(operator=guide)
    assert statement.gross_total == Decimal("80.00") and "1 operator statements" in _messages(
        response
    )
    page = finance_client.get(reverse("invoices:backoffice_statements")).content.decode()
    assert "Invoice commission" in page
    response = finance_client.post(
        reverse("invoices:backoffice_statement_commission", args=[statement.pk]), follow=True
    )
    statement.refresh_from_db()
    assert statement.commission_invoice.number in _messages(response)


def test_these_pages_are_closed_outside_finance(client, dmc, agency):
    user = MembershipFactory(organisation=dmc, role=Role.STAFF).user
    user.groups.add(dmc_groups_ensure()[DmcGroup.PRODUCT_MANAGER])
    client.force_login(user)
    for name in ("invoices:backoffice_not_invoiced", "invoices:backoffice_cancellations"):
        assert client.get(reverse(name)).status_code == 404
    response = client.post(reverse("invoices:backoffice_invoice_retry", args=["ABCDEFG"]))
    assert response.status_code == 404
    trade_user = MembershipFactory(organisation=agency, role=Role.OWNER).user
    client.force_login(trade_user)
    assert client.get(reverse("invoices:backoffice_not_invoiced")).status_code == 404
