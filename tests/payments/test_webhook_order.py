"""Webhooks replayed twice and in reversed order reach the same final state; localstripe
itself delivers signed webhooks to the running app."""

import contextlib
import time

import pytest
import requests
import stripe

from bookings.models import Booking
from payments.gateway import stripe_client
from payments.models import LedgerEntry, Payment, Refund, StripeEvent
from payments.selectors import booking_paid
from tests.bookings.factories import hold_experience

from .conftest import DEAD_URL
from .helpers import DECLINED, VISA_3DS, event, payment_method, post_event, start_payment


def _confirm_in_stripe(intent_id, number):
    """The buyer pays on Stripe's side; the platform learns it only from webhooks."""
    client = stripe_client()
    client.v1.payment_intents.update(intent_id, params={"payment_method": payment_method(number)})
    with contextlib.suppress(stripe.CardError):  # declined: the intent records the failure
        client.v1.payment_intents.confirm(intent_id)
    return client.v1.payment_intents.retrieve(intent_id)


def _universe(api_base):
    """Four bookings and the events Stripe would send about them, in Stripe's order."""
    events = []
    paid = hold_experience(adults=2)
    _p, intent = start_payment(paid)
    intent = _confirm_in_stripe(intent["id"], "4242424242424242")
    events.append(event("payment_intent.succeeded", intent.to_dict()))

    retried = hold_experience(adults=1)
    _p, intent = start_payment(retried)
    failed = _confirm_in_stripe(intent["id"], DECLINED)
    events.append(event("payment_intent.payment_failed", failed.to_dict()))
    Payment.objects.filter(stripe_payment_intent_id=intent["id"]).update(status="failed")
    _p2, intent2 = start_payment(retried)
    Payment.objects.filter(stripe_payment_intent_id=intent["id"]).update(status="created")
    succeeded = _confirm_in_stripe(intent2["id"], "4242424242424242")
    events.append(event("payment_intent.succeeded", succeeded.to_dict()))

    refunded = hold_experience(adults=3)
    _p, intent = start_payment(refunded)
    intent = _confirm_in_stripe(intent["id"], "4242424242424242")
    events.append(event("payment_intent.succeeded", intent.to_dict()))
    charge_id = intent["latest_charge"]
    charge_id = charge_id if isinstance(charge_id, str) else charge_id["id"]
    stripe_client().v1.refunds.create(params={"charge": charge_id, "amount": 2500})
    charge = stripe_client().v1.charges.retrieve(charge_id)
    events.append(event("charge.refunded", charge.to_dict()))

    no_3ds = hold_experience(adults=1)
    _p, intent = start_payment(no_3ds)
    pending = _confirm_in_stripe(intent["id"], VISA_3DS)
    requests.post(
        f"{api_base}/v1/payment_intents/{intent['id']}/_authenticate",
        params={"success": "false"},
        json={"key": "pk_test_local", "client_secret": pending["client_secret"]},
        timeout=5,
    )
    final = stripe_client().v1.payment_intents.retrieve(intent["id"])
    events.append(event("payment_intent.payment_failed", final.to_dict()))
    return [paid, retried, refunded, no_3ds], events


def _state(bookings):
    result = []
    for booking in bookings:
        booking = Booking.objects.get(pk=booking.pk)
        result.append(
            {
                "status": booking.status,
                "paid": booking_paid(booking),
                "ledger": sorted(
                    (e.kind, e.amount_cents) for e in LedgerEntry.objects.filter(booking=booking)
                ),
                "refunds": sorted(str(r.amount) for r in Refund.objects.filter(booking=booking)),
                "payments": sorted(
                    (p.attempt, p.status) for p in Payment.objects.filter(booking=booking)
                ),
            }
        )
    return result


@pytest.mark.django_db
def test_every_webhook_twice_and_in_reversed_order_gives_the_same_final_state(localstripe, client):
    forward_bookings, forward_events = _universe(localstripe)
    reversed_bookings, reversed_events = _universe(localstripe)
    for evt in forward_events:
        assert post_event(client, evt).status_code == 200
        assert post_event(client, evt).content == b"duplicate"
    for evt in reversed(reversed_events):
        assert post_event(client, evt).status_code == 200
    for evt in reversed(reversed_events):
        assert post_event(client, evt).content == b"duplicate"

    forward, backward = _state(forward_bookings), _state(reversed_bookings)
    assert forward == backward
    paid, retried, refunded, no_3ds = forward
    assert paid["status"] == retried["status"] == refunded["status"] == "confirmed"
    assert paid["ledger"] == [("charge", 6000)]
    assert retried["payments"] == [(1, "failed"), (2, "succeeded")]
    assert refunded["ledger"] == [("charge", 9000), ("refund", -2500)]
    assert refunded["paid"] == 65
    assert no_3ds["status"] == "pending_payment" and no_3ds["ledger"] == []
    assert StripeEvent.objects.count() == 2 * len(forward_events)


@pytest.mark.django_db(transaction=True)
def test_localstripe_delivers_signed_webhooks_that_confirm_the_booking(
    localstripe, live_server, settings
):
    time.sleep(1.2)  # deliveries still pending from earlier tests go to the dead URL
    register = f"{localstripe}/_config/webhooks/tests"
    secret = settings.STRIPE_WEBHOOK_SECRET
    url = f"{live_server.url}/payments/stripe/webhook"
    requests.post(register, data={"url": url, "secret": secret}, timeout=5).raise_for_status()
    try:
        _deliver_and_check(localstripe)
    finally:  # no delivery may reach the live server while the database is flushed
        requests.post(register, data={"url": DEAD_URL, "secret": secret}, timeout=5)
        time.sleep(0.3)


def _deliver_and_check(localstripe):
    booking = hold_experience(adults=2)
    _p, intent = start_payment(booking)
    _confirm_in_stripe(intent["id"], "4242424242424242")
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if StripeEvent.objects.filter(
            processed_at__isnull=False, result="booking confirmed"
        ).exists():
            break
        time.sleep(0.2)
    booking.refresh_from_db()
    assert booking.status == "confirmed"
    ours = [
        e
        for e in StripeEvent.objects.filter(type="payment_intent.succeeded")
        if e.payload["data"]["object"]["id"] == intent["id"]
    ]
    assert len(ours) == 1  # (deliveries still pending from earlier tests are unknown intents)
    assert ours[0].result == "booking confirmed"
    assert LedgerEntry.objects.get(booking=booking).amount_cents == 6000
