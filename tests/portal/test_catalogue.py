"""The catalogue filters (django-filter), sorting, and suggestions when nothing is free."""

from datetime import timedelta

import pytest

from operators.models import Language
from tests.factories import comune
from tests.operators.factories import bookable_experience

pytestmark = pytest.mark.django_db


def _search(day, **extra):
    return {
        "start": day.isoformat(),
        "end": (day + timedelta(days=1)).isoformat(),
        "adults": 2,
        **extra,
    }


def _found(response):
    return [item.product for item in response.context["results"]]


def test_filters_by_language_price_duration_and_accessibility(client):
    cheap, slot = bookable_experience(adult="15.00", net="12.00", duration_minutes=90)
    dear, _ = bookable_experience(adult="60.00", duration_minutes=300)
    cheap.languages.add(Language.objects.get(code="de"))
    dear.accessibility_notes_en = "Step-free route."
    dear.save()
    assert set(_found(client.get("/en/discover/", _search(slot.date)))) >= {cheap, dear}
    assert _found(client.get("/en/discover/", _search(slot.date, language="de"))) == [cheap]
    assert _found(client.get("/en/discover/", _search(slot.date, max_price="20"))) == [cheap]
    assert _found(client.get("/en/discover/", _search(slot.date, max_duration="120"))) == [cheap]
    assert _found(client.get("/en/discover/", _search(slot.date, accessible="on"))) == [dear]


def test_sorting_by_price(client):
    dear, slot = bookable_experience(adult="60.00")
    cheap, _ = bookable_experience(adult="15.00", net="12.00")
    assert _found(client.get("/en/discover/", _search(slot.date, sort="price")))[:2] == [
        cheap,
        dear,
    ]
    assert _found(client.get("/en/discover/", _search(slot.date, sort="-price")))[:2] == [
        dear,
        cheap,
    ]


def test_nothing_free_suggests_the_nearest_dates_and_other_comuni(client):
    product, slot = bookable_experience(comune=comune("Montecarlo"), days_ahead=10)
    lucca = comune("Lucca")
    empty_day = slot.date - timedelta(days=2)
    response = client.get("/en/discover/", _search(empty_day, comune=lucca.istat_code))
    assert response.context["total"] == 0
    suggestions = response.context["suggestions"]
    assert [s.label for s in suggestions["comuni"]] == []  # nothing anywhere on that day
    response = client.get("/en/discover/", _search(slot.date, comune=lucca.istat_code))
    suggestions = response.context["suggestions"]
    assert [s.label for s in suggestions["comuni"]] == ["Montecarlo"]
    response = client.get("/en/discover/", _search(empty_day))
    dates = response.context["suggestions"]["dates"]
    assert slot.date in [s.label for s in dates]
    assert "Nearest dates with availability" in response.content.decode()


@pytest.mark.parametrize("sort", ["price", "-price", "duration", "-duration"])
def test_pages_of_a_sort_with_ties_neither_repeat_nor_skip_a_product(client, sort):
    """Equal prices (or durations) are ordered by id, so page 2 starts where page 1 ended."""
    products = []
    for i in range(30):
        product, slot = bookable_experience(title=f"Walk {(i * 7) % 30:02}", duration_minutes=90)
        products.append(product)
    first = _found(client.get("/en/discover/", _search(slot.date, sort=sort)))
    second = _found(client.get("/en/discover/", _search(slot.date, sort=sort, page=2)))
    third = _found(client.get("/en/discover/", _search(slot.date, sort=sort, page=3)))
    seen = [p.pk for p in first + second + third]
    assert sorted(seen) == sorted(p.pk for p in products)
    ids = sorted(p.pk for p in products)
    assert seen == (ids if not sort.startswith("-") else ids[::-1])
