import pytest
from django.core.exceptions import ValidationError

from packages.models import Departure
from packages.services import DepartureFull, departure_take_pax
from tests.race import race

from .factories import DepartureFactory


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("postgres_only")
def test_concurrent_bookings_never_overbook_a_departure():
    departure = DepartureFactory(capacity=10)

    def book(_i):
        departure_take_pax(departure=departure, pax=2)
        return "ok"

    results = race(book, clients=8, outcomes={ValidationError: "full", DepartureFull: "full"})
    assert len(results) == 8, results
    assert results.count("ok") == 5 and results.count("full") == 3
    assert Departure.objects.get(pk=departure.pk).booked_pax == 10
