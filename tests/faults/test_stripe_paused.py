"""Stripe that does not answer never holds up the platform: calls time out, and releasing
expired holds never waits on Stripe (the intent cancellation is its own outbox task, retried
with back-off until Stripe answers again). The test pauses a localstripe of its own."""

import os
import signal
import time
from datetime import timedelta

import pytest
import stripe
from django.utils import timezone

from bookings import services as booking_services
from bookings.models import Booking, BookingStatus
from marketplace.management.commands.runplatform import free_port, start_localstripe
from outbox.models import MessageStatus, OutboxMessage
from outbox.services import outbox_sweep
from payments.gateway import stripe_client
from payments.models import PaymentStatus
from tests.bookings.factories import hold_experience
from tests.payments.helpers import start_payment

from .checks import assert_counters_equal_allocations

pytestmark = pytest.mark.django_db


@pytest.fixture
def own_localstripe(settings):
    port = free_port()
    process = start_localstripe(port)
    settings.STRIPE_API_BASE = f"http://127.0.0.1:{port}"
    settings.STRIPE_CONNECT_TIMEOUT_SECONDS = 0.5
    settings.STRIPE_TIMEOUT_SECONDS = 0.5
    settings.STRIPE_MAX_NETWORK_RETRIES = 1
    try:
        yield process
    finally:
        os.killpg(process.pid, signal.SIGCONT)
        process.terminate()
        process.wait(timeout=10)


def _pause(process):
    os.killpg(process.pid, signal.SIGSTOP)


def _resume(process):
    os.killpg(process.pid, signal.SIGCONT)


def test_a_call_to_a_paused_stripe_times_out(own_localstripe):
    _pause(own_localstripe)
    started = time.monotonic()
    with pytest.raises(stripe.APIConnectionError):
        stripe_client().v1.customers.list()
    assert time.monotonic() - started < 5  # 2 attempts x 0.5 s, plus back-off


def test_releasing_expired_holds_never_waits_on_stripe(
    own_localstripe, django_capture_on_commit_callbacks
):
    booking = hold_experience(adults=2)
    payment, intent = start_payment(booking)
    Booking.objects.filter(pk=booking.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    _pause(own_localstripe)

    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        assert booking_services.holds_release_expired() == 1
    assert time.monotonic() - started < 2  # no Stripe call in the release
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED
    assert_counters_equal_allocations()
    cancel = OutboxMessage.objects.get(handler="payments.tasks.cancel_open_intents")
    assert cancel.status == MessageStatus.PENDING and cancel.attempts == 0

    started = time.monotonic()
    outbox_sweep()  # Stripe still paused: the attempt fails fast and is kept for later
    assert time.monotonic() - started < 10
    cancel.refresh_from_db()
    assert cancel.status == MessageStatus.PENDING and cancel.attempts == 1
    assert cancel.last_error and cancel.available_at > timezone.now()
    payment.refresh_from_db()
    assert payment.status != PaymentStatus.CANCELED

    _resume(own_localstripe)
    outbox_sweep(now=timezone.now() + timedelta(minutes=5))  # after the back-off
    cancel.refresh_from_db()
    payment.refresh_from_db()
    assert cancel.status == MessageStatus.DONE
    assert payment.status == PaymentStatus.CANCELED
    assert stripe_client().v1.payment_intents.retrieve(intent["id"]).status == "canceled"
