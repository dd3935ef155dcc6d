"""German and French pages, hreflang and canonical links, visible translation fallbacks."""

import pytest
from django.urls import reverse
from django.utils import translation

from tests.operators.factories import bookable_experience

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("code", ["it", "en", "de", "fr"])
def test_every_language_has_a_home_page(client, code):
    response = client.get(f"/{code}/")
    assert response.status_code == 200
    assert f'<html lang="{code}">' in response.content.decode()


def test_pages_link_their_translations_and_a_canonical_url(client, settings):
    settings.SITE_URL = "https://pianadilucca.example"
    product, _slot = bookable_experience()
    with translation.override("de"):
        url = reverse("discover_product", args=[product.slug])
    assert url.startswith("/de/")
    html = client.get(url + "?adults=2&utm_source=x").content.decode()
    assert f'<link rel="canonical" href="https://pianadilucca.example{url}">' in html
    for code in ("it", "en", "de", "fr"):
        assert (
            f'hreflang="{code}" href="https://pianadilucca.example/{code}/discover/{product.slug}/"'
            in html
        )
    assert 'hreflang="x-default"' in html


def test_listing_text_in_german_when_the_operator_wrote_it(client):
    product, _slot = bookable_experience()
    product.description_de = "Eine Führung über die Stadtmauern."
    product.description_en = "A guided walk on the walls."
    product.save()
    html = client.get(f"/de/discover/{product.slug}/").content.decode()
    assert "Eine Führung über die Stadtmauern." in html
    assert "Not yet translated" not in html and "fallback-note" not in html


def test_missing_french_text_falls_back_visibly_to_english(client):
    product, _slot = bookable_experience()
    product.description_en = "A guided walk on the walls."
    product.description_it = "Una passeggiata sulle mura."
    product.description_fr = ""
    product.save()
    html = client.get(f"/fr/discover/{product.slug}/").content.decode()
    assert "A guided walk on the walls." in html
    assert 'class="fallback-note"' in html


def test_the_sort_order_reads_in_the_visitors_language_both_ways(client):
    """django-filter formats "(descending)" once at import (in Italian): not in /de/ or /en/."""
    german = client.get("/de/discover/").content.decode()
    assert "Preis (absteigend)" in german
    assert "decrescente" not in german
    english = client.get("/en/discover/").content.decode()
    assert "Name (descending)" in english
    assert "decrescente" not in english


def test_the_themes_have_german_names():
    """Migration 0009: the themes of 0002 had only Italian and English names."""
    from operators.models import Theme

    with translation.override("de"):
        assert Theme.objects.get(slug="legends-traditions").name == "Legenden und Bräuche"
