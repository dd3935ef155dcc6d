import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from packages.models import Departure
from packages.services import DepartureFull, departure_take_pax

from .factories import DepartureFactory


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_bookings_never_overbook_a_departure():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks")
    departure = DepartureFactory(capacity=10)
    results: list[str] = []
    barrier = threading.Barrier(8)

    def book():
        try:
            barrier.wait()
            departure_take_pax(departure=departure, pax=2)
            results.append("ok")
        except (ValidationError, DepartureFull):
            results.append("full")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=book) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results.count("ok") == 5 and results.count("full") == 3
    assert Departure.objects.get(pk=departure.pk).booked_pax == 10
