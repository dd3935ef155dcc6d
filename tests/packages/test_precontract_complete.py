"""The package pre-contract information is complete (art. 34 and Annex A, Codice del
Turismo): every required item is checked in the Italian, English, German and French PDF text."""

import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation
from pypdf import PdfReader

from bookings.models import TouristTaxRule
from tests.invoices.factories import dmc_org

pytestmark = pytest.mark.django_db

REQUIRED = {
    "en": [
        "transfer the package to another person",
        "not later than 20 days before the start",
        "exceeds 8%",
        "essential elements of the package",
        "assistance if you are in difficulty",
        "Emergency contact during the trip",
        "Contact of the insolvency protection",
        "Fondo Garanzia Viaggi: via Roma 1",
        "D.Lgs. 79/2011",
        "normattiva.it",
        "Passport and visa",
        "Schengen visa",
        "Optional insurance",
        "Tourist tax at",
        "per person per night",
        "for at most 3 nights",
    ],
    "it": [
        "cedere il pacchetto",
        "20 giorni prima",
        "8%",
        "elementi essenziali",
        "assistenza",
        "Contatto di emergenza",
        "Fondo Garanzia Viaggi: via Roma 1",
        "D.Lgs. 79/2011",
        "normattiva.it",
        "Passaporto e visto",
        "visto Schengen",
        "Assicurazione facoltativa",
        "Imposta di soggiorno presso",
        "a persona a notte",
    ],
    "de": [
        "auf eine andere Person übertragen",
        "bis spätestens 20",
        "Tage vor Beginn der Pauschalreise",
        "8 %",
        "wesentlichen Bestandteile der Pauschalreise",
        "Beistand",
        "Notfallkontakt während der Reise",
        "Kontakt der Insolvenzabsicherung",
        "Fondo Garanzia Viaggi: via Roma 1",
        "D.Lgs. 79/2011",
        "normattiva.it",
        "Pass- und Visumerfordernisse",
        "Schengen",
        "Optionale Versicherung",
        "Kurtaxe in",
        "pro Person und Nacht",
        "für höchstens 3 Nächte",
        "Reiseveranstalter",
    ],
    "fr": [
        "céder le forfait à une autre personne",
        "vingt jours avant le début du forfait",
        "8 %",
        "éléments essentiels du forfait",
        "apporter une aide",
        "Contact d'urgence pendant le voyage",
        "Contact de la protection contre l'insolvabilité",
        "Fondo Garanzia Viaggi: via Roma 1",
        "D.Lgs. 79/2011",
        "normattiva.it",
        "Passeport et visa",
        "visa Schengen",
        "Assurance facultative",
        "Taxe de séjour à",
        "par personne et par nuit",
        "pour 3 nuits au plus",
        "organisateur",
    ],
}


def _text(pdf: bytes) -> str:
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    return " ".join(text.split())


@pytest.mark.parametrize("language", ["en", "it", "de", "fr"])
def test_every_required_item_is_in_the_pdf(client, trip, language):
    dmc_org()
    package = trip["package"]
    package.status = "published"
    package.insolvency_protector = "Fondo Garanzia Viaggi"
    package.insolvency_protector_contact = "via Roma 1, Roma, info@fgv.example"
    package.travel_documents = ""
    package.save()
    hotel = trip["hotel"]
    TouristTaxRule.objects.create(
        comune=hotel.comune,
        rate_per_night=Decimal("3.50"),
        valid_from=package.valid_from - timedelta(days=400),
        max_nights=3,
        exempt_under_age=12,
    )
    with translation.override(language):
        url = reverse("packages:precontract_pdf", args=[package.slug])
    response = client.get(url)
    assert response.status_code == 200
    text = _text(response.content)
    missing = [item for item in REQUIRED[language] if item not in text]
    assert missing == []
