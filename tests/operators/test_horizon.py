"""Issue 10 item 9: inventory beyond one year, bulk edits that say what they did, the nightly
price in the calendar, the iCal feed's VTIMEZONE."""

from datetime import date, time, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from operators import inventory, services
from operators.models import NightInventory, Slot
from tests.operators.factories import (
    AccommodationFactory,
    ProductFactory,
    RateFactory,
    SlotFactory,
    UnitTypeFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def apartment(operator_org):
    hotel = AccommodationFactory(organisation=operator_org)
    return UnitTypeFactory(product=hotel, units=4)


def test_the_horizon_is_at_least_two_years_and_follows_the_setting(settings):
    settings.INVENTORY_HORIZON_DAYS = 100
    assert inventory.horizon_days() == 731
    settings.INVENTORY_HORIZON_DAYS = 1100
    assert inventory.horizon_days() == 1100


def test_roll_forward_opens_nights_and_slots_up_to_the_horizon(apartment, settings):
    settings.INVENTORY_HORIZON_DAYS = 800
    tour = ProductFactory(available_from=None, available_until=None)
    tour.schedules.create(
        weekdays="1234567", start_time=time(10), capacity=10, valid_from=timezone.localdate()
    )
    services.inventory_roll_forward()
    limit = timezone.localdate() + timedelta(days=800)
    assert apartment.nights.order_by("-date").first().date == limit
    assert tour.slots.order_by("-date").first().date == limit


def test_a_bulk_edit_up_to_2036_says_what_it_changed_and_what_it_could_not(apartment):
    """The reproduction: a bulk edit up to 2036 said "333 nights changed" and skipped the
    rest silently."""
    today = timezone.localdate()
    services.nights_generate(unit_type=apartment, horizon_days=300)
    end = date(2036, 12, 31)
    result = services.nights_bulk_update(
        unit_type=apartment, start=today, end=end, changes={"min_stay": 2}
    )
    limit = inventory.horizon_end()
    assert result.changed == (limit - today).days + 1
    assert result.opened == (limit - today).days - 300
    assert apartment.nights.filter(min_stay=2).count() == result.changed
    [beyond] = result.skipped
    assert beyond.days[0] == limit + timedelta(days=1) and beyond.days[-1] == end
    message = result.message()
    assert f"{result.changed} nights changed" in message
    assert f"{len(beyond.days)} days not changed" in message
    assert "beyond the booking horizon" in message


def test_a_bulk_edit_with_a_weekday_filter_touches_only_those_days(apartment):
    start = timezone.localdate() + timedelta(days=7)
    start += timedelta(days=(5 - start.isoweekday()) % 7)  # a Friday
    result = services.nights_bulk_update(
        unit_type=apartment,
        start=start,
        end=start + timedelta(days=27),
        changes={"price_override": Decimal("180.00")},
        weekdays="56",
    )
    assert result.changed == 8 and result.opened == 8
    days = set(
        apartment.nights.filter(price_override=Decimal("180.00")).values_list("date", flat=True)
    )
    assert {d.isoweekday() for d in days} == {5, 6} and len(days) == 8


def test_a_bulk_edit_reports_days_outside_the_bookable_dates_and_in_the_past(apartment):
    today = timezone.localdate()
    product = apartment.product
    product.available_until = today + timedelta(days=10)
    product.save()
    result = services.nights_bulk_update(
        unit_type=apartment,
        start=today - timedelta(days=2),
        end=today + timedelta(days=14),
        changes={"closed": True},
    )
    assert result.changed == 11
    reasons = {s.reason: len(s.days) for s in result.skipped}
    assert reasons == {"in the past": 2, "outside the listing's bookable dates": 4}


def test_a_bulk_edit_below_booked_units_changes_nothing_and_names_the_nights(apartment):
    day = timezone.localdate() + timedelta(days=20)
    services.nights_generate(unit_type=apartment, start=day, horizon_days=5)
    NightInventory.objects.filter(unit_type=apartment, date=day).update(sold=3)
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as exc:
        services.nights_bulk_update(
            unit_type=apartment, start=day, end=day + timedelta(days=5), changes={"units": 1}
        )
    assert day.isoformat() in exc.value.message_dict["units"][0]
    assert set(apartment.nights.values_list("units", flat=True)) == {4}


def test_the_calendar_loads_june_2028_with_the_nightly_price(owner_client, apartment):
    """The reproduction: June 2028 could not be loaded."""
    season_rate = RateFactory(
        product=apartment.product,
        unit_type=apartment,
        pax_category="unit",
        retail_price=Decimal("120.00"),
        net_price=Decimal("96.00"),
    )
    services.inventory_roll_forward()
    day = date(2028, 6, 14)
    assert day <= inventory.horizon_end()  # two years from December 2026 reach it
    services.nights_bulk_update(
        unit_type=apartment, start=day, end=day, changes={"price_override": Decimal("150")}
    )
    url = reverse("operators:calendar", args=[apartment.product.pk])
    response = owner_client.get(url, {"month": "2028-06", "unit": apartment.pk})
    assert response.status_code == 200
    cells = {c.day: c for week in response.context["weeks"] for c in week}
    assert cells[date(2028, 6, 13)].night is not None
    assert cells[date(2028, 6, 13)].price == season_rate.retail_price
    assert cells[day].price == Decimal("150.00") and cells[day].overridden
    page = response.content.decode()
    assert "€ 120" in page and "€ 150" in page
    assert "beyond the booking horizon" not in page
    far = owner_client.get(url, {"month": "2031-01", "unit": apartment.pk})
    assert "beyond the booking horizon" in far.content.decode()


def test_the_calendar_bulk_form_reports_skipped_days(owner_client, apartment):
    url = reverse("operators:calendar", args=[apartment.product.pk])
    today = timezone.localdate()
    response = owner_client.post(
        url,
        {
            "form": "night_bulk",
            "unit_type": apartment.pk,
            "start": today.isoformat(),
            "end": "2036-12-31",
            "weekdays": list("1234567"),
            "min_stay": 3,
        },
        follow=True,
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert "nights changed" in text and "beyond the booking horizon" in text


def test_slot_bulk_edit_reports_days_without_slots(operator_org):
    product = ProductFactory(organisation=operator_org)
    day = timezone.localdate() + timedelta(days=3)
    SlotFactory(product=product, date=day, capacity=10)
    result = services.slots_bulk_update(
        product=product, start=day, end=day + timedelta(days=2), status="closed"
    )
    assert result.changed == 1
    assert [len(s.days) for s in result.skipped] == [2]
    assert Slot.objects.get().status == "closed"


def test_the_ical_feed_has_the_vtimezone_of_its_times(client, operator_org):
    product = ProductFactory(organisation=operator_org)
    SlotFactory(product=product, date=timezone.localdate() + timedelta(days=3))
    token = services.product_ical_token(product=product)
    response = client.get(reverse("operators:ical_feed", args=[token]))
    calendar = Calendar.from_ical(response.content)
    zones = calendar.walk("VTIMEZONE")
    assert [z["TZID"] for z in zones] == ["Europe/Rome"]
    event = calendar.walk("VEVENT")[0]
    assert event["DTSTART"].params["TZID"] == "Europe/Rome"
    assert b"BEGIN:STANDARD" in response.content and b"BEGIN:DAYLIGHT" in response.content
