"""Helpers of the payments tests: signed webhook requests, cards paid on localstripe."""

import hashlib
import hmac
import json
import time
from decimal import Decimal

import requests
from django.conf import settings

from payments import services
from payments.gateway import stripe_client

VISA = "4242424242424242"
VISA_3DS = "4000002760003184"
DECLINED = "4000000000000341"


def signature(payload: bytes, secret: str | None = None, timestamp: int | None = None) -> str:
    timestamp = timestamp or int(time.time())
    secret = secret or settings.STRIPE_WEBHOOK_SECRET
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + payload, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


def post_event(client, event: dict, secret: str | None = None):
    payload = json.dumps(event).encode()
    return client.post(
        "/payments/stripe/webhook",
        data=payload,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=signature(payload, secret),
    )


_counter = [0]


def event(event_type: str, obj: dict, event_id: str | None = None) -> dict:
    _counter[0] += 1
    return {
        "id": event_id or f"evt_test_{int(time.time() * 1000)}_{_counter[0]}",
        "object": "event",
        "type": event_type,
        "created": int(time.time()),
        "data": {"object": obj},
    }


def payment_method(number: str = VISA) -> str:
    pm = stripe_client().v1.payment_methods.create(
        params={
            "type": "card",
            "card": {"number": number, "exp_month": 12, "exp_year": 2030, "cvc": "123"},
        }
    )
    return pm.id


def start_payment(booking, amount=None):
    """What the checkout does: the intent for the amount due now."""
    item, due = services.amount_due_now(booking)
    return services.payment_intent_for_booking(
        booking=booking, expected_amount=amount if amount is not None else due
    )


def pay(booking, number: str = VISA, amount=None):
    payment, _intent = start_payment(booking, amount)
    intent = services.payment_confirm_card(payment=payment, card=payment_method(number))
    payment.refresh_from_db()
    return payment, intent


def authenticate(api_base: str, intent, success: bool = True):
    """What localstripe's Stripe.js does for 3-D Secure."""
    response = requests.post(
        f"{api_base}/v1/payment_intents/{intent['id']}/_authenticate",
        params={"success": "true" if success else "false"},
        json={"key": settings.STRIPE_PUBLISHABLE_KEY, "client_secret": intent["client_secret"]},
        timeout=5,
    )
    response.raise_for_status()
    return response.json()


def cents(value) -> int:
    return int(Decimal(value) * 100)
