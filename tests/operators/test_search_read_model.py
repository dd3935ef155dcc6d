"""The search's read model (operators/readmodel.py) on PostgreSQL: triggers keep it equal to the
counters through every kind of write, and the search answers the same with it as without."""

from datetime import time, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import F
from django.utils import timezone

from bookings.services import LineRequest, booking_cancel, booking_hold
from operators import readmodel
from operators.models import NightInventory, Product, ProductDay, Rate, Slot
from operators.pricing import PaxMix
from operators.selectors import SearchCriteria, availability_search
from tests.operators.factories import (
    RateFactory,
    SlotFactory,
    bookable_experience,
    bookable_stay,
)

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="the read model is kept by PostgreSQL triggers"
    ),
]


def remaining(product, day):
    row = ProductDay.objects.filter(product=product, date=day).first()
    return row.remaining if row else None


def test_the_read_model_follows_slots_through_every_kind_of_write():
    product, slot = bookable_experience(capacity=10)
    assert remaining(product, slot.date) == 10
    later = SlotFactory(product=product, date=slot.date, start_time=time(16), capacity=4)
    assert remaining(product, slot.date) == 10  # the largest slot of the day

    Slot.objects.filter(pk=slot.pk).update(held=F("held") + 7)  # a hold, as the engine does
    assert remaining(product, slot.date) == 4
    Slot.objects.filter(pk=slot.pk).update(held=F("held") - 7, sold=F("sold") + 9)
    assert remaining(product, slot.date) == 4
    later.status = "closed"
    later.save()  # a full save of an object, as a form does
    assert remaining(product, slot.date) == 1
    Slot.objects.filter(pk=slot.pk).update(sold=10)
    assert remaining(product, slot.date) is None  # sold out: no row
    Slot.objects.filter(pk=later.pk).update(status="open")
    assert remaining(product, slot.date) == 4
    Slot.objects.filter(pk=later.pk).update(date=slot.date + timedelta(days=1))  # moved
    assert remaining(product, slot.date) is None
    assert remaining(product, slot.date + timedelta(days=1)) == 4
    Slot.objects.filter(pk=later.pk).delete()
    assert remaining(product, slot.date + timedelta(days=1)) is None
    assert readmodel.differences() == []


def test_the_read_model_follows_nights_and_unit_types():
    hotel, unit_type, start = bookable_stay(units=5, nights=3)
    assert remaining(hotel, start) == 5
    NightInventory.objects.filter(unit_type=unit_type, date=start).update(sold=2, held=1)
    assert remaining(hotel, start) == 2
    NightInventory.objects.filter(unit_type=unit_type, date=start).update(closed=True)
    assert remaining(hotel, start) is None
    unit_type.delete()  # its nights go with it
    assert not ProductDay.objects.filter(product=hotel).exists()
    assert readmodel.differences() == []


def test_price_from_follows_the_rates_even_when_a_stale_product_is_saved():
    product, slot = bookable_experience(adult="30.00")
    stale = Product.objects.get(pk=product.pk)
    assert stale.price_from == Decimal("30.00")
    cheaper = RateFactory(product=product, retail_price=Decimal("25.00"), net_price=Decimal("20"))
    assert Product.objects.get(pk=product.pk).price_from == Decimal("25.00")
    stale.save()  # an edit form saving the object it read before the new rate
    assert Product.objects.get(pk=product.pk).price_from == Decimal("25.00")
    Rate.objects.filter(pk=cheaper.pk).update(retail_price=Decimal("40.00"))
    assert Product.objects.get(pk=product.pk).price_from == Decimal("30.00")
    Rate.objects.filter(product=product).delete()
    assert Product.objects.get(pk=product.pk).price_from is None
    assert readmodel.differences() == []


def test_a_deleted_product_leaves_no_rows():
    product, slot = bookable_experience()
    assert ProductDay.objects.filter(product=product).exists()
    Rate.objects.filter(product=product).delete()
    Slot.objects.filter(product=product).delete()
    product.delete()
    assert not ProductDay.objects.filter(product_id=product.pk).exists()


def test_holds_and_cancellations_of_the_booking_engine_move_the_read_model():
    product, slot = bookable_experience(capacity=6)
    booking = booking_hold(
        lines=[LineRequest(product=product, day=slot.date, slot=slot, pax=PaxMix.of(adults=4))],
        channel="web",
        contact_name="Ada",
        contact_email="ada@example.com",
    )
    assert remaining(product, slot.date) == 2
    booking_cancel(booking=booking, reason="buyer")
    assert remaining(product, slot.date) == 6
    assert readmodel.differences() == []


def test_the_search_answers_the_same_with_and_without_the_read_model(monkeypatch):
    today = timezone.localdate()
    small, small_slot = bookable_experience(capacity=3, days_ahead=5, adult="15.00", net="12.00")
    big, big_slot = bookable_experience(capacity=30, days_ahead=6, adult="45.00")
    Slot.objects.filter(pk=big_slot.pk).update(sold=27)
    now_slot_product, _ = bookable_experience(capacity=5, days_ahead=0)
    hotel, unit_type, start = bookable_stay(units=2, nights=4, days_ahead=5)
    NightInventory.objects.filter(unit_type=unit_type, date=start + timedelta(days=2)).update(
        sold=2
    )
    cases = []
    for adults in (1, 2, 3, 4):
        for first, last in ((0, 7), (5, 5), (6, 6), (5, 6), (7, 9)):
            cases.append(
                SearchCriteria(
                    start=today + timedelta(days=first),
                    end=today + timedelta(days=last),
                    pax=PaxMix.of(adults=adults),
                )
            )
    cases.append(
        SearchCriteria(start=start, end=start + timedelta(days=2), pax=PaxMix.of(adults=2))
    )
    cases.append(
        SearchCriteria(start=start, end=start + timedelta(days=3), pax=PaxMix.of(adults=2))
    )
    cases.append(
        SearchCriteria(
            start=today, end=today + timedelta(days=9), pax=PaxMix.of(adults=2), max_price=20
        )
    )
    with_model = [sorted(p.pk for p in availability_search(criteria=c)) for c in cases]
    monkeypatch.setattr(readmodel, "enabled", lambda: False)
    without = [sorted(p.pk for p in availability_search(criteria=c)) for c in cases]
    assert with_model == without
    assert any(small.pk in found for found in with_model)
    assert any(hotel.pk in found for found in with_model)
    assert any(not found for found in with_model)


def test_the_check_command_finds_a_tampered_row_and_rebuild_repairs_it():
    from django.core.management import CommandError, call_command

    product, slot = bookable_experience(capacity=10)
    with connection.cursor() as cursor:  # what no write path can do: change the model itself
        cursor.execute(
            "UPDATE operators_productday SET remaining = 99 WHERE product_id = %s", [product.pk]
        )
    with pytest.raises(CommandError):
        call_command("search_readmodel")
    call_command("search_readmodel", "--rebuild")
    assert remaining(product, slot.date) == 10
