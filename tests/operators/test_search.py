"""The availability search: a database query over slots and nights, priced for the pax mix."""

from datetime import time, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from operators.models import Language, Theme
from operators.pricing import PaxMix
from operators.selectors import (
    SearchCriteria,
    availability_options,
    availability_search,
    availability_search_page,
)
from tests.factories import OrganisationFactory, comune
from tests.operators.factories import (
    GoodsFactory,
    ProductFactory,
    RateFactory,
    SlotFactory,
    StockFactory,
    bookable_experience,
    bookable_stay,
)

pytestmark = pytest.mark.django_db


def criteria(start, end=None, **kwargs):
    pax = kwargs.pop("pax", PaxMix.of(adults=2))
    return SearchCriteria(start=start, end=end or start, pax=pax, **kwargs)


def slugs(qs):
    return {p.slug for p in qs}


def test_an_experience_with_a_free_slot_is_found_with_its_price():
    product, slot = bookable_experience(capacity=10, adult="30.00", net="24.00")
    found = availability_search(criteria=criteria(slot.date))
    assert slugs(found) == {product.slug}
    [result] = availability_options(list(found), criteria=criteria(slot.date))
    assert [o.slot.pk for o in result.slots] == [slot.pk]
    assert result.slots[0].quote.retail_total == Decimal("60.00")
    assert result.best_price == Decimal("60.00")


def test_a_sold_out_slot_is_not_bookable_and_a_slot_too_small_for_the_party_neither():
    product, slot = bookable_experience(capacity=10)
    slot.sold, slot.held = 8, 1
    slot.save()
    assert not availability_search(criteria=criteria(slot.date)).exists()  # 1 left, 2 asked
    assert availability_search(criteria=criteria(slot.date, pax=PaxMix.of(adults=1))).exists()
    slot.sold = 9
    slot.save()
    assert not availability_search(criteria=criteria(slot.date, pax=PaxMix.of(adults=1))).exists()


def test_a_closed_slot_and_a_draft_product_are_not_found_but_the_owner_sees_its_draft():
    product, slot = bookable_experience(status="draft")
    assert not availability_search(criteria=criteria(slot.date)).exists()
    assert availability_search(
        criteria=criteria(slot.date), organisation=product.organisation
    ).exists()
    other = OrganisationFactory()
    assert not availability_search(criteria=criteria(slot.date), organisation=other).exists()
    product.status = "published"
    product.save()
    slot.status = "closed"
    slot.save()
    assert not availability_search(criteria=criteria(slot.date)).exists()


def test_the_party_must_fit_min_and_max_pax():
    product, slot = bookable_experience(capacity=50, min_pax=4, max_pax=8)
    assert not availability_search(criteria=criteria(slot.date)).exists()
    assert availability_search(criteria=criteria(slot.date, pax=PaxMix.of(adults=5))).exists()
    assert not availability_search(criteria=criteria(slot.date, pax=PaxMix.of(adults=9))).exists()


def test_per_unit_services_need_units_for_the_party():
    product, slot = bookable_experience(
        kind="service", pricing_unit="per_unit", max_pax=4, capacity=2
    )
    product.rates.update(pax_category="unit", retail_price=Decimal("80.00"), net_price=64)
    c = criteria(slot.date, pax=PaxMix.of(adults=6))  # two vehicles of 4
    [result] = availability_options(list(availability_search(criteria=c)), criteria=c)
    assert result.slots[0].units == 2
    assert result.slots[0].quote.retail_total == Decimal("160.00")
    assert not availability_search(criteria=criteria(slot.date, pax=PaxMix.of(adults=9))).exists()


def test_filters_comune_kind_theme_language_price_and_text():
    lucca, capannori = comune("Lucca"), comune("Capannori")
    wine, _slot = bookable_experience(
        comune=capannori, title_it="Degustazione", title_en="Wine tasting", adult="45.00"
    )
    walk, slot = bookable_experience(
        comune=lucca, title_it="Passeggiata", title_en="Walls walk", adult="15.00", net="12.00"
    )
    wine.themes.add(Theme.objects.get(slug="food-wine"))
    walk.languages.add(Language.objects.get(code="de"))
    day = slot.date
    assert slugs(availability_search(criteria=criteria(day, comune="046007"))) == {wine.slug}
    assert slugs(availability_search(criteria=criteria(day, theme="food-wine"))) == {wine.slug}
    assert slugs(availability_search(criteria=criteria(day, language="de"))) == {walk.slug}
    assert slugs(availability_search(criteria=criteria(day, max_price=Decimal("20")))) == {
        walk.slug
    }
    assert slugs(availability_search(criteria=criteria(day, min_price=Decimal("20")))) == {
        wine.slug
    }
    assert slugs(availability_search(criteria=criteria(day, q="walls"))) == {walk.slug}
    assert slugs(availability_search(criteria=criteria(day, kind="accommodation"))) == set()


def test_a_stay_respects_the_minimum_stay_of_the_arrival_night():
    hotel, unit_type, start = bookable_stay(nights=7)
    two_nights = criteria(start, start + timedelta(days=2))
    assert availability_search(criteria=two_nights).exists()
    arrival = unit_type.nights.get(date=start)
    arrival.min_stay = 3
    arrival.save()
    assert not availability_search(criteria=two_nights).exists()
    assert availability_search(criteria=criteria(start, start + timedelta(days=3))).exists()
    # the unit type's own minimum applies when the night says nothing
    arrival.min_stay = None
    arrival.save()
    unit_type.min_stay = 4
    unit_type.save()
    assert not availability_search(criteria=criteria(start, start + timedelta(days=3))).exists()


def test_closed_to_arrival_and_to_departure_and_a_sold_out_night():
    hotel, unit_type, start = bookable_stay(nights=7, units=2)
    stay = criteria(start + timedelta(days=1), start + timedelta(days=3))
    assert availability_search(criteria=stay).exists()
    night = unit_type.nights.get(date=start + timedelta(days=1))
    night.closed_to_arrival = True
    night.save()
    assert not availability_search(criteria=stay).exists()
    # arriving the day before and staying through it is fine
    assert availability_search(criteria=criteria(start, start + timedelta(days=3))).exists()
    departure = unit_type.nights.get(date=start + timedelta(days=3))
    departure.closed_to_departure = True
    departure.save()
    assert not availability_search(criteria=criteria(start, start + timedelta(days=3))).exists()
    middle = unit_type.nights.get(date=start + timedelta(days=4))
    middle.sold = 2
    middle.save()
    assert not availability_search(criteria=criteria(start, start + timedelta(days=6))).exists()


def test_children_must_fit_the_unit_and_a_big_party_needs_more_units():
    hotel, unit_type, start = bookable_stay(
        nights=3, units=2, standard_occupancy=2, max_occupancy=2, max_children=0
    )
    end = start + timedelta(days=2)
    family = PaxMix.of(adults=1, children_ages=[8])
    assert not availability_search(criteria=criteria(start, end, pax=family)).exists()
    unit_type.max_children = 1
    unit_type.save()
    assert availability_search(criteria=criteria(start, end, pax=family)).exists()
    four = criteria(start, end, pax=PaxMix.of(adults=4))
    [result] = availability_options(list(availability_search(criteria=four)), criteria=four)
    assert result.stays[0].units == 2
    assert result.stays[0].quote.retail_total == Decimal("480.00")  # 2 rooms x 2 nights x 120
    assert not availability_search(criteria=criteria(start, end, pax=PaxMix.of(adults=5))).exists()


def test_goods_in_stock_are_found_and_sold_out_goods_are_not():
    goods = GoodsFactory()
    RateFactory(product=goods, pax_category="unit", retail_price=Decimal("18.00"), net_price=15)
    stock = StockFactory(product=goods, quantity=3)
    day = timezone.localdate() + timedelta(days=2)
    assert slugs(availability_search(criteria=criteria(day, kind="goods"))) == {goods.slug}
    stock.sold = 3
    stock.save()
    assert not availability_search(criteria=criteria(day, kind="goods")).exists()


def test_a_product_without_any_price_is_not_offered():
    product = ProductFactory()
    SlotFactory(product=product)
    assert not availability_search(criteria=criteria(timezone.localdate() + timedelta(days=10)))


def test_the_query_count_does_not_grow_with_the_results():
    day = timezone.localdate() + timedelta(days=5)

    def run():
        c = criteria(day, day + timedelta(days=6))
        with CaptureQueriesContext(connection) as ctx:
            total, results = availability_search_page(criteria=c, limit=50)
        return total, len(ctx.captured_queries)

    bookable_experience(days_ahead=5)
    bookable_stay(days_ahead=5)
    total_small, small = run()
    for i in range(6):
        product, _slot = bookable_experience(days_ahead=5 + i)
        SlotFactory(product=product, date=day, start_time=time(16, 0))
        bookable_stay(days_ahead=5, nights=7)
    total_big, big = run()
    assert total_big > total_small
    assert big == small


def test_a_search_page_takes_ids_first_and_never_counts_beyond_the_page():
    from operators.selectors import search_page

    day = timezone.localdate() + timedelta(days=10)
    for i in range(5):
        bookable_experience(title=f"Walk {i}")
    queryset = availability_search(criteria=criteria(day))
    with CaptureQueriesContext(connection) as ctx:
        whole = search_page(queryset, limit=10, offset=0)
    assert (whole.total, whole.at_least, whole.has_more) == (5, False, False)
    assert len(ctx.captured_queries) == 2  # ids, then the page: nothing to count
    assert [p.title for p in whole.rows] == sorted(p.title for p in whole.rows)

    with CaptureQueriesContext(connection) as ctx:
        first = search_page(queryset, limit=2, offset=0)
    assert len(ctx.captured_queries) == 2  # a full page followed by another: no count either
    assert [p.pk for p in first.rows] == [p.pk for p in whole.rows[:2]]
    assert (first.total, first.at_least, first.has_more) == (2, True, True)  # "more than 2"
    middle = search_page(queryset, limit=2, offset=2)
    assert [p.pk for p in middle.rows] == [p.pk for p in whole.rows[2:4]]
    assert (middle.total, middle.at_least, middle.has_more) == (4, True, True)
    last = search_page(queryset, limit=2, offset=4)
    assert [p.pk for p in last.rows] == [whole.rows[4].pk]
    assert (last.total, last.at_least, last.has_more) == (5, False, False)
    exact = search_page(queryset, limit=5, offset=0)  # a full last page knows its total
    assert (exact.total, exact.at_least, exact.has_more) == (5, False, False)
    beyond = search_page(queryset, limit=2, offset=20)
    assert (beyond.rows, beyond.total, beyond.at_least) == ([], 5, False)
