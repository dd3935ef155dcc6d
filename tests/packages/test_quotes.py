from datetime import time, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from operators.models import NightInventory
from operators.pricing import PaxMix
from packages.models import Package
from packages.quotes import package_month_availability, round_up
from packages.services import package_quote
from tests.operators.factories import (
    GoodsFactory,
    RateFactory,
    SlotFactory,
    StockFactory,
    bookable_experience,
    bookable_stay,
)

from .factories import ChildReductionFactory, ComponentFactory, PackageFactory, SeasonPriceFactory

pytestmark = pytest.mark.django_db


def quote(package, day, **pax):
    return package_quote(package=package, start_date=day, pax=PaxMix.of(**pax))


def test_a_package_is_priced_from_its_components_and_names_what_it_takes(trip, day):
    q = quote(trip["package"], day, adults=2)
    assert q.available, q.problems
    assert q.components_retail == Decimal("300.00")  # 2 × 30 + 2 nights × 120
    assert q.net_total == Decimal("248.00")
    assert q.retail_total == Decimal("300.00")
    assert q.per_person == Decimal("150.00")
    assert q.margin == Decimal("52.00")
    assert q.margin_vat == Decimal("9.38")  # 52 × 22/122
    assert q.vat_regime == "margin_74ter"
    tour, stay = q.lines
    assert tour.slot_id == trip["slot"].pk and tour.seats == 2 and tour.date == day
    assert stay.unit_type_id == trip["room"].pk
    assert (stay.check_in, stay.check_out, stay.units) == (day, day + timedelta(days=2), 1)
    assert {o["name"] for o in q.operators} == {
        trip["tour"].organisation.name,
        trip["hotel"].organisation.name,
    }
    assert q.as_dict()["lines"][1]["check_out"] == (day + timedelta(days=2)).isoformat()


def test_a_sold_out_component_makes_the_package_unavailable(trip, day):
    slot = trip["slot"]
    slot.sold = slot.capacity - 1
    slot.save()
    q = quote(trip["package"], day, adults=2)
    assert not q.available
    assert any("sold out" in p for p in q.problems)


def test_a_sold_out_night_makes_the_package_unavailable(trip, day):
    NightInventory.objects.filter(unit_type=trip["room"], date=day + timedelta(days=1)).update(
        sold=15
    )
    q = quote(trip["package"], day, adults=2)
    assert not q.available
    assert any("Sold out on the night" in p for p in q.problems)


def test_the_alternative_replaces_a_sold_out_component(trip, day):
    alt, alt_slot = bookable_experience(capacity=10, adult="35.00", net="28.00")
    component = trip["tour_component"]
    component.alternative_product = alt
    component.save()
    trip["slot"].sold = trip["slot"].capacity
    trip["slot"].save()

    q = quote(trip["package"], day, adults=2)

    assert q.available, q.problems
    line = q.lines[0]
    assert line.is_alternative and line.product_id == alt.pk and line.slot_id == alt_slot.pk
    assert line.retail == Decimal("70.00")
    # the alternative sold out too: unavailable, and the message names the first product
    alt_slot.sold = 10
    alt_slot.save()
    q = quote(trip["package"], day, adults=2)
    assert not q.available and trip["tour"].title in q.problems[0]


def test_an_alternative_hotel_replaces_a_full_one(trip, day):
    _hotel2, room2, _ = bookable_stay(units=4, nights=3, price="90.00", net="75.00")
    stay = trip["stay_component"]
    stay.alternative_product, stay.alternative_unit_type = room2.product, room2
    stay.save()
    NightInventory.objects.filter(unit_type=trip["room"], date=day).update(closed=True)
    q = quote(trip["package"], day, adults=2)
    assert q.available and q.lines[1].unit_type_id == room2.pk
    assert q.lines[1].retail == Decimal("180.00")


def test_slot_rules_fixed_time_first_after_and_traveller_chooses(trip, day):
    late = SlotFactory(product=trip["tour"], date=day, start_time=time(15, 0), capacity=30)
    component = trip["tour_component"]
    component.slot_rule, component.time = "fixed_time", time(15, 0)
    component.save()
    assert quote(trip["package"], day, adults=2).lines[0].slot_id == late.pk
    component.slot_rule, component.time = "first_after", time(9, 0)
    component.save()
    assert quote(trip["package"], day, adults=2).lines[0].slot_id == trip["slot"].pk
    component.slot_rule, component.time = "fixed_time", time(18, 0)
    component.save()
    assert not quote(trip["package"], day, adults=2).available
    component.slot_rule, component.time = "traveller_chooses", None
    component.save()
    line = quote(trip["package"], day, adults=2).lines[0]
    assert line.slot_choices == [trip["slot"].pk, late.pk]


def test_markup_percent_with_rounding_up_to_a_step(trip, day):
    Package.objects.filter(pk=trip["package"].pk).update(
        markup_value=Decimal("7"), rounding_step=Decimal("5.00")
    )
    q = quote(Package.objects.get(pk=trip["package"].pk), day, adults=2)
    # 300 × 1.07 = 321 → 160.50 per person → up to 165
    assert q.per_person == Decimal("165.00")
    assert q.retail_total == Decimal("330.00")
    assert q.margin == Decimal("82.00")


def test_markup_amount_per_person(trip, day):
    Package.objects.filter(pk=trip["package"].pk).update(
        markup_kind="amount", markup_value=Decimal("20"), rounding_step=Decimal("1.00")
    )
    q = quote(Package.objects.get(pk=trip["package"].pk), day, adults=2)
    assert q.per_person == Decimal("170.00")
    assert q.retail_total == Decimal("340.00")


def test_group_bands_of_the_components_and_free_places_for_leaders(trip, day):
    RateFactory(
        product=trip["tour"],
        min_group=20,
        retail_price=Decimal("25.00"),
        net_price=Decimal("20.00"),
    )
    Package.objects.filter(pk=trip["package"].pk).update(
        free_place_every=20, rounding_step=Decimal("1.00")
    )
    q = quote(Package.objects.get(pk=trip["package"].pk), day, adults=24)
    assert q.available, q.problems
    # tour at the group band: 24 × 25; 12 rooms × 2 nights × 120
    assert q.components_retail == Decimal("3480.00")
    assert q.net_total == Decimal("2880.00")  # 24 × 20 + 12 × 2 × 100
    assert q.free_places == 1  # 24 // 21
    assert q.per_person == Decimal("152.00")  # 3480 / 23 paying = 151.30 → 152
    assert q.retail_total == Decimal("3496.00")  # 23 paying


def test_fixed_price_by_season_with_bands_single_supplement_and_child_reduction(trip, day):
    package = trip["package"]
    package.pricing_mode = "fixed"
    package.save()
    SeasonPriceFactory(package=package, price_per_person=Decimal("300.00"), single_supplement=50)
    SeasonPriceFactory(package=package, min_group=10, price_per_person=Decimal("280.00"))
    ChildReductionFactory(package=package, age_min=0, age_max=11, reduction_percent=50)

    q = quote(package, day, adults=2, children_ages=[8])
    # 2 × 300 + child 150 + one person alone in the second room: 50
    assert q.single_supplements == 1
    assert q.retail_total == Decimal("800.00")
    assert q.per_person == Decimal("266.67")
    assert q.net_total == Decimal("472.00")  # tour 3 × 24 + 2 rooms × 2 nights × 100
    assert q.margin == q.retail_total - q.net_total

    group = quote(package, day, adults=12)
    assert group.retail_total == Decimal("3360.00")  # the 10+ band: 12 × 280, no singles
    assert group.single_supplements == 0


def test_optional_extras_are_added_only_when_chosen(trip, day):
    wine = GoodsFactory()
    RateFactory(product=wine, pax_category="unit", retail_price=Decimal("40.00"), net_price=30)
    StockFactory(product=wine, quantity=5)
    extra = ComponentFactory(
        package=trip["package"],
        product=wine,
        day_offset=2,
        required=False,
        quantity_rule="per_group",
    )
    assert len(quote(trip["package"], day, adults=2).lines) == 2
    q = package_quote(
        package=trip["package"], start_date=day, pax=PaxMix(adults=2), extras=[extra.pk]
    )
    assert q.available and q.lines[-1].quantity == 1 and q.lines[-1].retail == Decimal("40.00")
    StockFactory._meta.model.objects.filter(product=wine).update(sold=5)
    q = package_quote(
        package=trip["package"], start_date=day, pax=PaxMix(adults=2), extras=[extra.pk]
    )
    assert not q.available and "stock" in q.problems[0]


def test_rooms_can_be_given_by_the_buyer(trip, day):
    q = package_quote(
        package=trip["package"],
        start_date=day,
        pax=PaxMix(adults=2),
        rooms={trip["stay_component"].pk: 2},
    )
    assert q.lines[1].units == 2 and q.lines[1].retail == Decimal("480.00")


def test_dates_pax_and_status_are_checked(trip, day):
    package = trip["package"]
    assert (
        "offered from"
        in quote(package, package.valid_until + timedelta(days=1), adults=2).problems[0]
    )
    package.max_pax = 4
    package.save()
    assert any("At most 4" in p for p in quote(package, day, adults=5).problems)
    package.status = "unpublished"
    package.save()
    q = quote(package, day, adults=2)
    assert not q.available and q.problems[0] == "This package is not on sale."


def test_a_product_archived_later_stops_the_package_without_breaking(trip, day):
    from packages.selectors import packages_for_builder
    from packages.services import package_flag_archived_products

    trip["tour"].status = "archived"
    trip["tour"].save()
    q = quote(trip["package"], day, adults=2)
    assert not q.available and "no longer on sale" in q.problems[0]
    assert packages_for_builder().get(pk=trip["package"].pk).has_broken_component
    flagged = package_flag_archived_products()
    assert [p.pk for p in flagged] == [trip["package"].pk]
    trip["package"].refresh_from_db()
    assert (
        trip["package"].needs_attention and trip["tour"].title in trip["package"].attention_reason
    )
    # fixed: the flag is cleared
    trip["tour"].status = "published"
    trip["tour"].save()
    assert package_flag_archived_products() == []
    trip["package"].refresh_from_db()
    assert not trip["package"].needs_attention


def _queries(package, day, pax):
    with CaptureQueriesContext(connection) as ctx:
        package_quote(package=Package.objects.get(pk=package.pk), start_date=day, pax=pax)
    return len(ctx.captured_queries)


def test_the_query_count_of_a_quote_does_not_grow_with_days_or_components(day):
    short = PackageFactory(duration_days=2, duration_nights=1)
    long = PackageFactory(duration_days=8, duration_nights=7)
    for package, n in ((short, 1), (long, 7)):
        hotel, room, _ = bookable_stay(units=5, nights=8)
        ComponentFactory(package=package, product=hotel, unit_type=room, quantity_rule="per_room")
        for offset in range(n + 1):
            tour, _slot = bookable_experience(days_ahead=10 + offset)
            ComponentFactory(package=package, product=tour, day_offset=offset)
    pax = PaxMix(adults=2)
    assert package_quote(package=long, start_date=day, pax=pax).available
    assert _queries(short, day, pax) == _queries(long, day, pax) <= 10


def test_a_quote_of_a_package_in_hand_costs_four_queries(trip, day, django_assert_num_queries):
    # components with their products, suppliers and unit types; their rates; slots; nights.
    # The package itself is not read again, nor its fixed prices when it is priced from its
    # components.
    package = Package.objects.get(pk=trip["package"].pk)
    with django_assert_num_queries(4):
        q = package_quote(package=package, start_date=day, pax=PaxMix(adults=2))
    assert q.available and q.retail_total == Decimal("300.00")


def test_a_fixed_price_quote_also_reads_its_season_prices_and_child_reductions(
    trip, day, django_assert_num_queries
):
    package = trip["package"]
    package.pricing_mode = "fixed"
    package.save()
    SeasonPriceFactory(package=package, price_per_person=Decimal("200.00"))
    package = Package.objects.get(pk=package.pk)
    with django_assert_num_queries(6):
        q = package_quote(package=package, start_date=day, pax=PaxMix(adults=2))
    assert q.available, q.problems
    assert q.retail_total == Decimal("400.00")


def test_a_second_quote_of_the_same_instance_reads_the_rates_afresh(trip, day):
    package = Package.objects.get(pk=trip["package"].pk)
    assert quote(package, day, adults=2).components_retail == Decimal("300.00")
    trip["tour"].rates.update(retail_price=Decimal("40.00"))
    assert quote(package, day, adults=2).components_retail == Decimal("320.00")
    assert not getattr(package, "_prefetched_objects_cache", {})


def test_the_quote_reads_no_deferred_column(trip, day, django_assert_num_queries):
    """The quote loads only the product columns it uses: a line names its product and
    supplier, and a product off sale or out of its dates says so, without a further query."""
    trip["tour"].available_until = day - timedelta(days=1)
    trip["tour"].save()
    package = Package.objects.get(pk=trip["package"].pk)
    with django_assert_num_queries(4):
        q = package_quote(package=package, start_date=day, pax=PaxMix(adults=2))
    tour, stay = q.lines
    assert tour.problem and trip["tour"].title in tour.problem
    assert tour.product_slug == trip["tour"].slug
    assert stay.organisation_name == trip["hotel"].organisation.name
    assert stay.vat_rate == trip["hotel"].vat_rate


def test_the_month_calendar_marks_each_day(trip, day):
    trip["slot"].sold = trip["slot"].capacity
    trip["slot"].save()
    next_day = day + timedelta(days=1)
    SlotFactory(product=trip["tour"], date=next_day, capacity=30)
    with CaptureQueriesContext(connection) as ctx:
        days = package_month_availability(
            Package.objects.get(pk=trip["package"].pk), month=day, pax=PaxMix(adults=2)
        )
    assert len(ctx.captured_queries) <= 10
    by_date = {d.date: d for d in days}
    assert by_date[day].state == "sold_out"
    if next_day.month == day.month:
        assert by_date[next_day].state == "available"
        assert by_date[next_day].per_person == Decimal("150.00")


def test_round_up():
    assert round_up(Decimal("160.01"), Decimal("5")) == Decimal("165.00")
    assert round_up(Decimal("160.00"), Decimal("5")) == Decimal("160.00")
    assert round_up(Decimal("10.001"), Decimal("0.01")) == Decimal("10.01")


def test_the_calendar_of_a_fixed_departure_package_offers_only_its_departures(trip, day):
    from .factories import DepartureFactory

    package = trip["package"]
    package.departure_mode = "fixed"
    package.save()
    DepartureFactory(package=package, date=day, capacity=10)
    days = package_month_availability(
        Package.objects.get(pk=package.pk), month=day, pax=PaxMix(adults=2)
    )
    states = {d.date: d.state for d in days}
    assert states[day] == "available"
    assert {s for d, s in states.items() if d != day} == {"closed"}
