"""A partner's own allotment places are available to it in every availability search (trade
portal group search, REST GET /api/v1/availability/, OCTO availability and calendar), and to
nobody else: a slot or night sold out in general sale with 3 places left in partner A's
allotment shows 3 for A, sold out for partner B and for the public."""

import json
from datetime import timedelta

import pytest
from django.test import Client
from rest_framework.test import APIClient

from bookings import services as bookings
from bookings.services import LineRequest
from operators.models import ProductKind
from operators.pricing import PaxMix
from operators.selectors import SearchCriteria, availability_search_page
from tests.allotments.factories import experience_allotment, stay_allotment, trade_partner
from tests.factories import MembershipFactory, api_key_for
from tests.faults.checks import assert_counters_equal_allocations
from tradeportal.selectors import GroupSearch, group_search

pytestmark = pytest.mark.django_db


def _sell_the_rest_of_the_slot(product, slot, seats):
    bookings.booking_hold(
        lines=[LineRequest(product=product, day=slot.date, slot=slot, pax=PaxMix.of(adults=seats))],
        channel="web",
        contact_name="Anna Rossi",
        contact_email="anna@example.com",
    )


@pytest.fixture
def sold_out_slot():
    """Walls tour, 10 seats: 3 in partner A's allotment, the other 7 sold to the public."""
    partner_a, partner_b = trade_partner(name="Partner A"), trade_partner(name="Partner B")
    allotment, slot = experience_allotment(partner=partner_a, capacity=10, quantity=3)
    _sell_the_rest_of_the_slot(allotment.product, slot, 7)
    slot.refresh_from_db()
    assert slot.capacity - slot.sold - slot.held == 0  # sold out in general sale
    return {"a": partner_a, "b": partner_b, "product": allotment.product, "slot": slot}


@pytest.fixture
def sold_out_nights():
    """A hotel with 3 rooms on 2 nights: 3 in partner A's allotment, none in general sale."""
    partner_a, partner_b = trade_partner(name="Partner A"), trade_partner(name="Partner B")
    allotment = stay_allotment(partner=partner_a, units=3, nights=2, quantity=3)
    return {
        "a": partner_a,
        "b": partner_b,
        "product": allotment.product,
        "unit_type": allotment.unit_type,
        "start": allotment.start_date,
    }


# --- the selectors every channel reads -------------------------------------------------------


def _slot_search(case, organisation):
    slot = case["slot"]
    criteria = SearchCriteria(
        start=slot.date, end=slot.date, pax=PaxMix.of(adults=2), kind=ProductKind.EXPERIENCE
    )
    _total, page = availability_search_page(criteria=criteria, organisation=organisation)
    return {r.product.pk: [o.available for o in r.slots] for r in page}


def test_the_shared_search_counts_the_partners_own_places_for_it_only(sold_out_slot):
    case = sold_out_slot
    assert _slot_search(case, case["a"]) == {case["product"].pk: [3]}
    assert _slot_search(case, case["b"]) == {}
    assert _slot_search(case, None) == {}


def test_more_than_the_allotment_is_not_offered_to_the_partner(sold_out_slot):
    case = sold_out_slot
    slot = case["slot"]
    criteria = SearchCriteria(start=slot.date, end=slot.date, pax=PaxMix.of(adults=4))
    _total, page = availability_search_page(criteria=criteria, organisation=case["a"])
    assert page == []


# --- trade portal group search -----------------------------------------------------------------


def _portal_offers(organisation, search):
    return {
        offer.product.pk: offer.available
        for entry in group_search(organisation, search)
        for offer in entry.offers
        if offer.product is not None
    }


def test_portal_group_search_slot(sold_out_slot):
    case = sold_out_slot
    slot = case["slot"]
    search = GroupSearch(start=slot.date, end=slot.date, pax=PaxMix.of(adults=3), kind="experience")
    assert _portal_offers(case["a"], search) == {case["product"].pk: 3}
    assert _portal_offers(case["b"], search) == {}


def test_portal_group_search_rooms(sold_out_nights):
    case = sold_out_nights
    search = GroupSearch(
        start=case["start"],
        end=case["start"] + timedelta(days=2),
        pax=PaxMix.of(adults=6),
        kind="accommodation",
        rooms={2: 3},
    )
    assert _portal_offers(case["a"], search) == {case["product"].pk: 3}
    assert _portal_offers(case["b"], search) == {}


def test_portal_search_page_shows_the_offer_to_the_partner_only(sold_out_slot):
    case = sold_out_slot
    slot = case["slot"]
    params = {
        "start": slot.date.isoformat(),
        "end": slot.date.isoformat(),
        "adults": 3,
        "kind": "experience",
    }
    pages = {}
    for name in ("a", "b"):
        client = Client()
        client.force_login(MembershipFactory(organisation=case[name], role="staff").user)
        response = client.get("/en/trade/search/", params)
        assert response.status_code == 200
        pages[name] = response.content.decode()
    title = str(case["product"].title_en or case["product"].title)
    assert title in pages["a"]
    assert title not in pages["b"]


# --- REST -------------------------------------------------------------------------------------


def _rest(organisation, params):
    client = APIClient()
    if organisation is not None:
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {api_key_for(organisation)[1]}")
    else:
        client.force_authenticate(MembershipFactory(organisation__kind="operator").user)
    response = client.get("/api/v1/availability/", params)
    assert response.status_code == 200, response.content
    return response.json()["results"]


def test_rest_availability_slot(sold_out_slot):
    case = sold_out_slot
    slot = case["slot"]
    params = {"start": slot.date.isoformat(), "adults": 2, "kind": "experience"}
    found = _rest(case["a"], params)
    assert [r["product"]["slug"] for r in found] == [case["product"].slug]
    assert [s["available"] for s in found[0]["slots"]] == [3]
    assert _rest(case["b"], params) == []
    assert _rest(None, params) == []


def test_rest_availability_stay(sold_out_nights):
    case = sold_out_nights
    params = {
        "start": case["start"].isoformat(),
        "end": (case["start"] + timedelta(days=2)).isoformat(),
        "adults": 2,
        "kind": "accommodation",
    }
    found = _rest(case["a"], params)
    assert [r["product"]["slug"] for r in found] == [case["product"].slug]
    assert [s["available"] for s in found[0]["stays"]] == [3]
    assert _rest(case["b"], params) == []
    assert _rest(None, params) == []


# --- OCTO -------------------------------------------------------------------------------------


def _octo(organisation, url, body):
    client = Client()
    response = client.post(
        f"/octo{url}",
        data=json.dumps(body),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {api_key_for(organisation)[1]}",
    )
    assert response.status_code == 200, response.content
    return response.json()


def test_octo_availability_and_calendar_slot(sold_out_slot):
    case = sold_out_slot
    slot = case["slot"]
    body = {
        "productId": case["product"].slug,
        "optionId": "DEFAULT",
        "localDate": slot.date.isoformat(),
        "units": [{"id": "adult", "quantity": 2}],
    }
    calendar_body = {
        **{k: v for k, v in body.items() if k != "localDate"},
        "localDateStart": slot.date.isoformat(),
        "localDateEnd": slot.date.isoformat(),
    }
    for url, request in (("/availability", body), ("/availability/calendar", calendar_body)):
        mine = _octo(case["a"], url, request)[0]
        assert (mine["status"], mine["vacancies"], mine["available"]) == ("LIMITED", 3, True)
        other = _octo(case["b"], url, request)[0]
        assert (other["status"], other["vacancies"], other["available"]) == ("SOLD_OUT", 0, False)


def test_octo_calendar_nights(sold_out_nights):
    case = sold_out_nights
    body = {
        "productId": case["product"].slug,
        "optionId": str(case["unit_type"].pk),
        "localDateStart": case["start"].isoformat(),
        "localDateEnd": (case["start"] + timedelta(days=1)).isoformat(),
    }
    assert [d["vacancies"] for d in _octo(case["a"], "/availability/calendar", body)] == [3, 3]
    assert [d["status"] for d in _octo(case["b"], "/availability/calendar", body)] == [
        "SOLD_OUT",
        "SOLD_OUT",
    ]


def test_the_partner_books_what_the_search_showed_and_the_others_are_refused(sold_out_slot):
    case = sold_out_slot
    slot = case["slot"]
    request = LineRequest(
        product=case["product"], day=slot.date, slot=slot, pax=PaxMix.of(adults=3)
    )
    with pytest.raises(bookings.SoldOut):
        bookings.booking_hold(
            lines=[request],
            channel="trade",
            contact_name="B",
            contact_email="b@example.com",
            buyer_organisation=case["b"],
        )
    booking = bookings.booking_hold(
        lines=[request],
        channel="trade",
        contact_name="A",
        contact_email="a@example.com",
        buyer_organisation=case["a"],
    )
    assert booking.pk
    assert _slot_search(case, case["a"]) == {}
    assert_counters_equal_allocations()
