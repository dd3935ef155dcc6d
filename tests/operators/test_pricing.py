from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from operators.availability import stay_problem
from operators.pricing import PaxMix, price_product
from tests.operators.factories import (
    ProductFactory,
    RateFactory,
    SeasonFactory,
    bookable_stay,
)

pytestmark = pytest.mark.django_db


def test_adults_children_by_age_band_and_infants():
    product = ProductFactory()
    RateFactory(product=product, retail_price=Decimal("40.00"), net_price=Decimal("32.00"))
    RateFactory(
        product=product,
        pax_category="child",
        age_min=6,
        age_max=12,
        retail_price=Decimal("20.00"),
        net_price=Decimal("16.00"),
    )
    day = timezone.localdate() + timedelta(days=5)
    quote = price_product(product, day=day, pax=PaxMix.of(adults=2, children_ages=[8, 14, 3]))
    # 2 adults + child 14 (no band: adult rate) + child 3 (no band: adult rate) + child 8
    assert quote.retail_total == Decimal("180.00")
    assert quote.net_total == Decimal("144.00")
    assert quote.commission == Decimal("36.00")


def test_a_season_rate_wins_over_the_all_year_rate_and_group_bands_apply():
    product = ProductFactory()
    season = SeasonFactory(
        product=product,
        start_date=timezone.localdate(),
        end_date=timezone.localdate() + timedelta(days=30),
    )
    RateFactory(product=product, retail_price=Decimal("30.00"), net_price=Decimal("24.00"))
    RateFactory(
        product=product, season=season, retail_price=Decimal("35.00"), net_price=Decimal("28.00")
    )
    RateFactory(
        product=product,
        season=season,
        min_group=20,
        retail_price=Decimal("25.00"),
        net_price=Decimal("20.00"),
    )
    day = timezone.localdate() + timedelta(days=3)
    assert price_product(product, day=day, pax=PaxMix.of(adults=2)).retail_total == Decimal("70.00")
    assert price_product(
        product, day=day + timedelta(days=60), pax=PaxMix.of(adults=2)
    ).retail_total == Decimal("60.00")
    group = price_product(product, day=day, pax=PaxMix.of(adults=20))
    assert group.retail_total == Decimal("500.00")


def test_free_places_for_group_leaders():
    product = ProductFactory(free_place_every=20)
    RateFactory(product=product, retail_price=Decimal("10.00"), net_price=Decimal("8.00"))
    day = timezone.localdate() + timedelta(days=3)
    quote = price_product(product, day=day, pax=PaxMix.of(adults=21))
    assert quote.free_places == 1
    assert quote.retail_total == Decimal("200.00")
    assert quote.net_total == Decimal("160.00")
    assert price_product(product, day=day, pax=PaxMix.of(adults=20)).free_places == 0


def test_a_child_without_age_is_refused():
    with pytest.raises(ValidationError):
        PaxMix.of(adults=1, children_ages=[None])


def test_stay_price_uses_night_overrides_and_checks_min_stay_and_arrival():
    hotel, unit_type, start = bookable_stay(nights=4, price="100.00", net="80.00")
    night = unit_type.nights.get(date=start + timedelta(days=1))
    night.price_override = Decimal("150.00")
    night.save()
    quote = price_product(
        hotel,
        day=start,
        check_out=start + timedelta(days=3),
        unit_type=unit_type,
        units=2,
        pax=PaxMix.of(adults=4),
        nights_by_date={n.date: n for n in unit_type.nights.all()},
    )
    assert quote.retail_total == Decimal("700.00")  # (100 + 150 + 100) x 2 rooms
    assert (
        stay_problem(
            unit_type,
            check_in=start,
            check_out=start + timedelta(days=2),
            units=2,
            pax=PaxMix.of(adults=4),
        )
        is None
    )
    arrival = unit_type.nights.get(date=start)
    arrival.closed_to_arrival = True
    arrival.save()
    assert "Arrival" in stay_problem(
        unit_type,
        check_in=start,
        check_out=start + timedelta(days=2),
        units=1,
        pax=PaxMix.of(adults=2),
    )
    arrival.closed_to_arrival = False
    arrival.min_stay = 3
    arrival.save()
    assert "minimum stay" in stay_problem(
        unit_type,
        check_in=start,
        check_out=start + timedelta(days=2),
        units=1,
        pax=PaxMix.of(adults=2),
    )


def test_stay_refuses_too_many_guests_and_children():
    _hotel, unit_type, start = bookable_stay(standard_occupancy=2, max_occupancy=3, max_children=1)
    end = start + timedelta(days=2)
    assert (
        stay_problem(unit_type, check_in=start, check_out=end, units=1, pax=PaxMix.of(adults=4))
        is not None
    )
    assert (
        stay_problem(
            unit_type,
            check_in=start,
            check_out=end,
            units=1,
            pax=PaxMix.of(adults=1, children_ages=[4, 6]),
        )
        is not None
    )
    assert (
        stay_problem(
            unit_type,
            check_in=start,
            check_out=end,
            units=1,
            pax=PaxMix.of(adults=2, children_ages=[4]),
        )
        is None
    )


def test_a_sold_out_night_blocks_the_stay():
    _hotel, unit_type, start = bookable_stay(units=1)
    night = unit_type.nights.get(date=start + timedelta(days=1))
    night.sold = 1
    night.save()
    problem = stay_problem(
        unit_type,
        check_in=start,
        check_out=start + timedelta(days=3),
        units=1,
        pax=PaxMix.of(adults=2),
    )
    assert "Sold out" in problem
