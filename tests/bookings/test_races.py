"""Real concurrent clients (threads with their own database connections) race for the same
inventory on PostgreSQL. The canary shows the race test would catch an oversell."""

import time

import pytest
from django.db.models import Sum

from bookings import services
from bookings.models import Allocation
from bookings.services import Busy, LineRequest, SoldOut, inventory
from operators.pricing import PaxMix
from tests.operators.factories import bookable_experience
from tests.race import race

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("postgres_only"),
]

CLIENTS = 24


def _race(product, slot, clients=CLIENTS, seats=1):
    def hold(i):
        services.booking_hold(
            lines=[
                LineRequest(product=product, day=slot.date, slot=slot, pax=PaxMix.of(adults=seats))
            ],
            channel="api",
            contact_name=f"Client {i}",
            contact_email=f"c{i}@example.com",
        )
        return "ok"

    return race(hold, clients=clients, outcomes={SoldOut: "sold_out", Busy: "busy"})


def test_many_clients_never_oversell_a_slot_of_five():
    product, slot = bookable_experience(capacity=5)
    results = _race(product, slot)
    assert len(results) == CLIENTS
    assert set(results) <= {"ok", "sold_out", "busy"}, results
    assert results.count("ok") == 5
    slot.refresh_from_db()
    assert slot.held == 5
    assert Allocation.objects.filter(slot=slot).aggregate(n=Sum("quantity"))["n"] == 5


def test_canary_without_locks_the_race_oversells(monkeypatch):
    """With the locks and F() updates switched off, the same race sells more than capacity:
    the test above is able to see an oversell."""
    monkeypatch.setattr(inventory, "LOCKING_ENABLED", False)
    monkeypatch.setattr(inventory, "_race_window", lambda: time.sleep(0.05))
    product, slot = bookable_experience(capacity=5)
    results = _race(product, slot, clients=12)
    sold = Allocation.objects.filter(slot=slot).aggregate(n=Sum("quantity"))["n"] or 0
    assert sold > 5, (sold, results)
