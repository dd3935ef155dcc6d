"""A package calendar says "sold out" only of full days; a day without a slot is "no
departures", a closed night "closed" (codes, not text)."""

from datetime import timedelta

import pytest

from operators.models import NightInventory
from operators.pricing import PaxMix
from packages.quotes import package_month_availability

pytestmark = pytest.mark.django_db


def _state(package, day):
    days = package_month_availability(package, month=day, pax=PaxMix.of(adults=2))
    return next(d for d in days if d.date == day).state


def test_full_no_slot_and_closed_days_say_what_they_are(trip, day):
    package = trip["package"]
    package.valid_from = day - timedelta(days=40)
    package.valid_until = day + timedelta(days=40)
    package.save()
    assert _state(package, day) == "available"
    slot = trip["slot"]
    slot.sold = slot.capacity
    slot.save()
    assert _state(package, day) == "sold_out"
    slot.sold = 0
    slot.save()
    NightInventory.objects.filter(unit_type=trip["room"], date=day).update(closed=True)
    assert _state(package, day) == "closed"
    other = day + timedelta(days=1)
    if other.month == day.month:
        assert _state(package, other) == "no_departures"  # no tour slot that day
