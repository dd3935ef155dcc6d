"""Travellers' invoices through the SdI: the codice fiscale and address asked for at checkout
or from the account, a consumer FatturaPA (0000000 + CodiceFiscale, or XXXXXXX and the real
country abroad) valid against the v1.2.3 schema; bad data refused with nothing written."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from bookings import services as booking_services
from invoices.models import Invoice, InvoiceRequest
from invoices.traveller import invoice_request_save
from tests.factories import UserFactory

from .adapter_helpers import documents_of, experience
from .helpers import parsed_valid_xml

pytestmark = pytest.mark.django_db

ITALIAN = {
    "first_name": "Mario",
    "last_name": "Rossi",
    "codice_fiscale": "RSSMRA85T10A562S",
    "address": "Via Fillungo 10",
    "postcode": "55100",
    "city": "Lucca",
    "province": "LU",
    "country": "IT",
}
GERMAN = {
    "first_name": "Jana",
    "last_name": "Müller",
    "address": "Hauptstraße 5",
    "postcode": "80331",
    "city": "München",
    "country": "DE",
}


def _held(user=None):
    return booking_services.booking_hold(
        lines=[experience(adults=2, adult="50.00")],
        channel="web",
        contact_name="Mario Rossi",
        contact_email="mario@example.com",
        buyer_user=user,
        hold_for=timedelta(days=1),
    )


def _confirm(capture, booking):
    with capture(execute=True):
        booking_services.booking_confirm(booking=booking, via="test")
    booking.refresh_from_db()
    return booking


def test_italian_traveller_gets_a_consumer_e_invoice(dmc, django_capture_on_commit_callbacks):
    booking = _held()
    invoice_request_save(booking=booking, data=ITALIAN)
    _confirm(django_capture_on_commit_callbacks, booking)
    [document] = documents_of(booking)
    root = parsed_valid_xml(document)
    assert root.findtext(".//DatiTrasmissione/CodiceDestinatario") == "0000000"
    buyer = root.find(".//CessionarioCommittente")
    assert buyer.findtext(".//CodiceFiscale") == "RSSMRA85T10A562S"
    assert buyer.findtext(".//Anagrafica/Nome") == "Mario"
    assert buyer.findtext(".//Anagrafica/Cognome") == "Rossi"
    assert buyer.findtext(".//Sede/CAP") == "55100"
    assert document.sdi_status == "to_send" and document.total == Decimal("100.00")


def test_foreign_traveller_gets_the_real_country(dmc, django_capture_on_commit_callbacks):
    booking = _held()
    invoice_request_save(booking=booking, data=GERMAN)
    _confirm(django_capture_on_commit_callbacks, booking)
    [document] = documents_of(booking)
    root = parsed_valid_xml(document)
    assert document.customer_country == "DE"
    assert root.findtext(".//DatiTrasmissione/CodiceDestinatario") == "XXXXXXX"
    buyer = root.find(".//CessionarioCommittente")
    assert buyer.findtext(".//IdFiscaleIVA/IdPaese") == "DE"
    assert buyer.findtext(".//Sede/Nazione") == "DE"


@pytest.mark.parametrize(
    "change, field",
    [
        ({"codice_fiscale": "RSSMRA85T10A562X"}, "codice_fiscale"),
        ({"codice_fiscale": ""}, "codice_fiscale"),
        ({"postcode": ""}, "postcode"),
        ({"address": ""}, "address"),
    ],
)
def test_bad_invoice_data_is_refused_and_nothing_written(dmc, change, field):
    booking = _held()
    with pytest.raises(ValidationError) as error:
        invoice_request_save(booking=booking, data={**ITALIAN, **change})
    assert field in error.value.message_dict
    assert InvoiceRequest.objects.count() == 0


def test_invoice_asked_after_the_receipt_replaces_it(dmc, django_capture_on_commit_callbacks):
    booking = _confirm(django_capture_on_commit_callbacks, _held())
    [receipt] = documents_of(booking)
    assert receipt.xml_content == ""  # the receipt certifies the sale
    [invoice] = invoice_request_save(booking=booking, data=ITALIAN)
    assert invoice.xml_content and invoice.customer_codice_fiscale == "RSSMRA85T10A562S"
    note = receipt.credit_notes.get()
    assert note.total == receipt.total == invoice.total


def test_the_traveller_asks_from_the_account_and_cannot_reach_another(dmc, client):
    owner, stranger = UserFactory(), UserFactory()
    booking = _held(user=owner)
    url = reverse("invoices:account_invoice_request", args=[booking.reference])
    client.force_login(stranger)
    assert client.get(url).status_code == 404
    client.force_login(owner)
    assert client.get(url).status_code == 200
    bad = client.post(url, {**ITALIAN, "codice_fiscale": "XXXXXX00X00X000X"})
    assert bad.status_code == 400 and "not a valid codice fiscale" in bad.content.decode()
    assert not InvoiceRequest.objects.exists()
    response = client.post(url, ITALIAN)
    assert response.status_code == 302
    assert InvoiceRequest.objects.get(booking=booking).codice_fiscale == "RSSMRA85T10A562S"
    assert Invoice.objects.count() == 0  # not confirmed yet: invoiced with these data
