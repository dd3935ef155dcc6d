import pytest

from tests.factories import api_key_for

from .factories import DepartureFactory, PackageFactory, dmc_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def trade_client(api_client):
    from tests.factories import OrganisationFactory

    trade = OrganisationFactory(name="Tuscany Tours", kind="trade", subkind="tour_operator")
    _key, raw = api_key_for(trade)
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return api_client


def test_anonymous_callers_are_refused(api_client, trip):
    assert api_client.get("/api/v1/packages/").status_code in (401, 403)


def test_trade_partners_read_only_published_packages(trade_client, trip):
    draft = PackageFactory(status="draft")
    listing = trade_client.get("/api/v1/packages/").json()
    slugs = [p["slug"] for p in listing["results"]]
    assert trip["package"].slug in slugs and draft.slug not in slugs
    assert trade_client.get(f"/api/v1/packages/{draft.slug}/").status_code == 404
    detail = trade_client.get(f"/api/v1/packages/{trip['package'].slug}/").json()
    assert [c["product"] for c in detail["components"]] == [trip["tour"].slug, trip["hotel"].slug]
    assert detail["bookable"] is True


def test_dmc_staff_see_drafts(client, trip):
    draft = PackageFactory(status="draft")
    client.force_login(dmc_user())
    assert client.get(f"/api/v1/packages/{draft.slug}/").status_code == 200


def test_quote_through_the_api_hides_nets_from_trade(trade_client, client, trip, day):
    url = f"/api/v1/packages/{trip['package'].slug}/quote/"
    data = trade_client.get(url, {"start_date": day.isoformat(), "adults": 2}).json()
    assert data["available"] and data["retail_total"] == "300.00"
    assert data["lines"][0]["slot_id"] == trip["slot"].pk
    assert "net_total" not in data and "net" not in data["lines"][0]
    client.force_login(dmc_user())
    dmc = client.get(url, {"start_date": day.isoformat(), "adults": 2}).json()
    assert dmc["net_total"] == "248.00" and dmc["margin"] == "52.00"


def test_quote_bad_input_is_a_400_with_the_field(trade_client, trip):
    url = f"/api/v1/packages/{trip['package'].slug}/quote/"
    response = trade_client.get(url, {"adults": 2})
    assert response.status_code == 400 and response.json()["error"]["field"] == "start_date"
    response = trade_client.get(url, {"start_date": "2027-05-01", "children_ages": "8,x"})
    assert response.json()["error"]["field"] == "children_ages"
    response = trade_client.get(url, {"start_date": "2027-05-01", "children_ages": "30"})
    assert response.status_code == 400 and response.json()["error"]["field"] == "children_ages"


def test_month_availability_and_departures(trade_client, trip, day):
    slug = trip["package"].slug
    days = trade_client.get(
        f"/api/v1/packages/{slug}/availability/", {"month": day.strftime("%Y-%m"), "adults": 2}
    ).json()
    by_date = {d["date"]: d for d in days}
    assert by_date[day.isoformat()]["state"] == "available"
    assert by_date[day.isoformat()]["per_person"] == "150.00"
    bad = trade_client.get(f"/api/v1/packages/{slug}/availability/", {"month": "2027-13"})
    assert bad.status_code == 400
    DepartureFactory(package=trip["package"], date=day, capacity=12, booked_pax=4)
    deps = trade_client.get(f"/api/v1/packages/{slug}/departures/").json()
    assert deps[0]["available"] == 8 and deps[0]["status"] == "scheduled"


def test_the_openapi_schema_lists_the_package_endpoints(client):
    schema = client.get("/api/schema/").content.decode()
    for path in ("/api/v1/packages/{slug}/quote/", "/api/v1/packages/{slug}/availability/"):
        assert path in schema
