"""A hold's counters go to PostgreSQL with its COMMIT in one round trip (real transactions, not
a test's wrapping one): the row lock lasts for the server's work only. A counter without room
raises SQLSTATE PDL01 there, so the COMMIT never runs: nothing is written, and the refusal is
worded as on every other path."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bookings import services
from bookings.models import Allocation, Booking, BookingEvent, BookingLine
from bookings.services import LineRequest, SoldOut
from bookings.services.inventory import _Need, _run_locked, _take
from operators.models import NightInventory, Slot, SlotStatus
from operators.pricing import PaxMix
from outbox.models import OutboxMessage
from tests.operators.factories import bookable_experience, bookable_stay
from tests.packages.conftest import day, trip  # noqa: F401 - fixtures
from tests.packages.factories import DepartureFactory

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("postgres_only"),
]


def _hold(product, slot, adults=1):
    return services.booking_hold(
        lines=[
            LineRequest(product=product, day=slot.date, slot=slot, pax=PaxMix.of(adults=adults))
        ],
        channel="web",
        contact_name="Anna",
        contact_email="anna@example.com",
    )


def _rows() -> tuple:
    return (
        Booking.objects.count(),
        BookingLine.objects.count(),
        Allocation.objects.count(),
        BookingEvent.objects.count(),
        OutboxMessage.objects.count(),
    )


def test_the_counter_update_travels_with_the_commit_and_the_hold_is_committed():
    product, slot = bookable_experience(capacity=5)
    with CaptureQueriesContext(connection) as queries:
        booking = _hold(product, slot, adults=2)
    takes = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("WITH taken")]
    assert len(takes) == 1
    assert takes[0].startswith('WITH taken AS (UPDATE "operators_slot" SET held = held + 2')
    assert takes[0].endswith("; COMMIT")
    assert not connection.in_atomic_block
    # committed: another connection sees the booking and the counter
    from django.db import connections

    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT held FROM operators_slot WHERE id = %s", [slot.pk])
            assert cursor.fetchone() == (2,)
            cursor.execute("SELECT status FROM bookings_booking WHERE id = %s", [booking.pk])
            assert cursor.fetchone() == ("held",)
    finally:
        other.close()
    # the connection is in a clean state for the next transaction
    second = _hold(product, slot, adults=3)
    slot.refresh_from_db()
    assert slot.held == 5 and second.pk != booking.pk


def test_a_full_slot_raises_in_the_round_trip_and_nothing_is_committed():
    product, slot = bookable_experience(capacity=3)
    _hold(product, slot, adults=2)
    before = _rows()
    with pytest.raises(SoldOut) as refused:
        _hold(product, slot, adults=2)
    assert refused.value.code == "sold_out"
    when = timezone.localtime(slot.starts_at).strftime("%Y-%m-%d %H:%M")
    assert str(refused.value.message) == f"Only 1 places left on {when}."
    assert _rows() == before
    slot.refresh_from_db()
    assert (slot.held, slot.sold) == (2, 0)
    assert not connection.in_atomic_block
    _hold(product, slot, adults=1)  # the connection recovered
    slot.refresh_from_db()
    assert slot.held == 3


def test_the_second_counter_without_room_undoes_the_first_in_the_same_round_trip():
    product, slot = bookable_experience(capacity=10)
    other, full = bookable_experience(capacity=1)
    Slot.objects.filter(pk=full.pk).update(sold=1)
    with pytest.raises(SoldOut) as refused:
        services.booking_hold(
            lines=[
                LineRequest(product=product, day=slot.date, slot=slot, pax=PaxMix.of(adults=2)),
                LineRequest(product=other, day=full.date, slot=full, pax=PaxMix.of(adults=1)),
            ],
            channel="web",
            contact_name="Anna",
            contact_email="anna@example.com",
        )
    when = timezone.localtime(full.starts_at).strftime("%Y-%m-%d %H:%M")
    assert str(refused.value.message) == f"Only 0 places left on {when}."
    assert _rows() == (0, 0, 0, 0, 0)
    slot.refresh_from_db()
    assert slot.held == 0


def test_a_closed_slot_and_a_full_night_are_worded_as_everywhere():
    product, slot = bookable_experience(capacity=10)
    Slot.objects.filter(pk=slot.pk).update(status=SlotStatus.CLOSED)
    with pytest.raises(SoldOut) as refused:
        _hold(product, slot)
    assert "is closed" in str(refused.value.message)
    hotel, unit_type, start = bookable_stay(units=1, nights=2)
    night = NightInventory.objects.get(unit_type=unit_type, date=start)
    NightInventory.objects.filter(pk=night.pk).update(held=1)
    with pytest.raises(SoldOut) as refused:
        _run_locked(lambda: _take([_Need("night", night.pk, 1)], as_state="held", commit=True))
    assert str(refused.value.message) == f"Only 0 units left on the night of {start.isoformat()}."
    night.refresh_from_db()
    assert night.held == 1
    assert _rows() == (0, 0, 0, 0, 0)


def test_a_full_departure_sent_with_the_commit_keeps_its_own_refusal(trip, day):  # noqa: F811
    from packages.services import DepartureFull

    departure = DepartureFactory(package=trip["package"], date=day, capacity=3, min_pax=1)
    _run_locked(lambda: _take([_Need("departure", departure.pk, 2)], as_state="held", commit=True))
    with pytest.raises(DepartureFull) as refused:
        _run_locked(
            lambda: _take([_Need("departure", departure.pk, 2)], as_state="held", commit=True)
        )
    assert str(refused.value.message) == "Only 1 places left on this departure."
    departure.refresh_from_db()
    assert departure.booked_pax == 2


def test_inside_a_callers_transaction_the_commit_is_left_to_the_caller():
    from django.db import transaction

    product, slot = bookable_experience(capacity=5)
    with pytest.raises(RuntimeError), transaction.atomic():
        _hold(product, slot, adults=2)
        assert connection.in_atomic_block  # the hold did not end the caller's transaction
        raise RuntimeError("the caller changes its mind")
    slot.refresh_from_db()
    assert slot.held == 0
    assert _rows() == (0, 0, 0, 0, 0)
