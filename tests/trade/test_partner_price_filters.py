"""The availability search's `min_price`/`max_price` bound what the caller pays: a trade
partner's contract "from" price, the public one for everybody else (issue #13)."""

from decimal import Decimal

import pytest

from operators.pricing import PaxMix
from operators.selectors import SearchCriteria, availability_search
from tests.factories import api_key_for
from tests.operators.factories import bookable_experience

from .factories import contract_with_rules, partner

pytestmark = pytest.mark.django_db


@pytest.fixture
def offer():
    """A tour at 100.00 public (70.00 net) and a partner with a 20% discount: it pays 80.00."""
    tour, slot = bookable_experience(adult="100.00", net="70.00")
    org = partner()
    contract_with_rules(org, {"basis": "discount", "percent": 20, "scope": "experience"})
    return tour, slot, org


def found(slot, organisation=None, **bounds):
    criteria = SearchCriteria(
        start=slot.date,
        end=slot.date,
        pax=PaxMix.of(adults=2),
        **{k: Decimal(v) for k, v in bounds.items()},
    )
    return set(availability_search(criteria=criteria, organisation=organisation))


def test_max_price_bounds_the_partner_price(offer):
    tour, slot, org = offer
    assert tour in found(slot, org, max_price="90")
    assert tour not in found(slot, max_price="90")  # a traveller pays 100
    assert tour not in found(slot, org, max_price="79.99")
    assert tour in found(slot, max_price="100")


def test_min_price_bounds_the_partner_price(offer):
    tour, slot, org = offer
    assert tour not in found(slot, org, min_price="90")
    assert tour in found(slot, min_price="90")
    assert tour in found(slot, org, min_price="80", max_price="80")


def test_partner_without_terms_filters_on_the_public_price(offer):
    tour, slot, _org = offer
    other = partner(name="No Contract Ltd")
    assert tour not in found(slot, other, max_price="90")
    assert tour in found(slot, other, min_price="90")


def test_rest_availability_filters_on_the_partner_price(api_client, offer):
    tour, slot, org = offer
    _key, raw = api_key_for(org)
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    params = {"start": slot.date.isoformat(), "end": slot.date.isoformat(), "adults": 2}
    page = api_client.get("/api/v1/availability/", {**params, "max_price": "90"}).json()
    assert [r["product"]["slug"] for r in page["results"]] == [tour.slug]
    assert page["results"][0]["product"]["from_price"] == "80.00"
    page = api_client.get("/api/v1/availability/", {**params, "min_price": "90"}).json()
    assert page["results"] == []
