"""The checkout pages: the buyer only, the amount they saw, the card step served with
localstripe's Stripe.js stand-in, 3-D Secure and the return page."""

from decimal import Decimal

import pytest
import requests
from django.conf import settings

from bookings.models import BookingStatus
from payments.gateway import stripe_client
from payments.models import LedgerEntry, Payment
from payments.views_pages import checkout_token
from tests.bookings.factories import hold_experience
from tests.factories import UserFactory

from .helpers import VISA, VISA_3DS, authenticate

pytestmark = pytest.mark.django_db


def _url(booking, suffix=""):
    return f"/en/checkout/{booking.reference}/{suffix}?t={checkout_token(booking)}"


def _token_card(api_base, number):
    """What localstripe's Stripe.js does with the Card Element: a token, with the
    publishable key."""
    response = requests.post(
        f"{api_base}/v1/tokens",
        data={
            "card[number]": number,
            "card[exp_month]": "12",
            "card[exp_year]": "2030",
            "card[cvc]": "123",
            "key": settings.STRIPE_PUBLISHABLE_KEY,
        },
        timeout=5,
    )
    response.raise_for_status()
    return response.json()["card"]["id"]


def test_the_checkout_shows_the_total_and_amount_due_to_the_guest_with_the_link(
    localstripe, client
):
    booking = hold_experience(adults=2)
    response = client.get(_url(booking))
    assert response.status_code == 200
    html = response.content.decode()
    assert booking.reference in html
    assert "60.00" in html
    assert 'name="expected_amount" value="60.00"' in html


def test_the_checkout_is_404_without_the_link_or_for_another_user(localstripe, client):
    booking = hold_experience()
    assert client.get(f"/en/checkout/{booking.reference}/").status_code == 404
    assert client.get(f"/en/checkout/{booking.reference}/?t=forged").status_code == 404
    other = hold_experience()
    wrong = f"/en/checkout/{booking.reference}/?t={checkout_token(other)}"
    assert client.get(wrong).status_code == 404
    client.force_login(UserFactory())
    assert client.get(f"/en/checkout/{booking.reference}/").status_code == 404
    assert (
        client.post(f"/en/checkout/{booking.reference}/", {"expected_amount": "30.00"}).status_code
        == 404
    )
    assert not Payment.objects.exists()


def test_the_signed_in_buyer_reaches_the_checkout_without_a_link(localstripe, client):
    buyer = UserFactory()
    booking = hold_experience()
    booking.buyer_user = buyer
    booking.save(update_fields=["buyer_user"])
    client.force_login(buyer)
    assert client.get(f"/en/checkout/{booking.reference}/").status_code == 200


def test_the_card_step_loads_stripe_js_from_localstripe_and_a_double_post_reuses_the_intent(
    localstripe, client
):
    booking = hold_experience(adults=2)
    first = client.post(_url(booking), {"expected_amount": "60.00"})
    second = client.post(_url(booking), {"expected_amount": "60.00"})
    assert first.status_code == second.status_code == 200
    html = first.content.decode()
    assert f'src="{localstripe}/js.stripe.com/v3/"' in html
    assert 'id="card-element"' in html
    payment = Payment.objects.get()
    assert payment.stripe_payment_intent_id in html  # in the client secret
    assert len(stripe_client().v1.payment_intents.list().data) == 1
    booking.refresh_from_db()
    assert booking.status == BookingStatus.PENDING_PAYMENT


def test_stripe_js_is_the_real_one_without_a_local_server(client, settings):
    from payments.gateway import stripe_js_url

    settings.STRIPE_API_BASE = ""
    assert stripe_js_url() == "https://js.stripe.com/v3/"


def test_a_stale_amount_is_refused_with_a_clear_error(localstripe, client):
    booking = hold_experience(adults=2)
    response = client.post(_url(booking), {"expected_amount": "45.00"})
    assert response.status_code == 400
    assert "60.00" in response.content.decode()
    assert not Payment.objects.exists()


def test_paying_through_the_page_with_3d_secure_then_returning(localstripe, client):
    booking = hold_experience(adults=1)
    client.post(_url(booking), {"expected_amount": "30.00"})
    payment = Payment.objects.get()
    card = _token_card(localstripe, VISA_3DS)
    response = client.post(
        _url(booking, "pay/"),
        data={"payment": payment.pk, "card": card},
        content_type="application/json",
    )
    assert response.json()["status"] == "requires_action"
    intent = stripe_client().v1.payment_intents.retrieve(payment.stripe_payment_intent_id)
    authenticate(localstripe, intent, success=True)
    page = client.get(_url(booking, "return/"))
    assert page.status_code == 200
    assert 'id="payment-result"' in page.content.decode()
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED
    assert LedgerEntry.objects.get(booking=booking).amount_cents == 3000


def test_a_declined_card_on_the_page_offers_to_try_again(localstripe, client):
    booking = hold_experience(adults=1)
    client.post(_url(booking), {"expected_amount": "30.00"})
    payment = Payment.objects.get()
    response = client.post(
        _url(booking, "pay/"),
        data={"payment": payment.pk, "card": _token_card(localstripe, "4000000000000341")},
        content_type="application/json",
    )
    assert response.json()["status"] == "requires_payment_method"
    page = client.get(_url(booking, "return/"))
    assert "Try again" in page.content.decode()
    client.post(_url(booking), {"expected_amount": "30.00"})
    retry = Payment.objects.order_by("-attempt").first()
    assert retry.attempt == 2
    client.post(
        _url(booking, "pay/"),
        data={"payment": retry.pk, "card": _token_card(localstripe, VISA)},
        content_type="application/json",
    )
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED
    assert sum(e.amount_cents for e in LedgerEntry.objects.all()) == 3000
    assert Decimal("30.00") == retry.amount
