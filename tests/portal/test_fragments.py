"""The catalogue's search form is cached per language, day and query: the cached HTML is the
same as a fresh rendering, another query or language gets its own, a renamed theme or comune
shows at once, and a form with errors is never cached."""

import pytest
from django.core.cache import cache

from operators.models import Theme
from tests.operators.factories import bookable_experience

pytestmark = pytest.mark.django_db


def _form(client, url):
    body = client.get(url).content.decode()
    start = body.index('<form method="get" class="card search-form"')
    return body[start : body.index("</form>", start)]


def test_the_cached_form_is_the_fresh_one_per_language_and_query(client):
    bookable_experience()
    fresh = _form(client, "/en/discover/?adults=3")
    assert 'name="adults" value="3"' in fresh
    assert _form(client, "/en/discover/?adults=3") == fresh
    cache.clear()
    assert _form(client, "/en/discover/?adults=3") == fresh
    assert 'value="4"' in _form(client, "/en/discover/?adults=4")
    german = _form(client, "/de/discover/?adults=3")
    assert "Erwachsene" in german and german != fresh


def test_a_renamed_theme_shows_at_once(client):
    theme = Theme.objects.create(slug="walls", name_en="Walls", name_it="Mura")
    assert ">Walls</option>" in _form(client, "/en/discover/?adults=2")
    theme.name_en = "City walls"
    theme.save()
    assert ">City walls</option>" in _form(client, "/en/discover/?adults=2")


def test_a_form_with_errors_is_rendered_each_time(client):
    bad = _form(client, "/en/discover/?adults=2&start=2001-01-01")
    assert "Choose a date from today on." in bad
    assert bad == _form(client, "/en/discover/?adults=2&start=2001-01-01")
    assert "Choose a date" not in _form(client, "/en/discover/?adults=2")
