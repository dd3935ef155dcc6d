"""An option or checkout hold that expires gets its open PaymentIntents cancelled at Stripe
(localstripe), so that no late payment can be taken; a payment that still got through before
the cancellation is refunded automatically."""

from datetime import timedelta
from decimal import Decimal

import pytest
import stripe
from django.utils import timezone

from bookings import services as booking_services
from bookings.models import Booking, BookingStatus
from outbox.services import outbox_sweep
from payments.gateway import stripe_client
from payments.models import AttentionItem, Payment, PaymentStatus, Refund, RefundSource
from payments.selectors import booking_paid
from tests.bookings.factories import hold_experience

from .helpers import payment_method, start_payment

pytestmark = pytest.mark.django_db


def _expire(booking):
    Booking.objects.filter(pk=booking.pk).update(expires_at=timezone.now() - timedelta(minutes=1))


def test_an_expired_hold_cancels_its_open_intent_and_no_card_can_be_charged(
    localstripe, django_capture_on_commit_callbacks
):
    booking = hold_experience(adults=2)
    payment, intent = start_payment(booking)
    _expire(booking)
    with django_capture_on_commit_callbacks(execute=True):
        assert booking_services.holds_release_expired() == 1
    outbox_sweep()  # the intent cancellation is its own task, never run inline by the release
    booking.refresh_from_db()
    payment.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED
    assert payment.status == PaymentStatus.CANCELED
    client = stripe_client()
    assert client.v1.payment_intents.retrieve(intent["id"]).status == "canceled"
    with pytest.raises(stripe.StripeError):  # a late attempt is refused by Stripe itself
        client.v1.payment_intents.update(intent["id"], params={"payment_method": payment_method()})
        client.v1.payment_intents.confirm(intent["id"])
    assert client.v1.payment_intents.retrieve(intent["id"]).status == "canceled"
    assert booking_paid(booking) == 0
    assert not Refund.objects.exists()


def test_a_payment_taken_just_before_the_expiry_is_refunded_automatically(
    localstripe, django_capture_on_commit_callbacks
):
    booking = hold_experience(adults=1)
    payment, intent = start_payment(booking)
    client = stripe_client()
    client.v1.payment_intents.update(intent["id"], params={"payment_method": payment_method()})
    client.v1.payment_intents.confirm(intent["id"])  # paid, but no webhook reached us yet
    _expire(booking)
    with django_capture_on_commit_callbacks(execute=True):
        booking_services.holds_release_expired()
    outbox_sweep()
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.SUCCEEDED
    refund = Refund.objects.get(payment=payment)
    assert refund.source == RefundSource.ORPHAN and refund.amount == Decimal("30.00")
    assert [r["amount"] for r in client.v1.refunds.list().data] == [3000]
    assert booking_paid(booking) == 0
    assert AttentionItem.objects.filter(booking=booking, reason="late_payment").exists()


def test_cancelling_intents_is_idempotent_and_leaves_other_bookings_alone(
    localstripe, django_capture_on_commit_callbacks
):
    from payments.services import payment_intents_cancel_open

    expired, active = hold_experience(), hold_experience()
    start_payment(expired)
    other, other_intent = start_payment(active)
    _expire(expired)
    with django_capture_on_commit_callbacks(execute=True):
        booking_services.holds_release_expired()
    outbox_sweep()
    assert payment_intents_cancel_open(booking=expired) == {"cancelled": 0, "paid": 0, "failed": 0}
    assert payment_intents_cancel_open(booking=active) == {"cancelled": 0, "paid": 0, "failed": 0}
    other.refresh_from_db()
    assert other.status == PaymentStatus.CREATED
    assert stripe_client().v1.payment_intents.retrieve(other_intent["id"]).status != "canceled"
    assert Payment.objects.filter(status=PaymentStatus.CANCELED).count() == 1
