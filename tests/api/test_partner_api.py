"""REST v1 for partners: the partner's language, per-key rate limits (429 + Retry-After in
the error shape), the error shape for every status, last_used_at written at most once a
minute."""

from datetime import timedelta

import pytest
from django.test import override_settings
from django.urls import path
from django.utils import timezone
from rest_framework.decorators import api_view, permission_classes
from rest_framework.permissions import AllowAny

from accounts.models import ApiKey
from marketplace.throttling import ApiKeyRateThrottle
from tests.factories import OrganisationFactory, api_key_for

pytestmark = pytest.mark.django_db


def _client(api_client, organisation, **headers):
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {api_key_for(organisation)[1]}", **headers)
    return api_client


# ----------------------------------------------------------------------------- language


def _missing_product_message(client, **headers):
    response = client.get("/api/v1/products/does-not-exist/", **headers)
    assert response.status_code == 404
    return response.json()["error"]["message"], response["Content-Language"]


def test_a_foreign_partner_is_never_answered_in_italian_by_default(api_client):
    partner = OrganisationFactory(kind="trade", subkind="tour_operator", country="GB")
    message, language = _missing_product_message(_client(api_client, partner))
    assert language == "en" and message == "Not found."


def test_the_organisations_language_setting_wins(api_client):
    partner = OrganisationFactory(kind="trade", subkind="tour_operator", country="GB")
    partner.language = "de"
    partner.save(update_fields=["language"])
    client = _client(api_client, partner)
    message, language = _missing_product_message(client, HTTP_ACCEPT_LANGUAGE="fr")
    assert language == "de" and message == "Nicht gefunden."


def test_accept_language_then_the_country(api_client):
    partner = OrganisationFactory(kind="trade", subkind="tour_operator", country="DE")
    client = _client(api_client, partner)
    assert _missing_product_message(client, HTTP_ACCEPT_LANGUAGE="fr-CH, en;q=0.5")[1] == "fr"
    assert _missing_product_message(client)[1] == "de"
    italian = OrganisationFactory(kind="trade", subkind="travel_agency", country="IT")
    assert _missing_product_message(_client(api_client, italian))[1] == "it"


def test_validation_errors_and_product_texts_in_the_partners_language(api_client):
    from tests.operators.factories import bookable_experience

    product, _slot = bookable_experience(title_it="Mura a piedi", title_de="Stadtmauer zu Fuß")
    partner = OrganisationFactory(kind="trade", subkind="tour_operator", country="DE")
    client = _client(api_client, partner)
    detail = client.get(f"/api/v1/products/{product.slug}/").json()
    assert detail["title"] == "Stadtmauer zu Fuß"
    response = client.post("/api/v1/bookings/", {}, format="json")
    assert response.status_code == 400
    assert "Dieses Feld ist zwingend erforderlich." in str(response.json())


def test_the_language_is_set_through_the_api(api_client):
    partner = OrganisationFactory(kind="trade", subkind="tour_operator", country="GB")
    client = _client(api_client, partner)
    from tests.factories import MembershipFactory  # noqa: F401 - an API key acts as manager

    response = client.patch(
        f"/api/v1/organisations/{partner.slug}/", {"language": "fr"}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert response.json()["language"] == "fr"
    bad = client.patch(f"/api/v1/organisations/{partner.slug}/", {"language": "xx"}, format="json")
    assert bad.status_code == 400 and bad.json()["error"]["field"] == "language"


# ----------------------------------------------------------------------------- rate limits


@pytest.fixture
def two_per_minute(monkeypatch):
    monkeypatch.setattr(ApiKeyRateThrottle, "rate", "2/min", raising=False)


def test_each_key_has_its_own_limit_and_429_says_when_to_retry(api_client, two_per_minute):
    from rest_framework.test import APIClient

    first = OrganisationFactory(kind="trade", subkind="tour_operator")
    second = OrganisationFactory(kind="trade", subkind="travel_agency")
    client = _client(api_client, first)
    assert [client.get("/api/v1/packages/").status_code for _ in range(2)] == [200, 200]
    refused = client.get("/api/v1/packages/")
    assert refused.status_code == 429
    assert refused.json()["error"]["code"] == "throttled"
    assert 0 < int(refused["Retry-After"]) <= 60
    other = _client(APIClient(), second)
    assert other.get("/api/v1/packages/").status_code == 200  # its own counter


def test_the_counts_are_shared_through_redis_by_every_worker(api_client, two_per_minute):
    """Two workers (two fresh cache connections) count the same key together."""
    import uuid

    import redis

    url = "redis://127.0.0.1:6379/6"
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.ConnectionError:
        pytest.skip(f"no Redis at {url}")
    shared = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": url,
        "KEY_PREFIX": f"test-api-throttle-{uuid.uuid4()}",
    }
    from rest_framework import throttling

    partner = OrganisationFactory(kind="trade", subkind="tour_operator")
    client = _client(api_client, partner)
    statuses = []
    for worker in (shared, dict(shared), dict(shared)):
        with override_settings(CACHES={"default": worker}):
            from django.core.cache import caches

            throttling.SimpleRateThrottle.cache = caches["default"]
            statuses.append(client.get("/api/v1/packages/").status_code)
    from django.core.cache import cache

    throttling.SimpleRateThrottle.cache = cache
    assert statuses == [200, 200, 429]


def test_rates_are_configured_in_settings():
    from django.conf import settings

    rates = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
    assert {"anon", "user", "api_key"} <= set(rates)


# ----------------------------------------------------------------------------- error shape


def _shape(response, status, code=None):
    assert response.status_code == status
    assert response["Content-Type"].startswith("application/json")
    error = response.json()["error"]
    assert set(error) >= {"code", "message", "field"} and error["message"]
    if code:
        assert error["code"] == code


@api_view(["GET"])
@permission_classes([AllowAny])
def _broken(request):
    raise RuntimeError("boom")


urlpatterns = [path("api/v1/broken/", _broken)]


def test_every_error_status_answers_in_the_one_shape(api_client):
    _shape(api_client.get("/api/v1/bookings/"), 401, "not_authenticated")
    partner = OrganisationFactory(kind="trade", subkind="tour_operator")
    client = _client(api_client, partner)
    _shape(client.get("/api/v1/slots/"), 403)  # operators only
    _shape(client.get("/api/v1/bookings/NOPE/"), 404, "not_found")
    _shape(client.get("/api/v1/no-such-endpoint/"), 404, "not_found")
    _shape(client.delete("/api/v1/packages/"), 405, "method_not_allowed")
    _shape(
        client.post("/api/v1/bookings/", "x", content_type="text/plain"),
        415,
        "unsupported_media_type",
    )


def test_a_crash_is_a_500_in_the_error_shape(api_client, settings):
    settings.ROOT_URLCONF = __name__
    api_client.raise_request_exception = False
    _shape(api_client.get("/api/v1/broken/"), 500, "server_error")
    assert "boom" not in api_client.get("/api/v1/broken/").content.decode()


# ----------------------------------------------------------------------------- last used


def test_last_used_at_is_written_at_most_once_a_minute(api_client, django_assert_num_queries):
    partner = OrganisationFactory(kind="trade", subkind="tour_operator")
    key, raw = api_key_for(partner)
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    api_client.get("/api/v1/packages/")
    key.refresh_from_db()
    first = key.last_used_at
    assert first is not None
    for _ in range(3):
        api_client.get("/api/v1/packages/")
    key.refresh_from_db()
    assert key.last_used_at == first

    from accounts.services import api_key_touch

    later = timezone.now() + timedelta(seconds=61)
    from django.core.cache import cache

    cache.clear()  # the minute's gate expired
    assert api_key_touch(api_key=key, now=later)
    assert ApiKey.objects.get(pk=key.pk).last_used_at == later
