"""Destination pages run a fixed number of queries, however many products they show."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import comune
from tests.operators.factories import bookable_experience

pytestmark = pytest.mark.django_db

PAGES = [
    "/en/",
    "/en/comuni/capannori/",
    "/en/stories/quercia-delle-streghe/",
    "/en/events/antiche-camelie/",
    "/en/itineraries/walls-villas-paper/",
    "/en/discover/?adults=2",
]


def _count(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_queries_do_not_grow_with_the_catalogue(client, content):
    bookable_experience(comune=comune("Capannori"))
    for url in PAGES:  # warm caches (content types, sites, the catalogue's search form)
        client.get(url)
    before = {url: _count(client, url) for url in PAGES}
    for _ in range(5):
        bookable_experience(comune=comune("Capannori"))
        bookable_experience(comune=comune("Lucca"))
    after = {url: _count(client, url) for url in PAGES}
    assert after == before
