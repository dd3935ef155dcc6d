"""The OpenAPI schema tells the truth: bare lists are declared as lists, the previews have their
own shapes, errors are documented in the one error format, and throttling answers 429 in it.
(.ci/schemathesis checks every operation against a live server.)"""

import pytest
import yaml
from django.core.management import call_command

from marketplace.throttling import AnonRateThrottle, ApiKeyRateThrottle
from tests.factories import OrganisationFactory, api_key_for
from tests.operators.factories import bookable_experience

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def schema(tmp_path_factory, django_db_blocker):
    out = tmp_path_factory.mktemp("schema") / "schema.yaml"
    with django_db_blocker.unblock():
        call_command("spectacular", "--file", str(out), "--fail-on-warn")
    return yaml.safe_load(out.read_text())


def _ok_schema(schema, path, method="get"):
    return schema["paths"][path][method]["responses"]["200"]["content"]["application/json"][
        "schema"
    ]


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/packages/{slug}/departures/",
        "/api/v1/packages/{slug}/availability/",
        "/api/v1/products/{slug}/rates/",
    ],
)
def test_bare_lists_are_declared_as_lists_without_pagination(schema, path):
    assert _ok_schema(schema, path)["type"] == "array"
    names = {p["name"] for p in schema["paths"][path]["get"].get("parameters", [])}
    assert not names & {"limit", "offset", "comune", "kind"}


def test_the_previews_have_their_own_shapes(schema):
    components = schema["components"]["schemas"]
    assert "CancelPreviewOutput" in components and "AmendPreviewOutput" in components
    cancel = _ok_schema(schema, "/api/v1/bookings/{reference}/cancel/", "post")
    assert cancel["$ref"].endswith("/CancelOrPreview")


def test_every_operation_documents_its_errors_in_the_error_shape(schema):
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            responses = operation["responses"]
            expected = {"400", "401", "403", "429"} | ({"404"} if "{" in path else set())
            assert expected <= set(responses), (method, path)
            ref = responses["400"]["content"]["application/json"]["schema"]["$ref"]
            assert ref == "#/components/schemas/Error"


def test_nullable_fields_are_declared_nullable(schema):
    comune = schema["components"]["schemas"]["Organisation"]["properties"]["comune"]
    assert comune.get("nullable") or "null" in str(comune.get("type"))


def test_nets_are_not_required_of_trade_callers(schema):
    components = schema["components"]["schemas"]
    assert "net_total" not in components["Quote"].get("required", [])
    assert "net" not in components["Allocation"].get("required", [])
    assert "net_price" not in components["Rate"].get("required", [])


def test_the_responses_are_bare_lists_as_declared(api_client):
    product, _slot = bookable_experience()
    partner = OrganisationFactory(kind="trade", subkind="tour_operator")
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {api_key_for(partner)[1]}")
    rates = api_client.get(f"/api/v1/products/{product.slug}/rates/")
    assert rates.status_code == 200 and isinstance(rates.json(), list)
    assert "net_price" not in rates.json()[0]


def test_throttling_answers_429_in_the_error_shape(api_client, monkeypatch):
    monkeypatch.setattr(ApiKeyRateThrottle, "rate", "2/min", raising=False)
    monkeypatch.setattr(AnonRateThrottle, "rate", "2/min", raising=False)
    partner = OrganisationFactory(kind="trade", subkind="tour_operator")
    _key, raw = api_key_for(partner)
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    statuses = [api_client.get("/api/v1/packages/").status_code for _ in range(2)]
    last = api_client.get("/api/v1/packages/")
    assert statuses == [200, 200]
    assert last.status_code == 429
    assert last.json()["error"]["code"] == "throttled"
    assert "Retry-After" in last
