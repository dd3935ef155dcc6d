"""A package whose rooms are free only in the partner's allotment: the partner quotes and holds
it (the rooms drawn from its allotment), another partner and the public are refused."""

from datetime import timedelta

import pytest
from django.db.models import Sum
from rest_framework.test import APIClient

from allotments.models import AllotmentDraw
from bookings import services as bookings
from bookings.package_lines import PackageLineRequest
from operators.models import NightInventory
from operators.pricing import PaxMix
from packages.quotes import package_month_availability, package_quote
from tests.allotments.factories import stay_allotment, trade_partner
from tests.factories import api_key_for
from tests.faults.checks import assert_counters_equal_allocations
from tests.packages.factories import ComponentFactory, PackageFactory
from tradeportal.selectors import GroupSearch, group_search

pytestmark = pytest.mark.django_db


@pytest.fixture
def case():
    """A 3-day, 2-night package of one double room at a hotel whose 2 rooms are both in
    partner A's allotment on those nights: sold out in general sale."""
    partner_a, partner_b = trade_partner(name="Partner A"), trade_partner(name="Partner B")
    allotment = stay_allotment(partner=partner_a, units=2, nights=2, quantity=2)
    package = PackageFactory()
    ComponentFactory(
        package=package,
        product=allotment.product,
        unit_type=allotment.unit_type,
        day_offset=0,
        quantity_rule="per_room",
        room_occupancy=2,
    )
    nights = NightInventory.objects.filter(unit_type=allotment.unit_type)
    assert all(n.units - n.sold - n.held == 0 for n in nights if n.date < allotment.end_date)
    return {"a": partner_a, "b": partner_b, "package": package, "start": allotment.start_date}


def _hold(case, organisation):
    return bookings.booking_hold(
        lines=[],
        package_lines=[
            PackageLineRequest(
                package=case["package"],
                start_date=case["start"],
                pax=PaxMix.of(adults=2),
                terms_accepted=True,
            )
        ],
        channel="trade",
        contact_name="Jonas Weber",
        contact_email="jonas@example.de",
        buyer_organisation=organisation,
    )


def test_the_quote_counts_the_partners_allotment_for_it_only(case):
    def available(buyer):
        return package_quote(
            package=case["package"], start_date=case["start"], pax=PaxMix.of(adults=2), buyer=buyer
        ).available

    assert available(case["a"]) is True
    assert available(case["b"]) is False
    assert available(None) is False


def test_the_partner_holds_the_package_from_its_allotment_and_another_is_refused(case):
    with pytest.raises(bookings.SoldOut):
        _hold(case, case["b"])
    booking = _hold(case, case["a"])
    draws = AllotmentDraw.objects.filter(booking=booking)
    assert draws.count() == 2  # one room on each of the two nights
    assert draws.aggregate(n=Sum("quantity"))["n"] == 2
    assert_counters_equal_allocations()
    # One room left in A's allotment on those nights: B is still refused.
    with pytest.raises(bookings.SoldOut):
        _hold(case, case["b"])
    assert_counters_equal_allocations()


def test_the_month_calendar_and_the_api_quote_of_the_partner(case):
    start = case["start"]
    days = {
        d.date: d.state
        for d in package_month_availability(
            case["package"], month=start, pax=PaxMix.of(adults=2), buyer=case["a"]
        )
    }
    assert days[start] == "available"
    days = {
        d.date: d.state
        for d in package_month_availability(case["package"], month=start, pax=PaxMix.of(adults=2))
    }
    assert days[start] == "sold_out"

    def api(organisation, path, params):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {api_key_for(organisation)[1]}")
        response = client.get(f"/api/v1/packages/{case['package'].slug}/{path}/", params)
        assert response.status_code == 200, response.content
        return response.json()

    params = {"start_date": start.isoformat(), "adults": 2}
    assert api(case["a"], "quote", params)["available"] is True
    assert api(case["b"], "quote", params)["available"] is False
    month = {"month": start.strftime("%Y-%m"), "adults": 2}
    states = {d["date"]: d["state"] for d in api(case["a"], "availability", month)}
    assert states[start.isoformat()] == "available"
    states = {d["date"]: d["state"] for d in api(case["b"], "availability", month)}
    assert states[start.isoformat()] == "sold_out"


def test_the_portal_search_offers_the_package_to_the_partner_only(case):
    search = GroupSearch(
        start=case["start"],
        end=case["start"] + timedelta(days=2),
        pax=PaxMix.of(adults=2),
        kind="package",
    )

    def offered(organisation):
        return [e.package.pk for e in group_search(organisation, search) if e.package]

    assert offered(case["a"]) == [case["package"].pk]
    assert offered(case["b"]) == []


def test_a_package_added_to_the_partners_booking_draws_from_its_allotment(case):
    first = _hold(case, case["a"])
    request = PackageLineRequest(
        package=case["package"],
        start_date=case["start"],
        pax=PaxMix.of(adults=2),
        terms_accepted=True,
    )
    bookings.booking_add_lines(booking=first, package_lines=[request])
    assert AllotmentDraw.objects.filter(booking=first).aggregate(n=Sum("quantity"))["n"] == 4
    assert_counters_equal_allocations()
    with pytest.raises(bookings.SoldOut):  # the allotment is used up: 2 rooms, 2 nights
        bookings.booking_add_lines(booking=first, package_lines=[request])


def test_the_partner_amends_its_package_onto_its_allotment_nights():
    """A hotel of 2 rooms on 4 nights, both rooms in the partner's allotment on the last two
    (sold out in general sale there): the partner's package on the first two nights moves onto
    the last two, drawn from its allotment; a booking of another buyer is refused the move."""
    from allotments import services as allotments
    from tests.operators.factories import bookable_stay

    partner_a = trade_partner(name="Partner A")
    hotel, room, start = bookable_stay(units=2, nights=4)
    later = start + timedelta(days=2)
    allotments.allotment_create(
        partner=partner_a,
        product=hotel,
        unit_type=room,
        start_date=later,
        end_date=later + timedelta(days=1),
        quantity=2,
        release_days=3,
    )
    package = PackageFactory()
    ComponentFactory(
        package=package,
        product=hotel,
        unit_type=room,
        day_offset=0,
        quantity_rule="per_room",
        room_occupancy=2,
    )
    case = {"package": package, "start": start}
    booking = _hold(case, partner_a)
    other = _hold(case, None)
    assert not AllotmentDraw.objects.filter(booking=booking).exists()

    line = other.lines.get(parent__isnull=True)
    assert bookings.package_amendment_preview(line=line, start_date=later).problem
    with pytest.raises(bookings.SoldOut):
        bookings.booking_amend_package(line=line, start_date=later)

    line = booking.lines.get(parent__isnull=True)
    assert bookings.package_amendment_preview(line=line, start_date=later).problem is None
    bookings.booking_amend_package(line=line, start_date=later)
    line.refresh_from_db()
    assert line.service_date == later
    assert AllotmentDraw.objects.filter(booking=booking).aggregate(n=Sum("quantity"))["n"] == 2
    assert_counters_equal_allocations()
    nights = NightInventory.objects.filter(unit_type=room, date__lt=later + timedelta(days=2))
    # the first two nights: the other buyer's room only; the last two: the partner's draw and
    # the room still kept in its allotment
    assert [n.sold + n.held for n in nights.order_by("date")] == [1, 1, 2, 2]
