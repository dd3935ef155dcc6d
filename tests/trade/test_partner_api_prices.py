"""The REST API shows a partner its contract's prices (package quote and calendar,
availability search), never the public price in their place."""

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
