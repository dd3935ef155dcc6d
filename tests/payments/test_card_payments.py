"""Card payments with PaymentIntents on a real localstripe, and the webhook handlers."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from bookings import services as booking_services
from bookings.models import Booking, BookingStatus, CancelReason
from payments import services
from payments.gateway import stripe_client
from payments.models import (
    AttentionItem,
    EntryKind,
    LedgerEntry,
    Payment,
    PaymentStatus,
    Refund,
    StripeEvent,
)
from payments.selectors import booking_paid
from tests.bookings.factories import hold_experience

from .helpers import (
    DECLINED,
    VISA_3DS,
    authenticate,
    event,
    pay,
    payment_method,
    post_event,
    start_payment,
)

pytestmark = pytest.mark.django_db


def test_the_intent_is_for_the_amount_due_in_cents_with_the_booking_reference(localstripe):
    booking = hold_experience(adults=2)  # 2 x 30.00
    payment, intent = start_payment(booking)
    assert intent["amount"] == 6000
    assert intent["currency"] == "eur"
    assert intent["metadata"]["booking_reference"] == booking.reference
    assert (
        payment.idempotency_key == f"booking-{booking.pk}-item-{payment.schedule_item_id}-attempt-1"
    )
    booking.refresh_from_db()
    assert booking.status == BookingStatus.PENDING_PAYMENT


def test_a_double_click_reuses_the_same_intent(localstripe):
    booking = hold_experience()
    first, intent1 = start_payment(booking)
    second, intent2 = start_payment(booking)
    assert first.pk == second.pk
    assert intent1["id"] == intent2["id"]
    assert Payment.objects.filter(booking=booking).count() == 1
    assert len(stripe_client().v1.payment_intents.list().data) == 1


def test_an_amount_other_than_the_one_shown_is_refused_before_any_intent(localstripe):
    booking = hold_experience(adults=2)
    with pytest.raises(ValidationError) as error:
        services.payment_intent_for_booking(booking=booking, expected_amount="50.00")
    assert "expected_amount" in error.value.message_dict
    assert not Payment.objects.exists()
    assert stripe_client().v1.payment_intents.list().data == []


def test_a_successful_card_payment_confirms_the_booking_and_writes_one_ledger_row(localstripe):
    booking = hold_experience(adults=2)
    payment, intent = pay(booking)
    assert intent["status"] == "succeeded"
    assert payment.status == PaymentStatus.SUCCEEDED
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED
    entry = LedgerEntry.objects.get(booking=booking)
    assert (entry.kind, entry.amount_cents, entry.stripe_id) == (
        EntryKind.CHARGE,
        6000,
        payment.stripe_charge_id,
    )
    assert entry.stripe_id.startswith("ch_")
    assert booking_paid(booking) == Decimal("60.00")


def test_the_webhook_then_the_return_page_confirm_once(localstripe, client):
    booking = hold_experience(adults=2)
    payment, intent = pay(booking)
    intent_obj = stripe_client().v1.payment_intents.retrieve(intent["id"]).to_dict()
    response = post_event(client, event("payment_intent.succeeded", intent_obj))
    assert response.status_code == 200
    assert services.payment_sync_intent(intent=intent_obj) == "already recorded"
    assert LedgerEntry.objects.filter(booking=booking).count() == 1
    assert booking.events.filter(action="confirm").count() == 1


def test_a_forged_signature_is_refused_and_changes_nothing(localstripe, client):
    booking = hold_experience()
    payment, intent = start_payment(booking)
    payload = event("payment_intent.succeeded", {"id": intent["id"], "object": "payment_intent"})
    response = post_event(client, payload, secret="whsec_forged")
    assert response.status_code == 400
    missing = client.post("/payments/stripe/webhook", data=b"{}", content_type="application/json")
    assert missing.status_code == 400
    assert not StripeEvent.objects.exists()
    assert not LedgerEntry.objects.exists()


def test_a_replayed_event_does_nothing(localstripe, client):
    booking = hold_experience()
    payment, intent = pay(booking)
    evt = event("payment_intent.succeeded", {"id": intent["id"], "object": "payment_intent"})
    assert post_event(client, evt).status_code == 200
    replay = post_event(client, evt)
    assert replay.status_code == 200
    assert replay.content == b"duplicate"
    assert StripeEvent.objects.count() == 1
    assert LedgerEntry.objects.count() == 1


def test_an_event_for_an_unknown_intent_is_ignored(localstripe, client, caplog):
    evt = event("payment_intent.succeeded", {"id": "pi_unknown123", "object": "payment_intent"})
    response = post_event(client, evt)
    assert response.status_code == 200
    assert response.content == b"unknown intent"
    assert "unknown intent" in caplog.text
    assert not LedgerEntry.objects.exists()


def test_a_declined_card_keeps_the_option_and_a_new_attempt_gets_a_new_intent(localstripe):
    booking = hold_experience(adults=2)
    failed, intent = pay(booking, DECLINED)
    assert failed.status == PaymentStatus.FAILED
    booking.refresh_from_db()
    assert booking.status == BookingStatus.PENDING_PAYMENT
    assert not LedgerEntry.objects.exists()
    second, intent2 = pay(booking)
    assert second.attempt == 2 and second.pk != failed.pk
    assert intent2["id"] != intent["id"]
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED


def test_3d_secure_then_the_return_page_confirms(localstripe, client):
    booking = hold_experience(adults=1)
    payment, intent = pay(booking, VISA_3DS)
    assert intent["status"] == "requires_action"
    assert payment.status == PaymentStatus.REQUIRES_ACTION
    authenticate(localstripe, intent, success=True)
    from payments.views_pages import checkout_token

    response = client.get(f"/en/checkout/{booking.reference}/return/?t={checkout_token(booking)}")
    assert response.status_code == 200
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED
    assert LedgerEntry.objects.get(booking=booking).amount_cents == 3000


def test_a_payment_for_an_expired_option_is_refunded_automatically(
    localstripe, client, mailoutbox, django_capture_on_commit_callbacks
):
    booking = hold_experience(adults=2)
    payment, intent = start_payment(booking)
    Booking.objects.filter(pk=booking.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    stripe_client().v1.payment_intents.update(
        intent["id"], params={"payment_method": payment_method()}
    )
    stripe_client().v1.payment_intents.confirm(intent["id"])
    evt = event("payment_intent.succeeded", {"id": intent["id"], "object": "payment_intent"})
    with django_capture_on_commit_callbacks(execute=True):
        assert post_event(client, evt).content == b"refund scheduled"
    booking.refresh_from_db()
    assert booking.status == BookingStatus.PENDING_PAYMENT
    refund = Refund.objects.get(booking=booking)
    assert refund.amount == Decimal("60.00") and refund.stripe_refund_id.startswith("re_")
    assert booking_paid(booking) == 0
    assert AttentionItem.objects.filter(booking=booking, reason="late_payment").exists()
    from django.conf import settings

    assert any(
        m.to == [settings.DMC_NOTIFICATION_EMAIL] and booking.reference in m.body
        for m in mailoutbox
    )  # the DMC is told
    stripe_refunds = stripe_client().v1.refunds.list().data
    assert [r["amount"] for r in stripe_refunds] == [6000]


def test_a_payment_for_a_cancelled_booking_is_refunded(
    localstripe, client, django_capture_on_commit_callbacks
):
    booking = hold_experience(adults=1)
    payment, intent = start_payment(booking)
    booking_services.booking_cancel(booking=booking, reason=CancelReason.BUYER)
    stripe_client().v1.payment_intents.update(
        intent["id"], params={"payment_method": payment_method()}
    )
    stripe_client().v1.payment_intents.confirm(intent["id"])
    with django_capture_on_commit_callbacks(execute=True):
        post_event(client, event("payment_intent.succeeded", {"id": intent["id"]}))
    assert booking_paid(booking) == 0
    assert LedgerEntry.objects.filter(kind=EntryKind.REFUND).get().amount_cents == -3000


def test_a_lock_timeout_answers_503_and_the_retry_is_handled(localstripe, client, monkeypatch):
    from django.db import OperationalError

    booking = hold_experience()
    payment, intent = pay(booking)
    LedgerEntry.objects.all().delete()
    Payment.objects.filter(pk=payment.pk).update(status=PaymentStatus.CREATED)

    def locked(**kwargs):
        raise OperationalError("canceling statement due to lock timeout")

    monkeypatch.setattr(services, "payment_sync_intent", locked)
    evt = event("payment_intent.succeeded", {"id": intent["id"]})
    assert post_event(client, evt).status_code == 503
    assert StripeEvent.objects.get().processed_at is None
    monkeypatch.undo()
    monkeypatch.setattr("django.conf.settings.STRIPE_API_BASE", localstripe)
    assert post_event(client, evt).status_code == 200
    assert LedgerEntry.objects.count() == 1
