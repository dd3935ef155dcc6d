"""Read API: products, rates, availability search; the operator's own writes."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from operators.models import Rate, Season
from tests.factories import api_key_for
from tests.operators.factories import (
    ProductFactory,
    RateFactory,
    SeasonFactory,
    SlotFactory,
    bookable_experience,
    bookable_stay,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def trade_client(api_client, db):
    from tests.factories import OrganisationFactory

    trade = OrganisationFactory(name="Tuscany Tours", kind="trade", subkind="tour_operator")
    _key, raw = api_key_for(trade)
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return api_client


@pytest.fixture
def operator_client(api_client, operator_org):
    _key, raw = api_key_for(operator_org)
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return api_client


def test_anonymous_callers_are_refused(api_client):
    assert api_client.get("/api/v1/products/").status_code in (401, 403)


def test_trade_sees_published_products_only(trade_client, operator_org):
    published = ProductFactory(organisation=operator_org)
    ProductFactory(organisation=operator_org, status="draft")
    body = trade_client.get("/api/v1/products/").json()
    assert [p["slug"] for p in body["results"]] == [published.slug]


def test_an_operator_sees_its_drafts_but_not_other_operators_drafts(
    operator_client, operator_org, other_operator_org
):
    own = ProductFactory(organisation=operator_org, status="draft")
    foreign = ProductFactory(organisation=other_operator_org, status="draft")
    slugs = {p["slug"] for p in operator_client.get("/api/v1/products/").json()["results"]}
    assert own.slug in slugs and foreign.slug not in slugs
    assert operator_client.get(f"/api/v1/products/{foreign.slug}/").status_code == 404
    assert operator_client.get(f"/api/v1/products/{own.slug}/").status_code == 200


def test_session_users_see_their_organisations_drafts(client, owner, operator_org):
    own = ProductFactory(organisation=operator_org, status="submitted")
    client.force_login(owner)
    assert client.get(f"/api/v1/products/{own.slug}/").status_code == 200


def test_product_filters_and_an_unknown_comune_is_refused_naming_the_field(trade_client):
    ProductFactory(kind="experience")
    response = trade_client.get("/api/v1/products/?comune=999999")
    assert response.status_code == 400
    assert response.json()["error"]["field"] == "comune"
    assert trade_client.get("/api/v1/products/?comune=046017").json()["count"] == 1
    assert trade_client.get("/api/v1/products/?kind=goods").json()["count"] == 0


def test_rates_hide_the_operator_net_from_trade_but_show_it_to_the_owner(
    trade_client, operator_org, api_client
):
    product = ProductFactory(organisation=operator_org)
    RateFactory(product=product, retail_price=Decimal("30.00"), net_price=Decimal("24.00"))
    rates = trade_client.get(f"/api/v1/products/{product.slug}/rates/").json()
    assert rates[0]["retail_price"] == "30.00" and "net_price" not in rates[0]
    _key, raw = api_key_for(operator_org, name="own")
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    own = api_client.get(f"/api/v1/products/{product.slug}/rates/").json()
    assert own[0]["net_price"] == "24.00"


def test_availability_search_returns_slots_priced_for_the_pax_mix(trade_client):
    product, slot = bookable_experience(adult="30.00", net="24.00")
    RateFactory(
        product=product, pax_category="child", age_min=6, age_max=12, retail_price=15, net_price=12
    )
    day = slot.date.isoformat()
    response = trade_client.get(
        f"/api/v1/availability/?start={day}&end={day}&adults=2&children_ages=8"
    )
    assert response.status_code == 200, response.content
    [result] = response.json()["results"]
    assert result["product"]["slug"] == product.slug
    [option] = result["slots"]
    assert option["slot"] == slot.pk
    assert option["price"]["retail_total"] == "75.00"
    assert "net_total" not in option["price"]


def test_availability_search_of_stays(trade_client):
    hotel, unit_type, start = bookable_stay(nights=4, price="100.00")
    end = start + timedelta(days=2)
    body = trade_client.get(
        f"/api/v1/availability/?start={start}&end={end}&adults=2&kind=accommodation"
    ).json()
    [result] = body["results"]
    assert result["stays"][0]["unit_type"] == unit_type.pk
    assert result["stays"][0]["price"]["retail_total"] == "200.00"


@pytest.mark.parametrize(
    "query, field",
    [
        ("start=2027-05-10&end=2027-05-01", "end"),
        ("start=2027-05-10&comune=123456", "comune"),
        ("start=2027-05-10&theme=nope", "theme"),
        ("start=2027-05-10&children_ages=4,x", "children_ages"),
        ("start=2027-05-10&adults=0", "adults"),
        ("start=2027-05-10&min_price=50&max_price=10", "max_price"),
        ("start=2027-05-10&end=2027-08-10", "end"),
        ("start=tomorrow", "start"),
    ],
)
def test_availability_bad_input_names_the_field(trade_client, query, field):
    response = trade_client.get(f"/api/v1/availability/?{query}")
    assert response.status_code == 400
    assert response.json()["error"]["field"] == field


def test_the_owner_adds_a_rate_with_computed_net_and_bad_ones_are_refused(
    operator_client, operator_org, other_operator_org
):
    product = ProductFactory(organisation=operator_org)
    created = operator_client.post(
        f"/api/v1/products/{product.slug}/rates/",
        {"pax_category": "adult", "retail_price": "40.00"},
        format="json",
    )
    assert created.status_code == 201, created.content
    assert created.json()["net_price"] == "32.00"  # default commission 20%
    bad = operator_client.post(
        f"/api/v1/products/{product.slug}/rates/",
        {"pax_category": "adult", "retail_price": "40.00", "net_price": "45.00"},
        format="json",
    )
    assert bad.status_code == 400 and bad.json()["error"]["field"] == "net_price"
    foreign = ProductFactory(organisation=other_operator_org)
    response = operator_client.post(
        f"/api/v1/products/{foreign.slug}/rates/",
        {"pax_category": "adult", "retail_price": "1.00"},
        format="json",
    )
    assert response.status_code == 404
    assert Rate.objects.filter(product=foreign).count() == 0


def test_overlapping_season_via_api_is_refused(operator_client, operator_org):
    season = SeasonFactory(product__organisation=operator_org)
    response = operator_client.post(
        f"/api/v1/products/{season.product.slug}/seasons/",
        {"name": "Estate", "start_date": "2027-06-01", "end_date": "2027-06-30"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["error"]["field"] == "start_date"
    assert Season.objects.count() == 1


def test_slot_capacity_via_api_refuses_below_booked_and_non_integers(
    operator_client, operator_org, other_operator_org
):
    slot = SlotFactory(product__organisation=operator_org, capacity=10, sold=4)
    url = f"/api/v1/slots/{slot.pk}/"
    response = operator_client.patch(url, {"capacity": 3}, format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert "4 places" in response.json()["error"]["message"]
    assert operator_client.patch(url, {"capacity": "2.5"}, format="json").status_code == 400
    assert operator_client.patch(url, {"capacity": -1}, format="json").status_code == 400
    assert operator_client.patch(url, {"capacity": 12}, format="json").json()["capacity"] == 12
    foreign = SlotFactory(product__organisation=other_operator_org)
    assert operator_client.patch(f"/api/v1/slots/{foreign.pk}/", {"capacity": 1}).status_code == 404


def test_the_schema_documents_the_availability_endpoint(trade_client):
    schema = trade_client.get(reverse("api-schema"), HTTP_ACCEPT="application/json")
    assert schema.status_code == 200
    text = schema.content.decode()
    assert "/api/v1/availability/" in text and "children_ages" in text


def test_the_api_pages_with_next_links_from_the_page_not_from_the_count(trade_client):
    from tests.operators.factories import bookable_experience

    day = timezone.localdate() + timedelta(days=10)
    for i in range(4):
        bookable_experience(title=f"Walk {i}")
    url = f"/api/v1/availability/?start={day}&end={day}&adults=2&limit=1"
    body = trade_client.get(url + "&offset=1").json()
    assert body["count"] == 3  # not counted beyond the page: "at least offset + limit + 1"
    assert "offset=2" in body["next"]
    assert len(body["results"]) == 1
    last = trade_client.get(url + "&offset=3").json()
    assert (last["count"], last["next"], len(last["results"])) == (4, None, 1)  # exact
    beyond = trade_client.get(url + "&offset=9").json()
    assert (beyond["count"], beyond["next"], beyond["results"]) == (4, None, [])


@pytest.mark.parametrize("show_net", [False, True])
def test_a_slot_option_is_written_as_its_declared_fields_write_it(show_net, settings):
    from rest_framework import serializers

    from operators.api.serializers import SlotOptionSerializer
    from operators.pricing import PaxMix, price_slot_product
    from operators.selectors import SlotOption

    settings.TIME_ZONE = "Europe/Rome"
    product, slot = bookable_experience(adult="30.00", net="24.00")
    quote = price_slot_product(product, day=slot.date, pax=PaxMix.of(adults=2))
    option = SlotOption(slot=slot, available=slot.available, units=2, quote=quote)
    serializer = SlotOptionSerializer(context={"show_net": show_net})
    direct = serializer.to_representation(option)
    generic = serializers.Serializer.to_representation(serializer, option)
    assert direct == generic
    assert direct["starts_at"].endswith(("+01:00", "+02:00"))
    assert ("net_total" in direct["price"]) is show_net
