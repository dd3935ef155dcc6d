"""Workers invoicing the same booking at once (the confirmation task, a retry from the back
office): one set of documents, never two. The row lock on the booking's invoicing record
decides; without it this test issues several invoices (checked by removing the lock)."""

import threading

import pytest
from django.db import connection, connections

from bookings import services as booking_services
from invoices import adapters
from invoices.models import Invoice

from .adapter_helpers import experience
from .factories import dmc_org, italian_agency


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_invoicing_of_one_booking_issues_one_invoice(monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks")
    dmc_org()
    agency = italian_agency()
    booking = booking_services.booking_hold(
        lines=[experience()],
        channel="trade",
        contact_name="Paola",
        contact_email="paola@example.com",
        buyer_organisation=agency,
    )
    from invoices import tasks

    monkeypatch.setattr(tasks.invoice_booking, "run", lambda booking_id: [])
    booking_services.booking_confirm(booking=booking)  # not invoiced yet: the race decides
    # a first attempt failed (e.g. the DMC's data was incomplete): four retries race
    adapters.booking_invoicing_failed(booking=booking, problems={"supplier": "IBAN missing"})
    assert not Invoice.objects.exists()
    barrier = threading.Barrier(4)
    results, errors = [], []

    def worker():
        try:
            barrier.wait()
            results.append(adapters.invoice_for_booking(booking=booking))
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert Invoice.objects.count() == 1
    assert {tuple(d.pk for d in docs) for docs in results} == {(Invoice.objects.get().pk,)}
