"""The hold path near the database's limit: every read before the transaction, inserts first,
each counter taken by one conditional UPDATE as the transaction's last statement (so its row
lock lasts from that UPDATE to COMMIT), a fixed number of queries, nothing half-written."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Organisation
from bookings import services
from bookings.models import Allocation, Booking, BookingEvent, BookingLine, TradeContract
from bookings.services import LineRequest, SoldOut
from bookings.services.inventory import _Need, _take
from operators.models import (
    CancellationPolicy,
    CancellationTier,
    GoodsStock,
    NightInventory,
    Slot,
    SlotStatus,
)
from operators.pricing import PaxMix
from outbox.models import OutboxMessage
from tests.factories import OrganisationFactory, api_key_for
from tests.operators.factories import StockFactory, bookable_experience, bookable_stay
from tests.packages.conftest import day, trip  # noqa: F401 - fixtures
from tests.packages.factories import DepartureFactory

pytestmark = pytest.mark.django_db


def _hold(product, slot, adults=1, **kwargs):
    return services.booking_hold(
        lines=[
            LineRequest(product=product, day=slot.date, slot=slot, pax=PaxMix.of(adults=adults))
        ],
        channel=kwargs.pop("channel", "web"),
        contact_name="Anna",
        contact_email="anna@example.com",
        **kwargs,
    )


def _statements(queries) -> list[str]:
    return [q["sql"].split(" ", 1)[0].upper() for q in queries]


def _partner_with_contract():
    partner = OrganisationFactory(kind="trade", subkind="tour_operator")
    policy = CancellationPolicy.objects.create(name="Partner terms")
    CancellationTier.objects.create(policy=policy, days_before=5, penalty_percent=Decimal("40"))
    TradeContract.objects.create(organisation=partner, option_days=5, cancellation_policy=policy)
    return partner


# --- queries ----------------------------------------------------------------------------------


def _together(queries: int, *, reads: int) -> int:
    """`queries`, less the round trips saved where `reads` are sent together (PostgreSQL)."""
    return queries - (reads - 1) if connection.vendor == "postgresql" else queries


def test_a_travellers_hold_costs_ten_queries(django_assert_num_queries):
    """rates, the supplier's terms and contract (one query), then the transaction: booking,
    line, allocation, event, outbox row, the counter's UPDATE (+ its two ends). On PostgreSQL
    the rates and the supplier are read in one round trip (marketplace.queries.read_together)."""
    product, slot = bookable_experience(capacity=10)
    with django_assert_num_queries(_together(10, reads=2)):
        _hold(product, slot)


def test_a_partners_hold_reads_its_contract_once(django_assert_num_queries):
    partner = Organisation.objects.get(pk=_partner_with_contract().pk)
    product, slot = bookable_experience(capacity=10)
    # + the contract, the price terms version, the allotments it keeps, the policy's tiers
    # (PostgreSQL: the allotments, the supplier and the rates read in one round trip)
    with django_assert_num_queries(_together(14, reads=3)) as queries:
        booking = _hold(product, slot, buyer_organisation=partner, channel="api")
    sql = [q["sql"] for q in queries.captured_queries]
    assert sum('FROM "bookings_tradecontract"' in s for s in sql) == 1
    line = booking.lines.get()
    assert line.cancellation_tiers == [
        {"days_before": 5, "penalty_percent": "40.00", "penalty_amount": "0.00"}
    ]
    assert booking.expires_at - timezone.now() > timedelta(days=4)


def test_a_hold_of_many_lines_inserts_lines_and_allocations_in_one_statement_each():
    product, slot = bookable_experience(capacity=10)
    other, other_slot = bookable_experience(capacity=10)
    with CaptureQueriesContext(connection) as queries:
        services.booking_hold(
            lines=[
                LineRequest(product=product, day=slot.date, slot=slot, pax=PaxMix.of(adults=2)),
                LineRequest(
                    product=other, day=other_slot.date, slot=other_slot, pax=PaxMix.of(adults=1)
                ),
            ],
            channel="web",
            contact_name="Anna",
            contact_email="anna@example.com",
        )
    sql = [q["sql"] for q in queries.captured_queries]
    assert sum('INSERT INTO "bookings_bookingline"' in s for s in sql) == 1
    assert sum('INSERT INTO "bookings_allocation"' in s for s in sql) == 1
    assert sum('UPDATE "operators_slot"' in s for s in sql) == 2


# --- the counter is the last statement --------------------------------------------------------


def test_the_counter_update_is_the_last_statement_and_nothing_is_locked_before():
    product, slot = bookable_experience(capacity=10)
    with CaptureQueriesContext(connection) as queries:
        _hold(product, slot, adults=2)
    sql = [q["sql"] for q in queries.captured_queries]
    assert not any("FOR UPDATE" in s for s in sql)
    update = next(i for i, s in enumerate(sql) if s.startswith('UPDATE "operators_slot"'))
    inserts = [i for i, s in enumerate(sql) if s.startswith("INSERT")]
    assert inserts and max(inserts) < update
    # after the UPDATE only the transaction's end (COMMIT, or RELEASE SAVEPOINT in a test)
    assert all(s.split(" ", 1)[0] in ("COMMIT", "RELEASE") for s in sql[update + 1 :])
    # one conditional statement: the capacity check is in its WHERE clause
    assert "capacity >= sold + held + 2" in sql[update] and "status = 'open'" in sql[update]
    slot.refresh_from_db()
    assert slot.held == 2


def test_counters_are_taken_in_a_fixed_order():
    product, slot = bookable_experience(capacity=10)
    other, other_slot = bookable_experience(capacity=10)
    first, second = sorted([slot, other_slot], key=lambda s: s.pk, reverse=True)
    products = {slot.pk: product, other_slot.pk: other}
    with CaptureQueriesContext(connection) as queries:
        services.booking_hold(
            lines=[
                LineRequest(product=products[s.pk], day=s.date, slot=s, pax=PaxMix.of(adults=1))
                for s in (first, second)
            ],
            channel="web",
            contact_name="Anna",
            contact_email="anna@example.com",
        )
    updated = [
        int(q["sql"].split(" WHERE id = ", 1)[1].split(" ", 1)[0])
        for q in queries.captured_queries
        if q["sql"].startswith('UPDATE "operators_slot"')
    ]
    assert updated == sorted([slot.pk, other_slot.pk])


# --- sold out by the conditional UPDATE: nothing half-written -------------------------------


def _nothing_written():
    assert not Booking.objects.exists()
    assert not BookingLine.objects.exists()
    assert not Allocation.objects.exists()
    assert not BookingEvent.objects.exists()
    assert not OutboxMessage.objects.exists()


def test_a_full_slot_refuses_the_hold_and_leaves_nothing():
    product, slot = bookable_experience(capacity=3)
    Slot.objects.filter(pk=slot.pk).update(held=2)
    with pytest.raises(SoldOut) as refused:
        _hold(product, slot, adults=2)
    assert refused.value.code == "sold_out"
    when = timezone.localtime(slot.starts_at).strftime("%Y-%m-%d %H:%M")
    assert str(refused.value.message) == f"Only 1 places left on {when}."
    _nothing_written()
    slot.refresh_from_db()
    assert (slot.held, slot.sold) == (2, 0)


def test_the_second_line_sold_out_rolls_back_the_first_lines_counter():
    product, slot = bookable_experience(capacity=10)
    other, full = bookable_experience(capacity=1)
    Slot.objects.filter(pk=full.pk).update(sold=1)
    with pytest.raises(SoldOut):
        services.booking_hold(
            lines=[
                LineRequest(product=product, day=slot.date, slot=slot, pax=PaxMix.of(adults=2)),
                LineRequest(product=other, day=full.date, slot=full, pax=PaxMix.of(adults=1)),
            ],
            channel="web",
            contact_name="Anna",
            contact_email="anna@example.com",
        )
    _nothing_written()
    slot.refresh_from_db()
    assert slot.held == 0


def test_a_closed_slot_is_worded_closed():
    product, slot = bookable_experience(capacity=10)
    Slot.objects.filter(pk=slot.pk).update(status=SlotStatus.CLOSED)
    with pytest.raises(SoldOut) as refused:
        _hold(product, slot)
    assert "is closed" in str(refused.value.message)
    _nothing_written()


def test_nights_and_stock_are_taken_by_conditional_updates():
    hotel, unit_type, start = bookable_stay(units=2)
    night = NightInventory.objects.get(unit_type=unit_type, date=start)
    stock = StockFactory(quantity=3)
    with transaction.atomic():
        _take([_Need("night", night.pk, 2), _Need("stock", stock.pk, 3)], as_state="held")
    night.refresh_from_db()
    stock.refresh_from_db()
    assert (night.held, stock.held) == (2, 3)
    with pytest.raises(SoldOut) as refused, transaction.atomic():
        _take([_Need("night", night.pk, 1)], as_state="held")
    assert str(refused.value.message) == f"Only 0 units left on the night of {start.isoformat()}."
    with pytest.raises(SoldOut) as refused, transaction.atomic():
        _take([_Need("stock", stock.pk, 1)], as_state="sold")
    assert str(refused.value.message) == "Only 0 left in stock."
    NightInventory.objects.filter(pk=night.pk).update(held=0, closed=True)
    with pytest.raises(SoldOut), transaction.atomic():
        _take([_Need("night", night.pk, 1)], as_state="held")
    night.refresh_from_db()
    stock.refresh_from_db()
    assert (night.held, night.sold, stock.held, stock.sold) == (0, 0, 3, 0)
    assert GoodsStock.objects.get(pk=stock.pk).sold == 0


def test_the_sell_path_takes_sold_with_the_same_condition():
    product, slot = bookable_experience(capacity=2)
    with transaction.atomic():
        _take([_Need("slot", slot.pk, 2)], as_state="sold")
    slot.refresh_from_db()
    assert (slot.held, slot.sold) == (0, 2)
    with pytest.raises(SoldOut), transaction.atomic():
        _take([_Need("slot", slot.pk, 1)], as_state="sold")


# --- the API ------------------------------------------------------------------------------------


def _api_body(product, slot):
    return {
        "contact_name": "Hans",
        "contact_email": "hans@example.de",
        "lines": [
            {"product": product.slug, "date": slot.date.isoformat(), "slot": slot.pk, "adults": 1}
        ],
    }


def _api_client(api_client, partner):
    key, raw = api_key_for(partner)
    key.last_used_at = timezone.now()  # touched less than a minute ago: no write
    key.save(update_fields=["last_used_at"])
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return api_client


def test_an_api_hold_costs_at_most_twelve_queries(api_client, django_assert_num_queries):
    partner = OrganisationFactory(kind="trade", subkind="tour_operator")
    client = _api_client(api_client, partner)
    product, slot = bookable_experience(capacity=10)
    # (PostgreSQL: the allotments and the rates read in one round trip)
    with django_assert_num_queries(_together(12, reads=2)):
        response = client.post("/api/v1/bookings/", _api_body(product, slot), format="json")
    assert response.status_code == 201, response.json()


def test_an_api_hold_answers_what_a_read_of_the_booking_answers(api_client):
    partner = _partner_with_contract()
    client = _api_client(api_client, partner)
    product, slot = bookable_experience(capacity=10)
    response = client.post("/api/v1/bookings/", _api_body(product, slot), format="json")
    assert response.status_code == 201, response.json()
    created = response.json()
    read = client.get(f"/api/v1/bookings/{created['reference']}/").json()
    assert created == read
    assert created["lines"][0]["cancellation_tiers"][0]["days_before"] == 5


# --- packages: the fixed departure's places are a counter taken last -------------------------


def _book_package(package, start, adults=2):
    from bookings.package_lines import PackageLineRequest

    return services.booking_hold(
        lines=[],
        package_lines=[
            PackageLineRequest(
                package=package, start_date=start, pax=PaxMix.of(adults=adults), terms_accepted=True
            )
        ],
        channel="web",
        contact_name="Anna",
        contact_email="anna@example.com",
    )


def test_a_packages_departure_is_taken_with_the_counters_after_the_inserts(trip, day):  # noqa: F811
    package = trip["package"]
    package.departure_mode = "fixed"
    package.save()
    departure = DepartureFactory(package=package, date=day, capacity=10, min_pax=1)
    with CaptureQueriesContext(connection) as queries:
        _book_package(package, day, adults=3)
    sql = [q["sql"] for q in queries.captured_queries]
    assert not any("FOR UPDATE" in s for s in sql)
    counters = [
        i
        for i, s in enumerate(sql)
        if s.startswith(('UPDATE "operators_', 'UPDATE "packages_departure"'))
    ]
    assert sql[counters[-1]].startswith('UPDATE "packages_departure"')
    assert max(i for i, s in enumerate(sql) if s.startswith("INSERT")) < counters[0]
    departure.refresh_from_db()
    assert departure.booked_pax == 3


def test_a_full_departure_refuses_with_its_own_wording(trip, day):  # noqa: F811
    from packages.services import DepartureFull

    departure = DepartureFactory(package=trip["package"], date=day, capacity=3, min_pax=1)
    with transaction.atomic():
        _take([_Need("departure", departure.pk, 2)], as_state="held")
    with pytest.raises(DepartureFull) as refused, transaction.atomic():
        _take([_Need("departure", departure.pk, 2)], as_state="held")
    assert refused.value.code == "sold_out"
    assert str(refused.value.message) == "Only 1 places left on this departure."
    departure.refresh_from_db()
    assert departure.booked_pax == 2


# --- allotments: recorded on the allocation, so a traveller's release reads none -------------


def test_releasing_a_travellers_hold_reads_no_allotment():
    product, slot = bookable_experience(capacity=10)
    booking = _hold(product, slot, adults=2)
    assert list(Allocation.objects.values_list("from_allotment", flat=True)) == [False]
    with CaptureQueriesContext(connection) as queries:
        services.booking_cancel(booking=booking, reason="buyer")
    assert not any("allotments_" in q["sql"] for q in queries.captured_queries)
    slot.refresh_from_db()
    assert slot.held == 0


def test_a_partners_hold_from_its_allotment_is_recorded_and_given_back():
    from allotments.models import AllotmentDay
    from allotments.services import allotment_create

    partner = OrganisationFactory(kind="trade", subkind="tour_operator")
    product, slot = bookable_experience(capacity=10)
    allotment_create(
        partner=partner,
        product=product,
        start_date=slot.date,
        end_date=slot.date,
        quantity=3,
        release_days=1,
    )
    booking = _hold(product, slot, adults=2, buyer_organisation=partner, channel="api")
    assert list(Allocation.objects.values_list("from_allotment", flat=True)) == [True]
    slot.refresh_from_db()
    assert slot.held == 3  # the allotment's three places, two of them now the booking's
    services.booking_cancel(booking=booking, reason="buyer")
    slot.refresh_from_db()
    assert slot.held == 3
    assert AllotmentDay.objects.get(slot=slot).used == 0


def test_a_cancelled_departure_refuses_as_before(trip, day):  # noqa: F811
    from django.core.exceptions import ValidationError

    departure = DepartureFactory(package=trip["package"], date=day, capacity=3, min_pax=1)
    type(departure).objects.filter(pk=departure.pk).update(status="cancelled")
    with pytest.raises(ValidationError) as refused, transaction.atomic():
        _take([_Need("departure", departure.pk, 1)], as_state="held")
    assert "departure" in refused.value.message_dict
    departure.refresh_from_db()
    assert departure.booked_pax == 0


@pytest.mark.parametrize(
    ("given", "field"),
    [
        ({"contact_email": "not-an-email"}, "contact_email"),
        ({"contact_name": "A" * 201}, "contact_name"),
        ({"language": "it-IT-x"}, "language"),
        ({"buyer_reference": "R" * 61}, "buyer_reference"),
    ],
)
def test_what_the_caller_gives_is_validated_and_nothing_is_held(given, field):
    """The hold validates the caller's fields only (the rest it computes itself): a bad one
    is refused on that field, before any row or place is taken."""
    from django.core.exceptions import ValidationError

    product, slot = bookable_experience(capacity=10)
    fields = {"contact_name": "Anna", "contact_email": "anna@example.com", **given}
    with pytest.raises(ValidationError) as refused:
        services.booking_hold(
            lines=[LineRequest(product=product, day=slot.date, slot=slot, pax=PaxMix.of(adults=1))],
            channel="web",
            **fields,
        )
    assert field in refused.value.message_dict
    slot.refresh_from_db()
    assert slot.held == 0
    assert not Booking.objects.exists()
