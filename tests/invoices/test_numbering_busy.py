"""A lock timeout or deadlock on the series counter is "busy, try again" (409), never a 500,
and issues nothing."""

import threading

import pytest
from django.contrib.messages import get_messages
from django.db import OperationalError, connection, connections, transaction
from django.urls import reverse
from rest_framework.test import APIRequestFactory

from accounts.models import Role
from accounts.services import DmcGroup, dmc_groups_ensure
from invoices import services
from invoices.models import Invoice, InvoiceEvent, SeriesCounter
from marketplace.api import exception_handler
from tests.factories import MembershipFactory

from .factories import dmc_org, italian_agency, service_line

pytestmark = pytest.mark.django_db


def counter_lock_fails(monkeypatch, sqlstate):
    """The counter lock raises what Django raises when PostgreSQL gives up waiting."""

    class DriverError(Exception):
        pass

    def locked(series, year):
        error = OperationalError("canceling statement due to lock timeout")
        error.__cause__ = DriverError()
        error.__cause__.sqlstate = sqlstate
        raise error

    monkeypatch.setattr(services, "_lock_counter", locked)


@pytest.mark.parametrize("sqlstate", ["55P03", "40P01"])
def test_a_lock_timeout_or_deadlock_on_the_counter_is_busy_and_issues_nothing(
    dmc, agency, monkeypatch, sqlstate
):
    services.invoice_issue_from_specs(customer=agency, lines=[service_line()])  # TR 1
    draft = services.invoice_draft_create(customer=agency, lines=[service_line()])
    counter_lock_fails(monkeypatch, sqlstate)
    with pytest.raises(services.Busy) as exc:
        services.invoice_issue(invoice=draft)
    assert (exc.value.code, exc.value.api_status) == ("busy", 409)
    assert "try again" in exc.value.message
    draft.refresh_from_db()
    assert (draft.status, draft.number, draft.sequence) == ("draft", None, None)
    assert SeriesCounter.objects.get(series__code="TR").last_number == 1
    assert not InvoiceEvent.objects.filter(invoice=draft, action="issued").exists()
    # Draft-and-issue in one go (the booking adapters) leaves no draft behind either.
    before = Invoice.objects.count()
    with pytest.raises(services.Busy):
        services.invoice_issue_from_specs(customer=agency, lines=[service_line()])
    assert Invoice.objects.count() == before


def test_another_database_error_on_the_counter_is_not_hidden(dmc, agency, monkeypatch):
    counter_lock_fails(monkeypatch, "53100")  # disk full: a real failure, not "busy"
    draft = services.invoice_draft_create(customer=agency, lines=[service_line()])
    with pytest.raises(OperationalError):
        services.invoice_issue(invoice=draft)


def test_the_api_answers_busy_with_a_409():
    request = APIRequestFactory().post("/api/v1/anything/")
    response = exception_handler(services.Busy(), {"request": request, "view": None})
    assert response.status_code == 409
    assert response.data["error"]["code"] == "busy"
    assert "try again" in response.data["error"]["message"]


def test_the_back_office_shows_busy_as_a_message_not_a_500(client, dmc, agency, monkeypatch):
    user = MembershipFactory(organisation=dmc, role=Role.STAFF).user
    user.groups.add(dmc_groups_ensure()[DmcGroup.FINANCE])
    client.force_login(user)
    draft = services.invoice_draft_create(customer=agency, lines=[service_line()])
    counter_lock_fails(monkeypatch, "55P03")
    response = client.post(reverse("invoices:backoffice_issue", args=[draft.pk]))
    assert response.status_code == 302
    text = " ".join(str(m) for m in get_messages(response.wsgi_request))
    assert "try again" in text
    draft.refresh_from_db()
    assert draft.number is None


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_real_lock_timeout_on_postgresql_is_busy():
    """Another transaction holds the counter row; ours gives up after lock_timeout."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks")
    dmc_org()
    agency = italian_agency()
    services.invoice_issue_from_specs(customer=agency, lines=[service_line()])
    draft = services.invoice_draft_create(customer=agency, lines=[service_line()])
    locked, release = threading.Event(), threading.Event()

    def hold_the_counter():
        try:
            with transaction.atomic():
                list(SeriesCounter.objects.select_for_update())
                locked.set()
                release.wait(10)
        finally:
            connections.close_all()

    holder = threading.Thread(target=hold_the_counter)
    holder.start()
    try:
        assert locked.wait(10)
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '200ms'")
        with pytest.raises(services.Busy):
            services.invoice_issue(invoice=draft)
    finally:
        release.set()
        holder.join()
        with connection.cursor() as cursor:
            cursor.execute("RESET lock_timeout")
    draft.refresh_from_db()
    assert draft.number is None
    assert services.invoice_issue(invoice=draft).sequence == 2  # free again: no gap
