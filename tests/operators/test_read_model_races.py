"""The search's read model under concurrent holds (PostgreSQL): bookings of different slots (or
rooms) of the same product and day commit at the same moment, and the product's day must
still say what the counters say. Each client's transaction computes the day's best slot after
the others' commits it waited for, never from a snapshot taken before."""

from datetime import time, timedelta
from decimal import Decimal

import pytest

from bookings.services import Busy, LineRequest, SoldOut, booking_hold
from operators import readmodel
from operators.models import ProductDay
from operators.pricing import PaxMix
from tests.operators.factories import (
    NightFactory,
    RateFactory,
    SlotFactory,
    UnitTypeFactory,
    bookable_experience,
    bookable_stay,
)
from tests.race import race

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("postgres_only"),
]

CLIENTS = 8
ROUNDS = 3


def _slots_of_one_day(n: int, capacity: int):
    product, first = bookable_experience(capacity=capacity)
    slots = [first]
    for hour in range(1, n):
        slots.append(
            SlotFactory(
                product=product, date=first.date, start_time=time(10 + hour), capacity=capacity
            )
        )
    return product, slots


def test_holds_filling_every_slot_of_a_day_at_once_leave_the_day_sold_out():
    """Every client fills its own slot of the same day: the day ends with no place left, so
    the read model has no row for it (a stale computation would leave one)."""
    for _round in range(ROUNDS):
        product, slots = _slots_of_one_day(CLIENTS, capacity=4)

        def line(i, product=product, slots=slots):
            return LineRequest(
                product=product, day=slots[i].date, slot=slots[i], pax=PaxMix.of(adults=4)
            )

        _everyone_holds(line)
        assert not ProductDay.objects.filter(product=product, date=slots[0].date).exists()
        assert readmodel.differences() == []


def test_rooms_of_one_night_held_at_once_leave_the_read_model_equal_to_the_counters():
    """Every client takes the last room of its own room type for the same night."""
    for _round in range(ROUNDS):
        hotel, unit_types, day = _hotel_of_single_rooms(CLIENTS)

        def line(i, hotel=hotel, unit_types=unit_types, day=day):
            return LineRequest(
                product=hotel,
                day=day,
                check_out=day + timedelta(days=1),
                unit_type=unit_types[i],
                units=1,
                pax=PaxMix.of(adults=1),
            )

        _everyone_holds(line)
        assert not ProductDay.objects.filter(product=hotel, date=day).exists()
        assert readmodel.differences() == []


def _everyone_holds(line) -> None:
    """CLIENTS clients at once, client i holding `line(i)`: every hold succeeds."""

    def hold(i):
        booking_hold(
            lines=[line(i)],
            channel="web",
            contact_name=f"Client {i}",
            contact_email=f"c{i}@example.com",
        )
        return "ok"

    results = race(hold, clients=CLIENTS, outcomes={SoldOut: "sold_out", Busy: "busy"})
    assert results.count("ok") == CLIENTS, results


def _hotel_of_single_rooms(n: int):
    """A hotel with `n` room types of one room each, open on one night."""
    hotel, first, day = bookable_stay(units=1, nights=1, days_ahead=15)
    unit_types = [first]
    for i in range(1, n):
        unit_type = UnitTypeFactory(product=hotel, units=1, name=f"Room {i}")
        RateFactory(
            product=hotel,
            unit_type=unit_type,
            pax_category="unit",
            retail_price=Decimal("90.00"),
            net_price=Decimal("70.00"),
        )
        for offset in range(2):
            NightFactory(unit_type=unit_type, date=day + timedelta(days=offset), units=1)
        unit_types.append(unit_type)
    return hotel, unit_types, day
