"""Gapless numbering per series and year, under a lock, and immutability of issued documents."""

import threading
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction

from invoices import services
from invoices.models import Invoice, InvoiceLine, SeriesCounter

from .factories import dmc_org, italian_agency, package_line, service_line, traveller

pytestmark = pytest.mark.django_db


def test_numbers_are_progressive_per_series_and_year(dmc, agency):
    first = services.invoice_issue_from_specs(customer=agency, lines=[service_line()])
    second = services.invoice_issue_from_specs(customer=agency, lines=[service_line()])
    receipt = services.invoice_issue_from_specs(customer=traveller(), lines=[service_line()])
    year = first.issue_date.year
    assert first.number == f"TR-{year}-00001"
    assert second.number == f"TR-{year}-00002"
    assert receipt.number == f"RC-{year}-00001"
    assert len(first.number) <= 20


def test_a_new_year_starts_again_from_one(dmc, agency):
    old = services.invoice_issue_from_specs(
        customer=agency, lines=[service_line()], issue_date=date(2025, 12, 31)
    )
    new = services.invoice_issue_from_specs(
        customer=agency, lines=[service_line()], issue_date=date(2026, 1, 1)
    )
    assert old.number == "TR-2025-00001"
    assert new.number == "TR-2026-00001"


def test_an_issue_date_before_the_last_one_of_the_series_is_refused(dmc, agency):
    services.invoice_issue_from_specs(
        customer=agency, lines=[service_line()], issue_date=date(2026, 3, 10)
    )
    draft = services.invoice_draft_create(customer=agency, lines=[service_line()])
    with pytest.raises(ValidationError) as exc:
        services.invoice_issue(invoice=draft, issue_date=date(2026, 3, 9))
    assert "issue_date" in exc.value.message_dict
    draft.refresh_from_db()
    assert draft.number is None
    assert SeriesCounter.objects.get(series__code="TR", year=2026).last_number == 1


def test_a_rolled_back_issue_gives_its_number_back(dmc, agency):
    draft = services.invoice_draft_create(customer=agency, lines=[service_line()])
    with pytest.raises(RuntimeError), transaction.atomic():
        services.invoice_issue(invoice=draft)
        raise RuntimeError("something after the issue failed")
    draft.refresh_from_db()
    assert draft.number is None
    issued = services.invoice_issue(invoice=draft)
    assert issued.sequence == 1


def test_an_invalid_xml_rolls_the_number_back(dmc, agency, monkeypatch):
    from invoices import fatturapa

    draft = services.invoice_draft_create(customer=agency, lines=[service_line()])
    monkeypatch.setattr(fatturapa, "progressive", lambda invoice: "TOO-LONG-PROGRESSIVE")
    with pytest.raises(fatturapa.FatturaPAInvalid):
        services.invoice_issue(invoice=draft)
    draft.refresh_from_db()
    assert draft.number is None and draft.xml_content == ""
    assert not SeriesCounter.objects.filter(last_number__gt=0).exists()


def test_an_issued_invoice_cannot_be_changed_or_deleted(dmc, agency):
    invoice = services.invoice_issue_from_specs(customer=agency, lines=[service_line()])
    invoice.total = Decimal("1.00")
    with pytest.raises(ValidationError, match="cannot be changed"):
        invoice.save()
    fresh = Invoice.objects.get(pk=invoice.pk)
    fresh.customer_name = "Someone else"
    with pytest.raises(ValidationError):
        fresh.save()
    with pytest.raises(ValidationError):
        fresh.delete()
    line = InvoiceLine.objects.filter(invoice=invoice).first()
    line.unit_price = Decimal("1.00")
    with pytest.raises(ValidationError):
        line.save()
    with pytest.raises(ValidationError):
        line.delete()
    with pytest.raises(ValidationError, match="already issued"):
        services.invoice_issue(invoice=invoice)
    assert Invoice.objects.get(pk=invoice.pk).total == Decimal("122.00")


def test_payment_and_sdi_status_may_still_change_after_issue(dmc, agency):
    invoice = services.invoice_issue_from_specs(customer=agency, lines=[service_line()])
    services.invoice_mark_paid(invoice=invoice)
    services.invoice_sdi_status_set(invoice=invoice, status="sent")
    invoice.refresh_from_db()
    assert invoice.is_paid and invoice.sdi_status == "sent"
    assert [e.action for e in invoice.events.all()] == ["created", "issued", "paid", "sdi"]


def _issue_concurrently(draft_ids):
    barrier = threading.Barrier(len(draft_ids))
    errors = []

    def worker(pk):
        try:
            barrier.wait()
            services.invoice_issue(invoice=Invoice.objects.get(pk=pk))
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(pk,)) for pk in draft_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_issues_get_contiguous_unique_numbers_in_order():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks")
    dmc_org()
    agencies = [italian_agency(name=f"Agenzia {i}") for i in range(4)]
    drafts = [
        services.invoice_draft_create(
            customer=agencies[i % 4], lines=[service_line(), package_line()][i % 2 : i % 2 + 1]
        ).pk
        for i in range(20)
    ]
    errors = _issue_concurrently(drafts)
    assert errors == []
    issued = list(Invoice.objects.filter(pk__in=drafts).order_by("issued_at", "pk"))
    sequences = [invoice.sequence for invoice in issued]
    assert sequences == list(range(1, 21))  # contiguous, unique and in order of issue
    assert len({invoice.number for invoice in issued}) == 20
    dates = [invoice.issue_date for invoice in issued]
    assert dates == sorted(dates)
    assert SeriesCounter.objects.get(series__code="TR").last_number == 20
    assert all(invoice.xml_content for invoice in issued)
