import pytest

from tests.factories import OrganisationFactory, api_key_for
from tests.payments.conftest import localstripe, localstripe_base  # noqa: F401


@pytest.fixture
def partner(db):
    return OrganisationFactory(name="Tuscany Tours", kind="trade", subkind="tour_operator")


@pytest.fixture
def partner_client(api_client, partner):
    _key, raw = api_key_for(partner)
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return api_client


def hold_body(product, slot, adults=2):
    return {
        "contact_name": "Hans Müller",
        "contact_email": "hans@example.de",
        "language": "de",
        "lines": [
            {
                "product": product.slug,
                "date": slot.date.isoformat(),
                "slot": slot.pk,
                "adults": adults,
            }
        ],
    }


@pytest.fixture
def redis_broker():
    """A redis-server of this test's own, with Celery pointed at it (not eager)."""
    from .broker import RedisServer, celery_broker

    server = RedisServer()
    if server.binary is None:
        pytest.skip("redis-server is not installed: the broker fault tests need it")
    server.start()
    try:
        with celery_broker(server.url):
            yield server
    finally:
        server.stop()
