"""Allotments: taken from free inventory or refused, drawn first by the partner's bookings,
given back on cancellation before release, released by the periodic task."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from allotments import services
from allotments.errors import AllotmentOverInventory
from allotments.models import AllotmentDay, AllotmentStatus
from allotments.selectors import allotment_usage, release_report
from bookings import services as bookings
from bookings.models import CancelReason
from bookings.services import LineRequest, SoldOut
from operators.models import NightInventory, Slot
from operators.pricing import PaxMix
from outbox import registry
from outbox.models import OutboxMessage
from tests.allotments.factories import experience_allotment, stay_allotment, trade_partner
from tests.faults.checks import assert_counters_equal_allocations
from tests.operators.factories import bookable_experience, bookable_stay

pytestmark = pytest.mark.django_db


def book_stay(allotment, *, partner=None, units=1, nights=2, offset=0):
    unit_type = allotment.unit_type
    day = allotment.start_date + timedelta(days=offset)
    return bookings.booking_hold(
        lines=[
            LineRequest(
                product=allotment.product,
                day=day,
                unit_type=unit_type,
                check_out=day + timedelta(days=nights),
                units=units,
                pax=PaxMix.of(adults=2 * units),
            )
        ],
        channel="trade",
        contact_name="Jonas Weber",
        contact_email="jonas@example.de",
        buyer_organisation=partner,
        hold_for=timedelta(days=3) if partner else None,
    )


def book_seats(product, slot, *, partner=None, seats=1):
    return bookings.booking_hold(
        lines=[LineRequest(product=product, day=slot.date, slot=slot, pax=PaxMix.of(adults=seats))],
        channel="trade" if partner else "web",
        contact_name="Jonas Weber",
        contact_email="jonas@example.de",
        buyer_organisation=partner,
        hold_for=timedelta(days=3) if partner else None,
    )


def nights_of(allotment):
    return list(NightInventory.objects.filter(allotment_days__allotment=allotment).order_by("date"))


def test_an_allotment_holds_its_places_on_the_counters():
    allotment = stay_allotment(units=5, nights=3, quantity=2)
    assert [n.held for n in nights_of(allotment)] == [2, 2, 2]
    assert [d["allotted"] for d in allotment_usage(allotment)] == [2, 2, 2]
    assert_counters_equal_allocations()


def test_an_allotment_larger_than_free_inventory_is_refused_per_day_and_nothing_taken():
    partner = trade_partner()
    hotel, unit_type, start = bookable_stay(units=3, nights=4)
    book_stay_plain = bookings.booking_hold(
        lines=[
            LineRequest(
                product=hotel,
                day=start + timedelta(days=1),
                unit_type=unit_type,
                check_out=start + timedelta(days=3),
                units=2,
                pax=PaxMix.of(adults=4),
            )
        ],
        channel="web",
        contact_name="A",
        contact_email="a@example.com",
    )
    assert book_stay_plain.pk
    with pytest.raises(AllotmentOverInventory) as refused:
        services.allotment_create(
            partner=partner,
            product=hotel,
            unit_type=unit_type,
            start_date=start,
            end_date=start + timedelta(days=3),
            quantity=2,
            release_days=7,
        )
    assert refused.value.code == "allotment_over_inventory"
    assert len(refused.value.problems) == 2  # the two nights with one room left
    assert all("1 free, 2 asked" in p for p in refused.value.problems)
    assert not partner.allotments.exists()
    assert [n.held for n in NightInventory.objects.filter(unit_type=unit_type).order_by("date")][
        :4
    ] == [0, 2, 2, 0]


def test_a_per_day_override_and_bad_input():
    partner = trade_partner()
    hotel, unit_type, start = bookable_stay(units=5, nights=3)
    allotment = services.allotment_create(
        partner=partner,
        product=hotel,
        unit_type=unit_type,
        start_date=start,
        end_date=start + timedelta(days=2),
        quantity=2,
        release_days=7,
        overrides={start + timedelta(days=1): 4},
    )
    assert [d["allotted"] for d in allotment_usage(allotment)] == [2, 4, 2]
    with pytest.raises(ValidationError) as bad:
        services.allotment_create(
            partner=partner,
            product=hotel,
            unit_type=None,
            start_date=start,
            end_date=start - timedelta(days=1),
            quantity=0,
            release_days=7,
        )
    assert {"unit_type", "end_date", "quantity"} <= set(bad.value.message_dict)
    with pytest.raises(ValidationError):
        services.allotment_create(
            partner=hotel.organisation,  # an operator, not a trade partner
            product=hotel,
            unit_type=unit_type,
            start_date=start,
            end_date=start,
            quantity=1,
            release_days=7,
        )


def test_the_partner_draws_on_its_allotment_first_then_general_sale():
    allotment = stay_allotment(units=5, nights=4, quantity=2)
    partner = allotment.partner
    booking = book_stay(allotment, partner=partner, units=3, nights=2)
    nights = nights_of(allotment)
    # 2 rooms from the allotment (already held) + 1 from general sale on the two nights
    assert [n.held for n in nights] == [3, 3, 2, 2]
    usage = allotment_usage(allotment)
    assert [d["used"] for d in usage] == [2, 2, 0, 0]
    assert booking.allotment_draws.count() == 2
    assert_counters_equal_allocations()
    bookings.booking_confirm(booking=booking)
    nights = nights_of(allotment)
    assert [(n.held, n.sold) for n in nights[:2]] == [(0, 3), (0, 3)]
    assert_counters_equal_allocations()


def test_a_partner_books_nights_that_only_its_allotment_has_free():
    allotment = stay_allotment(units=2, nights=2, quantity=2)
    with pytest.raises(SoldOut):
        book_stay(allotment, partner=None, units=1, nights=1)  # general sale: nothing left
    other = trade_partner()
    with pytest.raises(SoldOut):
        book_stay(allotment, partner=other, units=1, nights=1)
    booking = book_stay(allotment, partner=allotment.partner, units=2, nights=2)
    assert booking.pk
    assert_counters_equal_allocations()


def test_another_partners_booking_never_draws_on_the_allotment():
    allotment = stay_allotment(units=5, nights=2, quantity=2)
    book_stay(allotment, partner=trade_partner(), units=3, nights=2)
    assert [d["used"] for d in allotment_usage(allotment)] == [0, 0]
    assert [n.held for n in nights_of(allotment)] == [5, 5]
    assert_counters_equal_allocations()


def test_cancellation_before_release_returns_the_places_to_the_allotment():
    allotment = stay_allotment(units=5, nights=2, quantity=2)
    booking = book_stay(allotment, partner=allotment.partner, units=3, nights=2)
    bookings.booking_confirm(booking=booking)
    bookings.booking_cancel(booking=booking, reason=CancelReason.BUYER)
    assert [d["used"] for d in allotment_usage(allotment)] == [0, 0]
    assert [(n.held, n.sold) for n in nights_of(allotment)] == [(2, 0), (2, 0)]
    draws = list(booking.allotment_draws.all())
    assert sum(d.returned for d in draws) == 4
    assert_counters_equal_allocations()


def test_an_expired_option_gives_its_places_back_to_the_allotment():
    allotment, slot = experience_allotment(capacity=10, quantity=4)
    booking = book_seats(allotment.product, slot, partner=allotment.partner, seats=3)
    bookings.holds_release_expired(now=timezone.now() + timedelta(days=30))
    booking.refresh_from_db()
    assert booking.status == "cancelled"
    assert allotment_usage(allotment)[0]["used"] == 0
    slot.refresh_from_db()
    assert slot.held == 4
    assert_counters_equal_allocations()


def test_cancellation_after_release_returns_the_places_to_general_sale():
    allotment = stay_allotment(units=5, nights=2, quantity=2, release_days=3)
    booking = book_stay(allotment, partner=allotment.partner, units=1, nights=2)
    bookings.booking_confirm(booking=booking)
    later = timezone.now() + timedelta(days=30)
    assert services.allotments_release_due(now=later) == 2
    bookings.booking_cancel(booking=booking, reason=CancelReason.BUYER)
    usage = allotment_usage(allotment)
    assert [(d["used"], d["released"]) for d in usage] == [(1, 1), (1, 1)]
    assert [(n.held, n.sold) for n in nights_of(allotment)] == [(0, 0), (0, 0)]
    assert sum(d.freed for d in booking.allotment_draws.all()) == 2
    assert_counters_equal_allocations()


def test_an_amendment_keeps_drawing_on_the_allotment():
    allotment = stay_allotment(units=5, nights=4, quantity=2)
    booking = book_stay(allotment, partner=allotment.partner, units=2, nights=2)
    line = booking.lines.get()
    bookings.booking_amend(line=line, day=allotment.start_date + timedelta(days=2))
    assert [d["used"] for d in allotment_usage(allotment)] == [0, 0, 2, 2]
    assert [n.held for n in nights_of(allotment)] == [2, 2, 2, 2]
    assert_counters_equal_allocations()


def test_release_is_idempotent_publishes_the_event_and_feeds_the_report(
    monkeypatch, django_capture_on_commit_callbacks
):
    seen = []
    registry.register("tests.allotments.released", lambda **payload: seen.append(payload))
    monkeypatch.setitem(
        registry._subscribers, services.RELEASED_TOPIC, ["tests.allotments.released"]
    )
    allotment = stay_allotment(units=5, nights=3, quantity=3, release_days=5)
    book_stay(allotment, partner=allotment.partner, units=1, nights=1)
    start = allotment.start_date
    # the first night's release date (start - 5 days) has come, the others not yet
    moment = timezone.make_aware(
        timezone.datetime.combine(start - timedelta(days=5), timezone.datetime.min.time())
    ) + timedelta(hours=12)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.allotments_release_due(now=moment) == 1
        assert services.allotments_release_due(now=moment) == 0
    usage = allotment_usage(allotment)
    assert [(d["used"], d["released"], d["is_released"]) for d in usage] == [
        (1, 2, True),
        (0, 0, False),
        (0, 0, False),
    ]
    assert [n.held for n in nights_of(allotment)] == [1, 3, 3]
    assert seen == [{"allotment_id": allotment.pk, "partner_id": allotment.partner_id}]
    assert OutboxMessage.objects.filter(handler="tests.allotments.released").count() == 1
    report = release_report(partner_id=allotment.partner_id)
    assert [(r["date"], r["allotted"], r["used"], r["released"]) for r in report] == [
        (start, 3, 1, 2)
    ]
    assert report[0]["released_at"] == moment
    assert_counters_equal_allocations()
    # a booking after the release takes from general sale, not from the released day
    book_stay(allotment, partner=allotment.partner, units=1, nights=1)
    assert allotment_usage(allotment)[0]["used"] == 1
    assert_counters_equal_allocations()


def test_resize_enlarges_within_free_inventory_and_never_below_what_is_booked():
    allotment = stay_allotment(units=5, nights=2, quantity=2)
    book_stay(allotment, partner=allotment.partner, units=2, nights=1)
    first, second = allotment.start_date, allotment.start_date + timedelta(days=1)
    with pytest.raises(AllotmentOverInventory) as refused:
        services.allotment_update(allotment=allotment, quantities={first: 1, second: 6})
    assert len(refused.value.problems) == 2
    assert [d["allotted"] for d in allotment_usage(allotment)] == [2, 2]
    services.allotment_update(allotment=allotment, quantities={first: 5, second: 0})
    assert [n.held for n in nights_of(allotment)] == [5, 0]
    assert [d["allotted"] for d in allotment_usage(allotment)] == [5, 0]
    assert_counters_equal_allocations()


def test_closing_returns_the_unsold_places_and_keeps_the_booked_ones():
    allotment = stay_allotment(units=5, nights=2, quantity=2)
    booking = book_stay(allotment, partner=allotment.partner, units=1, nights=2)
    services.allotment_close(allotment=allotment)
    allotment.refresh_from_db()
    assert allotment.status == AllotmentStatus.CLOSED
    assert [n.held for n in nights_of(allotment)] == [1, 1]
    assert not AllotmentDay.objects.filter(allotment=allotment, released_at__isnull=True).exists()
    assert_counters_equal_allocations()
    bookings.booking_cancel(booking=booking, reason=CancelReason.BUYER)
    assert [n.held for n in nights_of(allotment)] == [0, 0]
    assert_counters_equal_allocations()


def test_an_experience_allotment_reserves_seats_per_slot():
    partner = trade_partner()
    product, slot = bookable_experience(capacity=6)
    Slot.objects.filter(pk=slot.pk).update(held=3)
    with pytest.raises(AllotmentOverInventory):
        services.allotment_create(
            partner=partner,
            product=product,
            start_date=slot.date,
            end_date=slot.date,
            quantity=4,
            release_days=2,
        )
    Slot.objects.filter(pk=slot.pk).update(held=0)
    allotment = services.allotment_create(
        partner=partner,
        product=product,
        start_date=slot.date,
        end_date=slot.date,
        quantity=4,
        release_days=2,
    )
    book_seats(product, slot, partner=partner, seats=5)
    slot.refresh_from_db()
    assert slot.held == 5
    assert allotment_usage(allotment)[0]["used"] == 4
    assert_counters_equal_allocations()
