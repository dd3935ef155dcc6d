"""20 real concurrent clients (threads, each with its own PostgreSQL connection) of the
partner race for the last 5 places of its allotment: exactly 5 win, nothing is oversold, and
the counters equal the allocations plus the allotment's places."""

import time
from datetime import timedelta

import pytest
from django.db.models import Sum

from allotments import services as allotments
from allotments.models import AllotmentDay
from bookings import services
from bookings.models import Allocation
from bookings.services import Busy, LineRequest, SoldOut, inventory
from operators.pricing import PaxMix
from tests.allotments.factories import trade_partner
from tests.faults.checks import assert_counters_equal_allocations
from tests.operators.factories import bookable_experience
from tests.race import race

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("postgres_only"),
]

CLIENTS = 20


def _partner_hold(product, slot, partner, name):
    """One seat for the partner, on its allotment."""
    services.booking_hold(
        lines=[LineRequest(product=product, day=slot.date, slot=slot, pax=PaxMix.of(adults=1))],
        channel="api",
        contact_name=name,
        contact_email=f"{name.lower().replace(' ', '')}@example.com",
        buyer_organisation=partner,
        hold_for=timedelta(days=2),
    )
    return "ok"


def _race(product, slot, partner, clients=CLIENTS):
    return race(
        lambda i: _partner_hold(product, slot, partner, f"Client {i}"),
        clients=clients,
        outcomes={SoldOut: "sold_out", Busy: "busy"},
    )


def _allotment_with_five_places_left(partner):
    """12 seats: 8 in the partner's allotment, 4 sold to the public, and 3 of the 8 already
    booked by the partner: the allotment's last 5 places are all that is left."""
    product, slot = bookable_experience(capacity=12, min_pax=1)
    allotment = allotments.allotment_create(
        partner=partner,
        product=product,
        start_date=slot.date,
        end_date=slot.date,
        quantity=8,
        release_days=1,
    )
    public = services.booking_hold(
        lines=[LineRequest(product=product, day=slot.date, slot=slot, pax=PaxMix.of(adults=4))],
        channel="web",
        contact_name="Public",
        contact_email="public@example.com",
    )
    services.booking_confirm(booking=public)
    for i in range(3):
        _partner_hold(product, slot, partner, f"Early {i}")
    return allotment, product, slot


def _partner_seats(slot, partner) -> int:
    return (
        Allocation.objects.filter(slot=slot, line__booking__buyer_organisation=partner).aggregate(
            n=Sum("quantity")
        )["n"]
        or 0
    )


def test_twenty_partner_bookings_race_for_the_last_five_places_of_an_allotment():
    partner = trade_partner()
    allotment, product, slot = _allotment_with_five_places_left(partner)

    results = _race(product, slot, partner)

    assert len(results) == CLIENTS
    assert set(results) <= {"ok", "sold_out", "busy"}, results
    assert results.count("ok") == 5, results
    slot.refresh_from_db()
    assert (slot.held, slot.sold) == (8, 4)
    assert slot.held + slot.sold <= slot.capacity
    day = AllotmentDay.objects.get(allotment=allotment)
    assert (day.allotted, day.used) == (8, 8)
    assert _partner_seats(slot, partner) == 8
    assert_counters_equal_allocations()


def test_canary_without_locks_the_allotment_race_oversells(monkeypatch):
    """With the locks switched off (allotment days and inventory rows read, then written),
    the same race books more than the allotment's places: the test above can see it."""
    monkeypatch.setattr(allotments, "LOCKING_ENABLED", False)
    monkeypatch.setattr(allotments, "_race_window", lambda: time.sleep(0.05))
    monkeypatch.setattr(inventory, "LOCKING_ENABLED", False)
    partner = trade_partner()
    _allotment, product, slot = _allotment_with_five_places_left(partner)

    results = _race(product, slot, partner, clients=12)

    assert _partner_seats(slot, partner) > 8, results
