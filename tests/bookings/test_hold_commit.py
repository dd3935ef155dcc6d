"""A hold's counters go to PostgreSQL with the end of its transaction in one round trip (real
transactions, not a test's wrapping one), so a counter's row lock lasts for the server's work
only. A hold without package or allotment sends all its rows and counters as one string, run as
one implicit transaction (`writes.py`); any other hold sends its counters with its COMMIT. A
counter without room raises SQLSTATE PDL01 there, so nothing is kept, and the refusal is worded
as on every other path."""

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


def _write_statements(queries) -> list[str]:
    return [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].startswith(("INSERT", "UPDATE", "WITH", "BEGIN", "COMMIT"))
        or "SELECT 0, nextval(" in q["sql"]
        and 'outbox_outboxmessage" SET' not in q["sql"]  # the eager delivery after commit
    ]


def test_every_statement_of_a_hold_is_split_at_its_placeholders_once_per_shape(monkeypatch):
    """psycopg caches how a query splits at its placeholders only below a length and a number
    of parameters that the write string exceeds (marketplace/apps.py raises them): a second
    hold of the same shape splits nothing again, neither outside the cache nor by missing it."""
    from psycopg import _queries

    product, slot = bookable_experience(capacity=5)
    _hold(product, slot)
    outside_the_cache = []
    uncached = _queries._query2pg_client_nocache

    def counting(query, encoding):
        outside_the_cache.append(query[:60])
        return uncached(query, encoding)

    monkeypatch.setattr(_queries, "_query2pg_client_nocache", counting)
    before = _queries._query2pg_client.cache_info()
    with CaptureQueriesContext(connection) as queries:
        _hold(product, slot)
    after = _queries._query2pg_client.cache_info()
    assert any(q["sql"].startswith('INSERT INTO "bookings_booking"') for q in queries)
    assert outside_the_cache == []
    assert after.misses == before.misses  # nor split again through the cache


def test_a_hold_is_written_in_one_round_trip_after_drawing_its_ids():
    product, slot = bookable_experience(capacity=5)
    with CaptureQueriesContext(connection) as queries:
        booking = _hold(product, slot, adults=2)
    writes = _write_statements(queries)
    # what follows is the notification's delivery after the commit (eager in the tests)
    assert writes[2:3] in ([], ["BEGIN"]), writes
    writes = writes[:2]
    # the ids come with the hold's reads (the supplier, the rates), in one round trip
    reads = writes[0].split("; ")
    assert [read.split(" FROM ", 1)[1].split(" ", 1)[0] for read in reads[:-1]] == [
        '"accounts_organisation"',
        '"operators_rate"',
    ]
    assert reads[-1].startswith("SELECT 0, nextval(")
    statements = writes[1].split("; ")
    assert [s.split(" (", 1)[0] for s in statements] == [
        'INSERT INTO "bookings_booking"',
        'INSERT INTO "bookings_bookingline"',
        'INSERT INTO "bookings_allocation"',
        'INSERT INTO "bookings_bookingevent"',
        'INSERT INTO "outbox_outboxmessage"',
        "WITH taken AS",
    ]
    assert 'UPDATE "operators_slot" SET held = held + 2' in statements[-1]
    assert not connection.in_atomic_block
    # committed: another connection sees the booking, its rows and the counter
    from django.db import connections

    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT held FROM operators_slot WHERE id = %s", [slot.pk])
            assert cursor.fetchone() == (2,)
            cursor.execute(
                "SELECT b.status, count(a.id) FROM bookings_booking b"
                " JOIN bookings_bookingline l ON l.booking_id = b.id"
                " JOIN bookings_allocation a ON a.line_id = l.id WHERE b.id = %s GROUP BY 1",
                [booking.pk],
            )
            assert cursor.fetchone() == ("held", 1)
    finally:
        other.close()
    # the objects returned are the saved rows
    assert not booking._state.adding and booking.inserted_lines[0].booking_id == booking.pk
    assert Booking.objects.get(pk=booking.pk).reference == booking.reference
    second = _hold(product, slot, adults=3)
    slot.refresh_from_db()
    assert slot.held == 5 and second.pk > booking.pk


def _row_values(booking_pk) -> dict:
    """Every column of a booking's rows but ids, references and times."""
    skip = {"id", "reference", "created_at", "updated_at", "expires_at", "booking", "line"}

    def values(obj):
        return {
            f.attname: getattr(obj, f.attname)
            for f in obj._meta.concrete_fields
            if f.name not in skip and f.attname not in ("booking_id", "line_id")
        }

    booking = Booking.objects.get(pk=booking_pk)
    lines = list(BookingLine.objects.filter(booking=booking).order_by("position"))
    return {
        "booking": values(booking),
        "lines": [values(line) for line in lines],
        "allocations": [
            values(a) for a in Allocation.objects.filter(line__in=lines).order_by("line__position")
        ],
        "events": [
            {**values(e), "data": sorted(e.data)}  # the option's expiry: a time of its own
            for e in BookingEvent.objects.filter(booking=booking)
        ],
        "outbox": [
            {"handler": m.handler, "event": m.kwargs["event"], "same": m.kwargs["booking_id"]}
            for m in OutboxMessage.objects.filter(kwargs__booking_id=booking_pk)
        ],
    }


def test_the_one_round_trip_writes_exactly_the_rows_the_transaction_writes():
    from django.db import transaction

    product, slot = bookable_experience(capacity=9)
    other, other_slot = bookable_experience(capacity=9)
    hotel, unit_type, start = bookable_stay(units=3, nights=3)

    def hold():
        return services.booking_hold(
            lines=[
                LineRequest(product=product, day=slot.date, slot=slot, pax=PaxMix.of(adults=2)),
                LineRequest(
                    product=other,
                    day=other_slot.date,
                    slot=other_slot,
                    pax=PaxMix.of(adults=1, children_ages=[8]),
                ),
                LineRequest(
                    product=hotel,
                    day=start,
                    check_out=start + timezone.timedelta(days=2),
                    unit_type=unit_type,
                    units=1,
                    pax=PaxMix.of(adults=2),
                ),
            ],
            channel="web",
            contact_name="Anna",
            contact_email="anna@example.com",
            notes="By the window",
        )

    at_once = hold()
    with transaction.atomic():  # inside a caller's transaction: the general path
        in_transaction = hold()
    first, second = _row_values(at_once.pk), _row_values(in_transaction.pk)
    assert first["outbox"] and first["outbox"][0]["same"] == at_once.pk
    assert second["outbox"][0]["same"] == in_transaction.pk
    for part in ("outbox",):
        for row in first[part] + second[part]:
            row.pop("same")
    assert first == second
    assert len(first["lines"]) == 3 and len(first["allocations"]) == 4  # two nights


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


def test_a_closed_slot_and_a_full_night_sent_with_the_commit_are_worded_as_everywhere():
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


def test_an_api_hold_written_in_one_round_trip_answers_what_a_read_answers(api_client):
    from tests.bookings.test_hold_path import _api_body, _api_client, _partner_with_contract

    partner = _partner_with_contract()
    client = _api_client(api_client, partner)
    product, slot = bookable_experience(capacity=10)
    with CaptureQueriesContext(connection) as queries:
        response = client.post("/api/v1/bookings/", _api_body(product, slot), format="json")
    assert response.status_code == 201, response.json()
    assert any("SELECT 0, nextval(" in q["sql"] for q in queries.captured_queries)
    created = response.json()
    read = client.get(f"/api/v1/bookings/{created['reference']}/").json()
    assert created == read
    assert created["lines"][0]["cancellation_tiers"][0]["days_before"] == 5
