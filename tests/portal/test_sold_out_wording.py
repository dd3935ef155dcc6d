"""Issue 10 item 10: "sold out" only of what is sold out. The storefront's and the operator's
calendars say what a day is (no times, closed, sold out, too few places); an availability
error reaches a traveller as the wording of its code, in their language, never as the code
or as a message matched from text."""

from datetime import time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from bookings import services
from bookings.models import Booking
from marketplace.errors import WORDING, user_message
from operators.models import NightInventory
from operators.pricing import PaxMix
from tests.operators.factories import SlotFactory, bookable_experience, bookable_stay

pytestmark = pytest.mark.django_db


def _query(day, **extra):
    return {"start": day.isoformat(), "end": (day + timedelta(days=1)).isoformat(), **extra}


def test_the_storefront_calendar_says_what_each_day_is(client):
    product, slot = bookable_experience(capacity=10, days_ahead=3)  # bookable
    day = slot.date
    SlotFactory(product=product, date=day + timedelta(1), capacity=4, sold=4)  # full
    SlotFactory(product=product, date=day + timedelta(2), status="closed")  # closed
    SlotFactory(product=product, date=day + timedelta(3), capacity=4, sold=3)  # 1 left
    # day + 4: no slot at all
    response = client.get(f"/en/discover/{product.slug}/", _query(day, adults=2))
    cells = {c.day: c for week in response.context["calendar"] for c in week}
    assert cells[day].state == "available"
    assert [cells[day + timedelta(i)].state for i in range(1, 5)] == [
        "sold_out",
        "closed",
        "too_few_places",
        "no_times",
    ]
    html = response.content.decode()
    assert 'data-state="no_times">no times<' in html
    assert 'data-state="closed">closed<' in html
    assert html.count('data-state="sold_out">sold out<') == 1


def test_a_sold_out_choice_is_told_by_its_code_in_the_visitors_language(client):
    product, slot = bookable_experience(capacity=1, days_ahead=3)
    response = client.post(
        f"/de/discover/{product.slug}/book/",
        {
            **_query(slot.date, adults=2),
            "choice": f"slot:{slot.pk}:1",
            "contact_name": "Lena Vogel",
            "contact_email": "lena@example.de",
        },
        follow=True,
    )
    assert not Booking.objects.exists()
    shown = [str(m) for m in response.context["messages"]]
    with translation.override("de"):
        expected = str(WORDING["sold_out"])
    assert shown == [expected]
    with translation.override("en"):
        assert expected != str(WORDING["sold_out"])  # translated
    assert "sold_out" not in response.content.decode()


def test_a_closed_night_is_closed_not_sold_out():
    hotel, room, start = bookable_stay(units=3)
    NightInventory.objects.filter(unit_type=room, date=start).update(closed=True)
    with pytest.raises(services.SoldOut) as exc:
        services.booking_hold(
            lines=[
                services.LineRequest(
                    product=hotel,
                    day=start,
                    unit_type=room,
                    check_out=start + timedelta(days=2),
                    units=1,
                    pax=PaxMix.of(adults=2),
                )
            ],
            channel="web",
            contact_name="Anna",
            contact_email="anna@example.com",
        )
    assert exc.value.code == "closed"
    assert user_message(exc.value) == str(WORDING["closed"])
    NightInventory.objects.filter(unit_type=room, date=start).update(closed=False, sold=3)
    with pytest.raises(services.SoldOut) as exc:
        services.booking_hold(
            lines=[
                services.LineRequest(
                    product=hotel,
                    day=start,
                    unit_type=room,
                    check_out=start + timedelta(days=2),
                    units=1,
                    pax=PaxMix.of(adults=2),
                )
            ],
            channel="web",
            contact_name="Anna",
            contact_email="anna@example.com",
        )
    assert exc.value.code == "sold_out"


def test_the_package_page_says_no_departures_rather_than_full(client):
    from tests.packages.factories import ComponentFactory, PackageFactory

    package = PackageFactory(duration_days=1, duration_nights=0)
    tour, slot = bookable_experience(capacity=10, days_ahead=3)
    ComponentFactory(package=package, product=tour, day_offset=0)
    response = client.get(
        reverse("discover_package", args=[package.slug]),
        {"start": slot.date.isoformat(), "adults": 2},
    )
    html = response.content.decode()
    assert 'data-state="no_departures">no departures<' in html
    assert ">full<" not in html


def test_the_operators_calendar_says_closed_full_and_no_slots(owner_client, operator_org):
    product, slot = bookable_experience(organisation=operator_org, capacity=2, days_ahead=3)
    slot.sold = 2
    slot.save()
    SlotFactory(product=product, date=slot.date, start_time=time(15, 0), status="closed")
    url = reverse("operators:calendar", args=[product.pk])
    html = owner_client.get(url, {"month": slot.date.strftime("%Y-%m")}).content.decode()
    assert '<span class="ops-state">full</span>' in html
    assert '<span class="ops-state">closed</span>' in html
    assert 'data-state="no_slots"' in html


def test_the_operators_calendar_shows_a_closed_night_as_closed(owner_client, operator_org):
    hotel, room, start = bookable_stay(organisation=operator_org, units=3)
    NightInventory.objects.filter(unit_type=room, date=start).update(closed=True)
    NightInventory.objects.filter(unit_type=room, date=start + timedelta(1)).update(sold=3)
    url = reverse("operators:calendar", args=[hotel.pk])
    html = owner_client.get(
        url, {"month": start.strftime("%Y-%m"), "unit": room.pk}
    ).content.decode()
    assert 'data-state="closed">closed<' in html
    assert 'data-state="sold_out"' in html
    assert timezone.localdate()  # the page rendered for today
