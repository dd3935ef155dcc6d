"""Partner webhooks end to end against a real HTTP receiver: who gets which event, what it
says, how it is signed, retried, timed out and given up."""

import json
import time
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from accounts.models import Role
from bookings import services as booking_services
from bookings.models import Channel, TradeContract
from operators.pricing import PaxMix
from outbox.services import outbox_publish
from tests.factories import MembershipFactory, OrganisationFactory, api_key_for
from tests.operators.factories import bookable_experience
from webhooks import services, signing
from webhooks.models import DeliveryStatus, WebhookDelivery, WebhookEvent

from .factories import endpoint_for

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def partner():
    return OrganisationFactory(name="Tuscany Tours", kind="trade", subkind="tour_operator")


@pytest.fixture
def other_partner():
    return OrganisationFactory(name="Giglio Viaggi", kind="trade", subkind="travel_agency")


def hold(partner, *, adults=2, capacity=10):
    product, slot = bookable_experience(capacity=capacity, adult="30.00", net="24.00")
    return booking_services.booking_hold(
        lines=[
            booking_services.LineRequest(
                product=product, day=slot.date, pax=PaxMix.of(adults=adults), slot=slot
            )
        ],
        channel=Channel.API,
        contact_name="Hans Müller",
        contact_email="hans@example.de",
        buyer_organisation=partner,
        buyer_reference="TT-42",
    )


def sweep():
    return services.deliveries_sweep(now=timezone.now() + timedelta(seconds=1))


def test_a_confirmed_booking_is_sent_signed_to_its_buyer_partner_only(
    partner, other_partner, receiver
):
    mine = endpoint_for(partner, url=receiver.url)
    theirs = endpoint_for(other_partner, url=receiver.url + "/other")
    booking = hold(partner)
    booking_services.booking_confirm(booking=booking)

    assert sweep() == {"delivered": 1, "failed": 0}
    assert len(receiver.requests) == 1
    sent = receiver.requests[0]
    body = json.loads(sent["body"])
    assert body["type"] == "booking.confirmed"
    assert body["id"].startswith("evt_") and body["created"]
    data = body["data"]["booking"]
    assert data["reference"] == booking.reference and data["status"] == "confirmed"
    assert data["total"] == "60.00" and data["buyer_reference"] == "TT-42"
    assert data["lines"][0]["amount"] == "60.00"
    assert "net" not in sent["body"].decode() and "48.00" not in sent["body"].decode()
    assert signing.verify(
        secret=mine.secret, header=sent["headers"][signing.SIGNATURE_HEADER], body=sent["body"]
    )
    assert not theirs.deliveries.exists()
    delivery = mine.deliveries.get()
    assert delivery.status == DeliveryStatus.SUCCEEDED and delivery.response_code == 200
    assert delivery.attempts == 1 and delivery.duration_ms is not None


def test_the_signature_is_hmac_sha256_of_timestamp_dot_body_and_refuses_tampering():
    import hashlib
    import hmac

    body = b'{"id":"evt_1"}'
    header = signing.signature_header(secret="whsec_x", timestamp=1_700_000_000, body=body)
    expected = hmac.new(b"whsec_x", b"1700000000." + body, hashlib.sha256).hexdigest()
    assert header == f"t=1700000000,v1={expected}"
    assert signing.verify(secret="whsec_x", header=header, body=body, now=1_700_000_010)
    assert not signing.verify(secret="whsec_x", header=header, body=body + b" ", now=1_700_000_010)
    assert not signing.verify(secret="whsec_y", header=header, body=body, now=1_700_000_010)
    assert not signing.verify(secret="whsec_x", header=header, body=body, now=1_700_001_000)


def test_the_documented_verification_snippet_accepts_a_real_delivery(partner, receiver):
    from pathlib import Path

    endpoint = endpoint_for(partner, url=receiver.url)
    services.endpoint_send_test(endpoint=endpoint)
    sent = receiver.requests[0]
    doc = Path(__file__).resolve().parents[2] / "docs" / "webhooks.md"
    snippet = doc.read_text().split("```python\n", 1)[1].split("```", 1)[0]
    namespace = {}
    exec(snippet, namespace)  # noqa: S102 - the partner-facing example, run as written
    assert namespace["verify"](sent["body"], sent["headers"], endpoint.secret)
    assert not namespace["verify"](sent["body"] + b"x", sent["headers"], endpoint.secret)


def test_cancelled_and_amended_bookings_are_sent_and_an_operator_buyer_gets_nothing(
    partner, receiver
):
    endpoint = endpoint_for(partner, url=receiver.url)
    booking = hold(partner)
    booking_services.booking_confirm(booking=booking)
    booking_services.booking_cancel(booking=booking, reason="buyer")
    operator = OrganisationFactory(kind="operator", subkind="guide")
    endpoint_for(operator, url=receiver.url)
    sweep()
    types = [json.loads(r["body"])["type"] for r in receiver.requests]
    assert sorted(types) == ["booking.cancelled", "booking.confirmed"]
    cancelled = endpoint.deliveries.get(event__type="booking.cancelled").event
    assert json.loads(cancelled.body)["data"]["booking"]["status"] == "cancelled"

    services.on_booking_amended(booking_id=booking.pk)
    assert WebhookEvent.objects.filter(type="booking.amended", organisation=partner).exists()


def test_an_endpoint_gets_only_the_events_it_chose(partner, receiver):
    endpoint_for(partner, url=receiver.url, events=["booking.cancelled"])
    booking = hold(partner)
    booking_services.booking_confirm(booking=booking)
    sweep()
    assert receiver.requests == []
    assert not WebhookEvent.objects.exists()


def test_a_repeated_outbox_run_sends_a_confirmation_once(partner, receiver):
    endpoint_for(partner, url=receiver.url)
    booking = hold(partner)
    booking_services.booking_confirm(booking=booking)
    services.on_booking_confirmed(booking_id=booking.pk)  # the outbox ran it again
    sweep()
    assert len(receiver.requests) == 1


def test_failures_are_retried_with_exponential_backoff_then_delivered(partner, receiver, settings):
    settings.WEBHOOKS_BACKOFF_SECONDS = 30
    endpoint = endpoint_for(partner, url=receiver.url)
    booking_services.booking_confirm(booking=hold(partner))
    delivery = WebhookDelivery.objects.get()
    receiver.status = 503

    start = timezone.now()
    waits = []
    for _ in range(3):
        result = services.deliveries_sweep(now=start + timedelta(days=1))  # everything due
        assert result == {"delivered": 0, "failed": 1}
        delivery.refresh_from_db()
        assert delivery.status == DeliveryStatus.RETRYING and delivery.response_code == 503
        waits.append(round((delivery.next_attempt_at - delivery.last_attempt_at).total_seconds()))
        WebhookDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=start)
    assert waits == [30, 60, 120]

    receiver.status = 204
    services.deliveries_sweep(now=start + timedelta(days=1))
    delivery.refresh_from_db()
    endpoint.refresh_from_db()
    assert delivery.status == DeliveryStatus.SUCCEEDED and delivery.attempts == 4
    assert delivery.next_attempt_at is None and endpoint.consecutive_failures == 0
    assert len(receiver.requests) == 4
    ids = {r["headers"][signing.EVENT_ID_HEADER] for r in receiver.requests}
    assert len(ids) == 1  # the same event every time: the partner can deduplicate


def test_a_delivery_not_yet_due_is_not_sent(partner, receiver):
    endpoint_for(partner, url=receiver.url)
    booking_services.booking_confirm(booking=hold(partner))
    receiver.status = 500
    sweep()
    assert services.deliveries_sweep() == {"delivered": 0, "failed": 0}
    assert len(receiver.requests) == 1


def test_a_slow_endpoint_never_delays_the_booking_confirmation(
    partner, receiver, api_client, settings
):
    # Were the partner called inline, the confirmation would take 30 seconds or more.
    settings.WEBHOOKS_READ_TIMEOUT_SECONDS = 30
    receiver.delay = 30
    endpoint_for(partner, url=receiver.url)
    TradeContract.objects.create(organisation=partner, on_account=True, credit_limit=10000)
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {api_key_for(partner)[1]}")
    booking = hold(partner)

    started = time.monotonic()
    response = api_client.post(f"/api/v1/bookings/{booking.reference}/confirm/")
    elapsed = time.monotonic() - started
    assert response.status_code == 200, response.json()
    assert elapsed < 25  # (PDFs and invoices run inline in eager mode: not the webhook)
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == DeliveryStatus.PENDING and receiver.requests == []

    settings.WEBHOOKS_READ_TIMEOUT_SECONDS = 0.5
    started = time.monotonic()
    sweep()
    assert time.monotonic() - started < 2.5
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.RETRYING and delivery.last_error == "timeout"


def test_with_the_broker_down_the_delivery_waits_for_the_sweep(partner, receiver, monkeypatch):
    from celery import current_app

    from webhooks import tasks

    monkeypatch.setitem(current_app.conf, "task_always_eager", False)

    def broker_down(*args, **kwargs):
        raise ConnectionError("broker unreachable")

    monkeypatch.setattr(tasks.deliver, "delay", broker_down)
    endpoint = endpoint_for(partner, url=receiver.url)
    event = services.event_record(
        organisation=partner, event_type="booking.confirmed", data={"x": 1}
    )
    assert event is not None
    delivery = endpoint.deliveries.get()
    assert delivery.status == DeliveryStatus.PENDING
    monkeypatch.setitem(current_app.conf, "task_always_eager", True)
    sweep()
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SUCCEEDED


def test_an_endpoint_failing_too_often_is_disabled_and_the_partner_told(
    partner, receiver, settings
):
    settings.WEBHOOKS_DISABLE_AFTER_FAILURES = 3
    manager = MembershipFactory(organisation=partner, role=Role.MANAGER).user
    MembershipFactory(organisation=partner, role=Role.STAFF)
    endpoint = endpoint_for(partner, url=receiver.url)
    receiver.status = 500
    for _ in range(3):
        services.event_record(organisation=partner, event_type="booking.confirmed", data={})
    mail.outbox.clear()
    sweep()
    endpoint.refresh_from_db()
    assert not endpoint.is_active and endpoint.consecutive_failures == 3
    assert "3" in endpoint.disabled_reason
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [manager.email]
    assert endpoint.url in mail.outbox[0].body
    assert not WebhookDelivery.objects.filter(status__in=["pending", "retrying"]).exists()
    services.event_record(organisation=partner, event_type="booking.confirmed", data={})
    assert WebhookDelivery.objects.count() == 3  # a disabled endpoint gets nothing new


def test_expiring_options_are_announced_once_per_booking(partner, receiver):
    endpoint_for(partner, url=receiver.url)
    booking = hold(partner)
    type(booking).objects.filter(pk=booking.pk).update(
        expires_at=timezone.now() + timedelta(hours=5)
    )
    far = hold(partner)
    type(far).objects.filter(pk=far.pk).update(expires_at=timezone.now() + timedelta(days=5))
    assert services.options_announce_expiring() == 1
    assert services.options_announce_expiring() == 0
    sweep()
    sent = [json.loads(r["body"]) for r in receiver.requests]
    assert [s["type"] for s in sent] == ["booking.option_expiring"]
    assert sent[0]["data"]["booking"]["reference"] == booking.reference


def test_an_allotment_release_is_sent_to_its_partner(partner, other_partner, receiver):
    endpoint_for(partner, url=receiver.url, events=["allotment.released"])
    endpoint_for(other_partner, url=receiver.url, events=["allotment.released"])
    from django.db import transaction

    with transaction.atomic():
        outbox_publish(
            topic="allotments.released",
            payload={"allotment_id": 7, "partner_id": partner.pk, "places": 4},
        )
    sweep()
    assert len(receiver.requests) == 1
    body = json.loads(receiver.requests[0]["body"])
    assert body["type"] == "allotment.released"
    assert body["data"] == {"allotment_id": 7, "places": 4}
