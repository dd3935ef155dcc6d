"""No 500 from hostile parameters: every API list endpoint, every hostile query string, with a
trade partner's and an operator's key; NUL bytes in paths; bounds answered with the field."""

from datetime import timedelta

import pytest
import yaml
from django.core.management import call_command
from django.utils import timezone
from rest_framework.test import APIClient

from tests.factories import OrganisationFactory, api_key_for
from tests.operators.factories import bookable_experience
from tests.packages.factories import ComponentFactory, DepartureFactory, PackageFactory

pytestmark = pytest.mark.django_db

HUGE = "99999999999999999999"
LIST_ENDPOINTS = [
    "/api/v1/allotments/",
    "/api/v1/availability/",
    "/api/v1/bookings/",
    "/api/v1/invoices/",
    "/api/v1/organisations/",
    "/api/v1/packages/",
    "/api/v1/packages/{package}/availability/",
    "/api/v1/packages/{package}/departures/",
    "/api/v1/packages/{package}/quote/",
    "/api/v1/products/",
    "/api/v1/products/{product}/rates/",
    "/api/v1/quotes/",
    "/api/v1/slots/",
]
HOSTILE_QUERIES = [
    f"limit={HUGE}",
    f"offset={HUGE}",
    f"limit={HUGE}&offset={HUGE}",
    "limit=-1&offset=-1",
    "limit=1e9&offset=1e9",
    "offset=%EF%BC%91",  # a full-width digit
    "comune=%00",
    "q=%00",
    "status=%00&kind=%00&theme=%00&language=%00&organisation=%00&product=%00",
    "%00=1",
    f"adults={HUGE}&seniors={HUGE}&infants={HUGE}",
    "adults=999999999999",
    "adults=-1",
    f"children_ages={HUGE}",
    "children_ages=" + ",".join(["5"] * 1000),
    f"extras={HUGE}",
    "extras=" + ",".join(["1"] * 1000),
    "month=9999-99",
    "month=0000-00",
    "start=0001-01-01&end=9999-12-31",
    "start=99999-01-01",
    "start_date=0001-01-01",
    "start_date=9999-12-31",
    "date_from=0001-01-01&date_to=9999-12-31",
    "first_service_date=99999-01-01",
    f"min_price={HUGE}&max_price=-{HUGE}",
    "min_price=NaN&max_price=Infinity",
    "q=" + "x" * 5000,
]


@pytest.fixture
def world():
    operator = OrganisationFactory(name="Guide di Lucca", kind="operator", subkind="guide")
    product, _slot = bookable_experience(organisation=operator)
    package = PackageFactory()
    ComponentFactory(package=package, product=product, day_offset=0)
    DepartureFactory(package=package, date=timezone.localdate() + timedelta(days=10))
    partner = OrganisationFactory(name="Tuscany Tours", kind="trade", subkind="tour_operator")
    clients = {}
    for name, organisation in (("partner", partner), ("operator", operator)):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {api_key_for(organisation)[1]}")
        clients[name] = client
    return {"clients": clients, "product": product.slug, "package": package.slug}


def test_every_list_endpoint_of_the_schema_is_covered(tmp_path):
    out = tmp_path / "schema.yaml"
    call_command("spectacular", "--file", str(out))
    schema = yaml.safe_load(out.read_text())
    covered = {
        p.replace("{package}", "{slug}").replace("{product}", "{slug}") for p in LIST_ENDPOINTS
    }
    gets = {
        path
        for path, ops in schema["paths"].items()
        if "get" in ops and (path.count("{") == 0 or not path.endswith("}/"))
    }
    gets = {p for p in gets if not p.endswith(("/voucher/", "/pdf/", "/xml/"))}
    assert gets <= covered, f"list endpoints without a hostile-parameter test: {gets - covered}"


@pytest.mark.parametrize("endpoint", LIST_ENDPOINTS)
def test_hostile_query_strings_never_give_a_5xx(world, endpoint):
    url = endpoint.format(package=world["package"], product=world["product"])
    failures = []
    for who, client in world["clients"].items():
        for query in HOSTILE_QUERIES:
            response = client.get(f"{url}?{query}")
            if response.status_code >= 500:
                failures.append((who, query, response.status_code))
            elif response.status_code == 400:
                assert "error" in response.json(), (who, query)
    assert not failures


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/products/%00/",
        "/api/v1/products/%00/rates/",
        "/api/v1/packages/%00/quote/",
        "/api/v1/bookings/%00/",
        "/api/v1/invoices/%00/pdf/",
        "/api/v1/organisations/%00/",
        "/api/v1/slots/%00/",
        f"/api/v1/slots/{HUGE}/",
        f"/api/v1/bookings/{'x' * 5000}/",
        "/it/discover/%00/",
    ],
)
def test_nul_bytes_and_huge_ids_in_paths_are_a_4xx(world, path):
    response = world["clients"]["operator"].get(path)
    assert 400 <= response.status_code < 500


def test_nul_in_a_query_string_is_a_400_in_the_error_shape(world):
    response = world["clients"]["partner"].get("/api/v1/products/?comune=%00")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "nul_character"


def test_a_quote_for_a_trillion_adults_is_400_on_the_field(world):
    url = f"/api/v1/packages/{world['package']}/quote/"
    response = world["clients"]["partner"].get(
        f"{url}?adults=999999999999&start_date={timezone.localdate() + timedelta(days=10)}"
    )
    assert response.status_code == 400
    assert response.json()["error"]["field"] == "adults"
    assert response.json()["error"]["code"] == "max_value"


def test_a_huge_limit_is_clamped_and_a_huge_offset_refused(world):
    client = world["clients"]["partner"]
    page = client.get(f"/api/v1/products/?limit={HUGE}")
    assert page.status_code == 200
    refused = client.get(f"/api/v1/products/?offset={HUGE}")
    assert refused.status_code == 400
    assert refused.json()["error"]["field"] == "offset"


def test_a_hold_with_huge_numbers_is_400_and_writes_nothing(world):
    from bookings.models import Booking

    body = {
        "contact_name": "Hans",
        "contact_email": "hans@example.de",
        "lines": [
            {
                "product": world["product"],
                "date": str(timezone.localdate() + timedelta(days=10)),
                "slot": int(HUGE),
                "adults": 999999999999,
                "units": 10**15,
            }
        ],
    }
    response = world["clients"]["partner"].post("/api/v1/bookings/", body, format="json")
    assert response.status_code == 400
    fields = {e["field"] for e in response.json()["error"].get("errors", [])}
    assert {"lines.slot", "lines.adults", "lines.units"} <= fields
    assert not Booking.objects.exists()
