"""What an API request costs besides the service it calls: the key and the slot looked up by
SQL compiled once per process, answers written by fields built once per class (and equal to
DRF's own), rate limits counted in one cache round trip."""

import pytest
from django.db.models.sql.compiler import SQLCompiler

from accounts.models import ApiKey
from accounts.services import api_key_authenticate
from bookings.api import serializers as output
from bookings.models import TradeContract
from marketplace.queries import CompiledQuery
from operators.models import Slot
from tests.factories import OrganisationFactory, api_key_for
from tests.operators.factories import bookable_experience

pytestmark = pytest.mark.django_db


def _slot_with_product():
    return CompiledQuery(
        lambda pk: (
            Slot.objects.select_related(
                "product__organisation", "product__organisation__supplier_terms"
            )
            .filter(pk=pk, product__status="published")
            .order_by()[:1]
        ),
        pk=-1,
    )


@pytest.fixture
def count_compilations(monkeypatch):
    calls = []
    as_sql = SQLCompiler.as_sql

    def counting(self, *args, **kwargs):
        calls.append(self.query.model)
        return as_sql(self, *args, **kwargs)

    monkeypatch.setattr(SQLCompiler, "as_sql", counting)
    return calls


def test_a_compiled_query_builds_what_the_queryset_builds(django_assert_num_queries):
    product, slot = bookable_experience()
    query = _slot_with_product()
    with django_assert_num_queries(1):
        compiled = query.first(pk=slot.pk)
    expected = Slot.objects.select_related("product__organisation").get(pk=slot.pk)
    assert isinstance(compiled, Slot) and compiled.pk == slot.pk
    for a, b in ((compiled, expected), (compiled.product, expected.product)):
        assert [getattr(a, f.attname) for f in a._meta.concrete_fields] == [
            getattr(b, f.attname) for f in b._meta.concrete_fields
        ]
    with django_assert_num_queries(0):  # joined, including the absent terms
        assert compiled.product.organisation.name == product.organisation.name
        assert not hasattr(compiled.product.organisation, "supplier_terms")
    assert query.first(pk=slot.pk + 1000) is None


def test_a_compiled_query_is_compiled_once(count_compilations):
    _product, slot = bookable_experience()
    query = _slot_with_product()
    count_compilations.clear()
    for _ in range(3):
        assert query.first(pk=slot.pk).pk == slot.pk
    assert count_compilations == [Slot]


def test_a_compiled_query_refuses_what_it_cannot_run():
    with pytest.raises(TypeError):
        _slot_with_product().first(pk="1")
    with pytest.raises(TypeError):
        _slot_with_product().first()
    hidden = CompiledQuery(lambda pk: Slot.objects.filter(pk__gt=pk), pk=-1)
    hidden.first(pk=1)  # an integer comes back unchanged: fine
    transformed = CompiledQuery(lambda text: Slot.objects.filter(note__icontains=text), text="x")
    with pytest.raises(ValueError):  # "%x%" is not the placeholder any more
        transformed.first(text="y")


def test_reads_sent_together_answer_each_query_once_in_one_round_trip(
    django_assert_num_queries,
):
    """On PostgreSQL, `read_together` sends its reads (and extra statements) as one string;
    inside the block each read answers from it, exactly as when it asks alone; a read with
    other values, or after the block, asks again. Elsewhere each read asks when it runs."""
    from django.db import connection

    from marketplace.queries import FixedRead, read_together

    product, slot = bookable_experience()
    other_product, other_slot = bookable_experience()
    query = _slot_with_product()
    alone = query.first(pk=slot.pk)
    count = FixedRead(f'SELECT count(*) FROM "{Slot._meta.db_table}" WHERE id BETWEEN %s AND %s')  # noqa: S608
    together = connection.vendor == "postgresql"
    with (
        django_assert_num_queries(1 if together else 0),
        read_together(
            [(query, {"pk": slot.pk}), (count, {"low": slot.pk, "high": other_slot.pk})],
            [("SELECT %s + 1", [41])],
        ) as extra,
    ):
        pass
    assert extra == ([[(42,)]] if together else [None])
    with read_together([(query, {"pk": slot.pk}), (count, {"low": slot.pk, "high": slot.pk})]):
        with django_assert_num_queries(0 if together else 2):
            read = query.first(pk=slot.pk)
            assert count.all(low=slot.pk, high=slot.pk) == [(1,)]
        assert [getattr(read, f.attname) for f in Slot._meta.concrete_fields] == [
            getattr(alone, f.attname) for f in Slot._meta.concrete_fields
        ]
        assert read.product.organisation == alone.product.organisation
        with django_assert_num_queries(1):  # other values: asked
            assert query.first(pk=other_slot.pk).pk == other_slot.pk
    with django_assert_num_queries(1):  # after the block: asked again
        query.first(pk=slot.pk)


def test_the_api_key_is_looked_up_by_a_compiled_query_and_still_checked(count_compilations):
    partner = OrganisationFactory(kind="trade", subkind="tour_operator")
    TradeContract.objects.create(organisation=partner, option_days=5)
    key, raw = api_key_for(partner)
    api_key_authenticate(raw)
    count_compilations.clear()
    found = api_key_authenticate(raw)
    assert found.pk == key.pk and found.organisation.trade_contract.option_days == 5
    assert ApiKey not in count_compilations
    assert api_key_authenticate(raw[:-1] + ("x" if raw[-1] != "x" else "y")) is None
    partner.is_active = False
    partner.save(update_fields=["is_active"])
    assert api_key_authenticate(raw) is None


def _booked(api_client):
    partner = OrganisationFactory(kind="trade", subkind="tour_operator")
    _key, raw = api_key_for(partner)
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    product, slot = bookable_experience(capacity=10)
    body = {
        "contact_name": "Hans",
        "contact_email": "hans@example.de",
        "lines": [
            {"product": product.slug, "date": slot.date.isoformat(), "slot": slot.pk, "adults": 2}
        ],
    }
    response = api_client.post("/api/v1/bookings/", body, format="json")
    assert response.status_code == 201, response.json()
    return response.json()


def test_the_answers_equal_drfs_own(api_client, monkeypatch):
    created = _booked(api_client)
    reference = created["reference"]
    read = api_client.get(f"/api/v1/bookings/{reference}/").json()
    listed = api_client.get("/api/v1/bookings/").json()
    monkeypatch.setattr(output._FieldsBuiltOnce, "represent_with_drf", True)
    assert api_client.get(f"/api/v1/bookings/{reference}/").json() == read == created
    assert api_client.get("/api/v1/bookings/").json() == listed
    assert read["lines"][0]["pax"] and read["events"] and read["expires_at"]


def test_an_answer_binds_no_fields(api_client, monkeypatch):
    """DRF builds and binds (deep copies) every field of every serializer instance; the
    answers here are written by the fields of one instance per class, bound once."""
    _booked(api_client)
    bound = []
    get_fields = output._FieldsBuiltOnce.get_fields

    def counting(self):
        bound.append(type(self).__name__)
        return get_fields(self)

    monkeypatch.setattr(output._FieldsBuiltOnce, "get_fields", counting)
    created = _booked(api_client)
    api_client.get(f"/api/v1/bookings/{created['reference']}/")
    api_client.get("/api/v1/bookings/")
    assert created["lines"] and bound == []
    monkeypatch.setattr(output._FieldsBuiltOnce, "represent_with_drf", True)
    api_client.get(f"/api/v1/bookings/{created['reference']}/")
    assert "BookingOutput" in bound  # the check can fail


class _Clock:
    now = 60 * 16_667 + 20.0  # 20 s into a minute

    def __call__(self):
        return self.now


def _throttle(cache, clock):
    from marketplace.throttling import _WindowCounterThrottle

    class Throttle(_WindowCounterThrottle):
        rate = "2/min"
        scope = "test"

        def get_cache_key(self, request, view):
            return "throttle-test-caller"

    Throttle.cache = cache
    Throttle.timer = clock
    return Throttle


def _allowed(throttle_class):
    throttle = throttle_class()
    return throttle.allow_request(None, None), throttle


def test_the_rate_limit_slides_and_says_when_to_retry():
    from django.core.cache import cache

    clock = _Clock()
    throttle = _throttle(cache, clock)
    assert [_allowed(throttle)[0] for _ in range(2)] == [True, True]
    refused, third = _allowed(throttle)
    assert not refused and third.wait() == 40  # the window ends in 40 s
    assert not _allowed(throttle)[0]  # refusals are not counted...
    clock.now += 41  # 1 s into the next minute: the two count 59/60
    refused, fourth = _allowed(throttle)
    assert not refused and fourth.wait() == 30  # 2 × (1 - t/60) + 1 <= 2 after 30 s more
    clock.now += 30
    assert _allowed(throttle)[0]  # ...so the caller is let through as soon as it may
    assert not _allowed(throttle)[0]


@pytest.mark.parametrize("through_the_proxy", [False, True])
def test_the_rate_limit_costs_one_redis_round_trip(monkeypatch, settings, through_the_proxy):
    import os
    import uuid

    import redis
    from django.core.cache.backends.redis import RedisCache

    url = os.environ.get("CACHE_URL", "")
    if not url.startswith("redis://"):
        pytest.skip("CACHE_URL is not a Redis server")
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.ConnectionError:
        pytest.skip(f"no Redis at {url}")
    prefix = f"test-throttle-cost-{uuid.uuid4()}"
    cache = RedisCache(url, {"KEY_PREFIX": prefix})
    if through_the_proxy:  # as DRF's throttles hold it: django.core.cache.cache
        from django.core.cache import cache

        settings.CACHES = {
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": url,
                "KEY_PREFIX": prefix,
            }
        }
    round_trips = []
    send = redis.Redis.execute_command

    def command(self, *args, **kwargs):
        round_trips.append(args[0])
        return send(self, *args, **kwargs)

    monkeypatch.setattr(redis.Redis, "execute_command", command)
    clock = _Clock()
    throttle = _throttle(cache, clock)
    assert _allowed(throttle)[0]
    round_trips.clear()  # the script's first use may load it on the server (SCRIPT LOAD)
    assert [_allowed(throttle)[0] for _ in range(2)] == [True, False]
    assert round_trips == ["EVALSHA", "EVALSHA", "DECRBY"]
    clock.now += 60
    assert not _allowed(throttle)[0]  # the previous minute's two, shared through Redis
    clock.now += 40
    assert _allowed(throttle)[0]


_HOLD_BODIES = [
    {
        "contact_name": "Hans",
        "contact_email": "hans@example.de",
        "lines": [{"product": "walls", "date": "2031-05-04", "slot": 5, "adults": 2}],
    },
    {
        "contact_name": "Hans",
        "contact_email": "hans@example.de",
        "lines": [{"product": "walls", "date": "2031-05-04", "children_ages": [4, None]}],
        "packages": [{"package": "p", "date": "2031-05-04", "adults": 1, "extras": [1]}],
        "accept_package_terms": True,
    },
    {},
    {"contact_name": "", "contact_email": "no", "lines": "x"},
    {"contact_name": "Hans", "contact_email": "h@example.de", "lines": [{}, {"slot": -1}]},
    {"contact_name": "Hans", "contact_email": "h@example.de", "lines": [{"product": "a b"}] * 60},
    {"contact_name": "H" * 300, "contact_email": "h@example.de", "language": "xx", "notes": 5},
]


@pytest.mark.parametrize("body", _HOLD_BODIES)
def test_the_hold_input_validates_as_drf_does(body, monkeypatch):
    from django.utils import translation

    def validate():
        data = output.HoldInput(data=body)
        return data.is_valid(), data.errors, dict(data.validated_data) if not data.errors else {}

    with translation.override("de"):
        ours = validate()
        again = validate()  # the shared fields keep nothing from the last request
        monkeypatch.setattr(output.HoldInput, "validate_with_drf", True)
        assert validate() == ours == again
