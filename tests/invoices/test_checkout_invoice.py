"""The checkout's optional "I want an invoice" section: saved through the same service as the
account page; a bad codice fiscale or a missing CAP shows the form error and writes nothing;
another booking's link is 404; a trade booking gets no such section."""

import pytest
from django.urls import reverse

from invoices.models import InvoiceRequest
from payments.views_pages import checkout_token
from tests.factories import UserFactory

from .test_traveller_invoices import GERMAN, ITALIAN, _held

pytestmark = pytest.mark.django_db


def _post_data(booking, data, token=None):
    payload = {f"invoice-{name}": value for name, value in data.items()}
    payload["t"] = checkout_token(booking) if token is None else token
    return payload


def _invoice_url(booking):
    return reverse("payments_pages:checkout_invoice", kwargs={"reference": booking.reference})


def test_the_checkout_offers_the_invoice_section(dmc, client):
    booking = _held()
    url = reverse("payments_pages:checkout", kwargs={"reference": booking.reference})
    html = client.get(f"{url}?t={checkout_token(booking)}").content.decode()
    assert 'id="invoice-request"' in html
    assert 'name="invoice-codice_fiscale"' in html and 'name="invoice-postcode"' in html
    assert _invoice_url(booking) in html


def test_an_italian_traveller_records_the_request_at_checkout(dmc, client):
    booking = _held()
    data = _post_data(booking, ITALIAN)
    response = client.post(_invoice_url(booking), data)
    assert response.status_code == 302
    assert response["Location"].endswith(f"/checkout/{booking.reference}/?t={data['t']}")
    saved = InvoiceRequest.objects.get(booking=booking)
    assert saved.codice_fiscale == "RSSMRA85T10A562S" and saved.postcode == "55100"
    page = client.get(response["Location"]).content.decode()
    assert 'id="invoice-saved"' in page and "RSSMRA85T10A562S" in page


def test_a_foreign_traveller_needs_no_codice_fiscale(dmc, client):
    booking = _held()
    response = client.post(_invoice_url(booking), _post_data(booking, GERMAN))
    assert response.status_code == 302
    assert InvoiceRequest.objects.get(booking=booking).country == "DE"


@pytest.mark.parametrize(
    "change, message",
    [
        ({"codice_fiscale": "RSSMRA85T10A562X"}, "not a valid codice fiscale"),
        ({"codice_fiscale": ""}, "invoice-codice_fiscale"),
        ({"postcode": ""}, "invoice-postcode"),
    ],
)
def test_bad_details_show_the_form_error_and_write_nothing(dmc, client, change, message):
    booking = _held()
    response = client.post(_invoice_url(booking), _post_data(booking, {**ITALIAN, **change}))
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert "errorlist" in html
    assert 'name="expected_amount"' in html  # the payment form is still there
    assert not InvoiceRequest.objects.exists()


def test_another_booking_or_a_forged_link_is_404(dmc, client):
    booking, other = _held(), _held()
    assert (
        client.post(
            _invoice_url(booking), _post_data(other, ITALIAN, token=checkout_token(other))
        ).status_code
        == 404
    )
    assert client.post(_invoice_url(booking), _post_data(booking, ITALIAN, "x")).status_code == 404
    client.force_login(UserFactory())
    assert client.post(_invoice_url(booking), _post_data(booking, ITALIAN, "")).status_code == 404
    assert not InvoiceRequest.objects.exists()


def test_the_signed_in_buyer_saves_without_the_link(dmc, client):
    buyer = UserFactory()
    booking = _held(user=buyer)
    client.force_login(buyer)
    response = client.post(_invoice_url(booking), _post_data(booking, ITALIAN, token=""))
    assert response.status_code == 302
    assert InvoiceRequest.objects.filter(booking=booking).exists()
