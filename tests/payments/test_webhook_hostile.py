"""Signed events that cannot be processed are recorded as such and answered 2xx (never a 500,
never an event Stripe retries for ever)."""

import json

import pytest

from payments.models import StripeEvent

from .helpers import event, post_event, signature

pytestmark = pytest.mark.django_db


def _post_raw(client, payload: bytes):
    return client.post(
        "/payments/stripe/webhook",
        data=payload,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=signature(payload),
    )


@pytest.mark.parametrize(
    "body",
    [
        [],
        [{"id": "evt_1", "type": "charge.refunded"}],
        {"type": "charge.refunded", "data": {"object": {"id": "ch_1"}}},
        {"id": "evt_no_data", "type": "charge.refunded"},
        {"id": "evt_data_list", "type": "charge.refunded", "data": []},
        {"id": "evt_no_object_id", "type": "payment_intent.succeeded", "data": {"object": {}}},
        {"id": 42, "type": "charge.refunded", "data": {"object": {"id": "ch_1"}}},
        {"id": "evt_nul", "type": "x.y", "data": {"object": {"id": "a\u0000b"}}},
        "just a string",
    ],
    ids=[
        "empty-list",
        "list",
        "no-id",
        "no-data",
        "data-list",
        "no-object-id",
        "id-not-string",
        "nul",
        "string",
    ],
)
def test_a_signed_event_without_the_shape_of_one_is_recorded_unprocessable(client, body):
    payload = json.dumps(body).encode()
    response = _post_raw(client, payload)
    assert response.status_code == 200
    assert response.content.decode().startswith("unprocessable")
    record = StripeEvent.objects.get()
    assert record.processed_at is not None
    assert record.result.startswith("unprocessable")
    again = _post_raw(client, payload)
    assert again.status_code == 200
    assert StripeEvent.objects.count() == 1


def test_a_signed_body_that_is_not_json_is_recorded_unprocessable(client):
    response = _post_raw(client, b"not json {")
    assert response.status_code == 200
    assert StripeEvent.objects.get().result == "unprocessable: not JSON"


def test_a_bad_signature_is_still_400(client):
    payload = json.dumps(event("charge.refunded", {"id": "ch_1"})).encode()
    response = client.post(
        "/payments/stripe/webhook",
        data=payload,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=signature(payload, secret="whsec_wrong"),
    )
    assert response.status_code == 400
    assert not StripeEvent.objects.exists()


def test_charge_refunded_for_an_unknown_charge_is_processed_as_unprocessable(client):
    evt = event("charge.refunded", {"id": "ch_never_made", "object": "charge"})
    response = post_event(client, evt)
    assert response.status_code == 200
    record = StripeEvent.objects.get(stripe_event_id=evt["id"])
    assert record.processed_at is not None
    assert record.result == "unprocessable: unknown charge"
    assert post_event(client, evt).content == b"duplicate"
