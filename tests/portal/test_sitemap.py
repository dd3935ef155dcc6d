import pytest

from tests.operators.factories import bookable_experience

pytestmark = pytest.mark.django_db


def test_sitemap_lists_pages_in_four_languages_with_alternates(client, content, settings):
    settings.SITE_URL = "https://pianadilucca.example"
    product, _slot = bookable_experience()
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    xml = response.content.decode()
    for code in ("it", "en", "de", "fr"):
        assert f"<loc>https://pianadilucca.example/{code}/stories/volto-santo/</loc>" in xml
        assert f"https://pianadilucca.example/{code}/discover/{product.slug}/" in xml
    assert 'hreflang="x-default"' in xml
    assert "https://pianadilucca.example/de/comuni/capannori/" in xml
