"""The REST API shows a partner its contract's prices (package quote and calendar,
availability search, products list and detail, rates), never the public price in their
place: the public price is beside it."""

import pytest

from tests.factories import api_key_for
from tests.packages.conftest import day, trip  # noqa: F401 - fixtures

from .factories import contract_with_rules, partner

pytestmark = pytest.mark.django_db


@pytest.fixture
def partner_api(api_client):
    org = partner()
    contract_with_rules(
        org,
        {"basis": "discount", "percent": 10, "scope": "package"},
        {"basis": "commission", "percent": 20, "scope": "experience"},
    )
    _key, raw = api_key_for(org)
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return api_client


def test_package_quote_and_calendar_at_the_partner_price(partner_api, trip, day):  # noqa: F811
    slug = trip["package"].slug
    quote = partner_api.get(
        f"/api/v1/packages/{slug}/quote/", {"start_date": day.isoformat(), "adults": 2}
    ).json()
    assert quote["retail_total"] == "270.00" and quote["per_person"] == "135.00"
    assert quote["public_total"] == "300.00"
    assert sum(float(line["retail"]) for line in quote["lines"]) == 270.0
    assert "net_total" not in quote and "margin" not in quote
    days = partner_api.get(
        f"/api/v1/packages/{slug}/availability/", {"month": day.strftime("%Y-%m"), "adults": 2}
    ).json()
    assert {d["date"]: d for d in days}[day.isoformat()]["per_person"] == "135.00"


def test_availability_search_at_the_partner_price(partner_api, trip, day):  # noqa: F811
    page = partner_api.get(
        "/api/v1/availability/",
        {"start": day.isoformat(), "end": day.isoformat(), "adults": 2},
    ).json()
    text = str(page)
    # the tour: 2 x 30.00 public, 20% commission; the public price is shown as such
    assert "'retail_total': '48.00'" in text and "'public_total': '60.00'" in text
    assert "'retail_total': '60.00'" not in text
    # the product inside each result: the partner's "from" price, the public one beside
    tour = next(r for r in page["results"] if r["product"]["slug"] == trip["tour"].slug)
    assert (tour["product"]["from_price"], tour["product"]["public_from_price"]) == (
        "24.00",
        "30.00",
    )
    assert tour["best_price"] == "48.00"


def test_products_and_rates_at_the_partner_price(partner_api, trip):  # noqa: F811
    slug = trip["tour"].slug
    listed = {p["slug"]: p for p in partner_api.get("/api/v1/products/").json()["results"]}
    assert (listed[slug]["from_price"], listed[slug]["public_from_price"]) == ("24.00", "30.00")
    detail = partner_api.get(f"/api/v1/products/{slug}/").json()
    assert (detail["from_price"], detail["public_from_price"]) == ("24.00", "30.00")
    rates = partner_api.get(f"/api/v1/products/{slug}/rates/").json()
    adult = next(r for r in rates if r["pax_category"] == "adult")
    assert (adult["retail_price"], adult["public_price"]) == ("24.00", "30.00")
    assert "net_price" not in adult
    # the hotel: no rule for stays in this contract, so the public price (and the same beside)
    hotel = partner_api.get(f"/api/v1/products/{trip['hotel'].slug}/").json()
    assert hotel["from_price"] == hotel["public_from_price"] == "120.00"


def test_other_callers_see_the_public_price(api_client, trip):  # noqa: F811
    from tests.factories import MembershipFactory

    api_client.force_authenticate(MembershipFactory(organisation__kind="operator").user)
    slug = trip["tour"].slug
    detail = api_client.get(f"/api/v1/products/{slug}/").json()
    assert (detail["from_price"], detail["public_from_price"]) == ("30.00", "30.00")
    adult = next(
        r
        for r in api_client.get(f"/api/v1/products/{slug}/rates/").json()
        if r["pax_category"] == "adult"
    )
    assert adult["retail_price"] == adult["public_price"] == "30.00"


def test_product_pages_cost_no_query_per_product(partner_api, trip, django_assert_max_num_queries):  # noqa: F811
    from tests.operators.factories import bookable_experience

    for _ in range(5):
        bookable_experience()
    with django_assert_max_num_queries(14):
        response = partner_api.get("/api/v1/products/")
    assert response.status_code == 200 and response.json()["count"] >= 7
