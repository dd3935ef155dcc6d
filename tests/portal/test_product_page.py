"""The product page: an availability calendar priced for the party, one booking form with one
radio per option, the price split per category, and a bad choice refused cleanly."""

from datetime import time, timedelta

import pytest
from django.utils import timezone

from bookings.models import Booking
from tests.operators.factories import SlotFactory, bookable_experience, bookable_stay

pytestmark = pytest.mark.django_db


def _query(day, **extra):
    return {"start": day.isoformat(), "end": (day + timedelta(days=1)).isoformat(), **extra}


def test_calendar_shows_bookable_days_with_the_price_for_the_party(client):
    product, slot = bookable_experience(capacity=10, days_ahead=3)
    response = client.get(f"/en/discover/{product.slug}/", _query(slot.date, adults=3))
    calendar = response.context["calendar"]
    cells = {cell.day: cell for week in calendar for cell in week}
    assert cells[slot.date].price == 90  # 3 adults x 30
    assert not cells[slot.date - timedelta(days=1)].bookable
    html = response.content.decode()
    assert "€ 90" in html and 'class="availability-calendar"' in html


def test_sold_out_days_are_not_bookable_in_the_calendar(client):
    product, slot = bookable_experience(capacity=1, days_ahead=3)
    response = client.get(f"/en/discover/{product.slug}/", _query(slot.date, adults=2))
    cells = {cell.day: cell for week in response.context["calendar"] for cell in week}
    assert not cells[slot.date].bookable


def test_one_booking_form_per_product_with_one_radio_per_slot(client):
    product, slot = bookable_experience(capacity=10, days_ahead=3)
    SlotFactory(product=product, date=slot.date, capacity=10, start_time=time(15, 0))
    html = client.get(f"/en/discover/{product.slug}/", _query(slot.date, adults=2)).content.decode()
    assert html.count(f'action="/en/discover/{product.slug}/book/"') == 1
    assert html.count('name="choice"') == 2
    assert html.count('name="contact_email"') == 1
    assert "2 × Adult" in html or "2 × adult" in html.lower()


def test_booking_through_the_chosen_radio(client):
    product, slot = bookable_experience(capacity=10, days_ahead=3)
    response = client.post(
        f"/en/discover/{product.slug}/book/",
        {
            **_query(slot.date, adults=2),
            "choice": f"slot:{slot.pk}:1",
            "contact_name": "Lena Vogel",
            "contact_email": "lena@example.de",
        },
    )
    assert response.status_code == 302
    slot.refresh_from_db()
    assert slot.held == 2
    assert Booking.objects.get().contact_email == "lena@example.de"


def test_tampered_choice_is_refused_and_nothing_is_held(client):
    product, slot = bookable_experience(capacity=10, days_ahead=3)
    response = client.post(
        f"/en/discover/{product.slug}/book/",
        {
            **_query(slot.date, adults=2),
            "choice": "slot:abc",
            "contact_name": "Lena Vogel",
            "contact_email": "lena@example.de",
        },
        follow=True,
    )
    assert "Choose one of the options shown." in response.content.decode()
    assert not Booking.objects.exists()


def test_stay_page_has_radios_for_room_types(client):
    hotel, unit_type, start = bookable_stay(units=2)
    html = client.get(
        f"/en/discover/{hotel.slug}/",
        {"start": start.isoformat(), "end": (start + timedelta(days=2)).isoformat(), "adults": 2},
    ).content.decode()
    assert f'value="unit:{unit_type.pk}:1"' in html
    assert timezone.localdate() <= start


def test_package_page_lists_departures_and_start_dates(client):
    from packages.models import Departure, DepartureMode
    from tests.packages.conftest import trip as trip_fixture

    trip = trip_fixture.__wrapped__(None)
    package = trip["package"]
    package.status = "published"
    package.departure_mode = DepartureMode.FIXED
    package.save()
    day = trip["slot"].date
    Departure.objects.create(package=package, date=day, capacity=16, booked_pax=4)
    html = client.get(f"/en/discover/packages/{package.slug}/").content.decode()
    assert 'id="departures"' in html
    assert "12 places left" in html
    assert f"?start={day.isoformat()}" in html


def test_arriving_without_dates_the_calendar_leads(client):
    from datetime import timedelta

    from tests.operators.factories import bookable_experience as _experience

    product, _slot = _experience(days_ahead=12)
    page = client.get(f"/en/discover/{product.slug}/").content.decode()
    assert "Pick a day in the calendar to see its times and book." in page
    assert "Not available for these dates and party." not in page
    day = (_slot.date + timedelta(days=1)).isoformat()
    dated = client.get(f"/en/discover/{product.slug}/?start={day}&end={day}&adults=2")
    assert "Not available for these dates and party." in dated.content.decode()
