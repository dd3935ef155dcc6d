"""Amendments are checked against the inventory the booking already holds plus what is free:
a group shrinks in a sold-out hotel."""

from datetime import timedelta
from decimal import Decimal

import pytest

from bookings import services
from bookings.models import Allocation, AllocationState
from operators.models import NightInventory
from operators.pricing import PaxMix
from tests.bookings.test_views_backoffice import dmc_client  # noqa: F401 - fixture
from tests.operators.factories import bookable_experience, bookable_stay

pytestmark = pytest.mark.django_db


def _group_in_a_full_hotel(rooms=12):
    hotel, room, start = bookable_stay(units=rooms, price="120.00", net="100.00")
    room.max_occupancy = 2
    room.save()
    booking = services.booking_hold(
        lines=[
            services.LineRequest(
                product=hotel,
                day=start,
                unit_type=room,
                check_out=start + timedelta(days=2),
                units=rooms,
                pax=PaxMix.of(adults=2 * rooms),
            )
        ],
        channel="web",
        contact_name="Group",
        contact_email="group@example.com",
    )
    services.booking_confirm(booking=booking)
    nights = NightInventory.objects.filter(unit_type=room, date__lt=start + timedelta(days=2))
    assert all(n.units - n.sold - n.held == 0 for n in nights)  # sold out
    return booking, room, start


def test_a_group_of_24_becomes_20_adults_in_a_sold_out_hotel():
    booking, room, _start = _group_in_a_full_hotel()
    line = booking.lines.get()
    preview = services.amendment_preview(line=line, pax=PaxMix.of(adults=20), units=10)
    assert preview.problem is None
    assert preview.difference == Decimal("-480.00")  # 2 rooms x 2 nights x 120
    services.booking_amend(
        line=line, pax=PaxMix.of(adults=20), units=10, expected_total=preview.new_total
    )
    line.refresh_from_db()
    assert (line.quantity, line.persons) == (10, 20)
    live = Allocation.objects.filter(line=line, state=AllocationState.SOLD)
    assert {a.quantity for a in live} == {10}
    night = NightInventory.objects.filter(unit_type=room).order_by("date").first()
    assert (night.sold, night.held) == (10, 0)


def test_only_the_pax_change_keeps_the_same_rooms_in_a_sold_out_hotel():
    booking, _room, _start = _group_in_a_full_hotel()
    line = booking.lines.get()
    preview = services.amendment_preview(line=line, pax=PaxMix.of(adults=20))
    assert preview.problem is None
    services.booking_amend(line=line, pax=PaxMix.of(adults=20))
    line.refresh_from_db()
    assert (line.quantity, line.persons) == (12, 20)


def test_growing_beyond_the_hotel_is_still_refused():
    booking, _room, _start = _group_in_a_full_hotel()
    line = booking.lines.get()
    preview = services.amendment_preview(line=line, pax=PaxMix.of(adults=26), units=13)
    assert preview.problem
    with pytest.raises((services.SoldOut, services.BookingError)):
        services.booking_amend(line=line, pax=PaxMix.of(adults=26), units=13)


def test_a_full_slot_lets_its_own_group_shrink():
    product, slot = bookable_experience(capacity=10)
    booking = services.booking_hold(
        lines=[
            services.LineRequest(
                product=product, day=slot.date, slot=slot, pax=PaxMix.of(adults=10)
            )
        ],
        channel="web",
        contact_name="Group",
        contact_email="group@example.com",
    )
    line = booking.lines.get()
    assert services.amendment_preview(line=line, pax=PaxMix.of(adults=8)).problem is None
    services.booking_amend(line=line, pax=PaxMix.of(adults=8))
    slot.refresh_from_db()
    assert slot.held == 8


def test_the_back_office_form_changes_rooms_nights_and_pax_with_the_shown_total(dmc_client):  # noqa: F811
    from django.urls import reverse

    booking, room, start = _group_in_a_full_hotel()
    line = booking.lines.get()
    url = reverse("bookings:backoffice_amend", args=[booking.reference, line.pk])
    page = dmc_client.get(url).content.decode()
    for field in ("check_out", "unit_type", "units", "adults", "children_ages"):
        assert f'name="{field}"' in page
    data = {
        "day": start.isoformat(),
        "check_out": (start + timedelta(days=1)).isoformat(),  # one night less
        "unit_type": room.pk,
        "units": 10,
        "adults": 20,
        "seniors": 0,
        "children_ages": "",
        "infants": 0,
    }
    preview = dmc_client.post(url, {**data, "action": "preview"}).context["preview"]
    assert preview.problem is None
    assert preview.new_total == Decimal("1200.00")  # 10 rooms x 1 night x 120
    response = dmc_client.post(
        url, {**data, "action": "confirm", "expected_total": "1300.00"}, follow=True
    )
    line.refresh_from_db()
    assert line.quantity == 12  # a total the user did not see is refused
    dmc_client.post(url, {**data, "action": "confirm", "expected_total": str(preview.new_total)})
    line.refresh_from_db()
    assert (line.quantity, line.persons, line.end_date) == (10, 20, start + timedelta(days=1))
    assert response.status_code == 200
