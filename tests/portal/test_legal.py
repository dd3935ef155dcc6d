"""Terms of sale and privacy notice: a whole text per language (Italian authoritative), the
DMC's identity taken from the DMC organisation (as on the invoices), and a visible placeholder
naming what is missing."""

import pytest

from tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def dmc():
    return OrganisationFactory(
        name="Piana di Lucca DMC",
        legal_name="Piana di Lucca DMC Srl",
        kind="dmc",
        subkind="",
        partita_iva="01234567897",
        address="Cortile Carrara 1",
        postcode="55100",
        email="info@piana.example",
    )


@pytest.mark.parametrize(
    "language,terms,withdrawal,privacy",
    [
        ("it", "Condizioni generali di vendita", "art. 59, comma 1, lettera n", "Titolare"),
        ("en", "General terms of sale", "art. 59(1)(n)", "Controller"),
        ("de", "Allgemeine Verkaufsbedingungen", "Art. 59 Abs. 1 Buchst. n", "Verantwortlicher"),
        ("fr", "Conditions générales de vente", "art. 59, alinéa 1, lettre n", "Responsable"),
    ],
)
def test_each_language_has_its_text_with_the_dmcs_identity(
    client, dmc, language, terms, withdrawal, privacy
):
    page = client.get(f"/{language}/terms/").content.decode()
    assert f"<h1>{terms}</h1>" in page
    assert withdrawal in page
    assert "2015/2302" in page and "Stripe" in page and "2024/3228" in page
    assert "Piana di Lucca DMC Srl" in page and "IT01234567897" in page
    assert "Cortile Carrara 1, 55100" in page
    notice = client.get(f"/{language}/privacy/").content.decode()
    assert privacy in notice
    assert "Garante per la protezione dei dati personali" in notice
    assert "mailto:info@piana.example" in notice and "IT01234567897" in notice


def test_a_missing_partita_iva_is_a_visible_placeholder(client):
    page = client.get("/en/terms/").content.decode()
    assert "[Partita IVA: fill in the DMC organisation" in page
