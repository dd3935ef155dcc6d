"""Idempotency keys are never stuck and never duplicate: the response is stored in the
transaction of the booking; a worker that dies mid-request leaves a key whose lease runs
out, and the next retry takes the request over."""

from datetime import timedelta

import pytest
from django.utils import timezone

from bookings import services
from bookings.models import Booking, IdempotencyRecord
from operators.models import Slot
from tests.operators.factories import bookable_experience

from .checks import assert_counters_equal_allocations
from .conftest import hold_body

pytestmark = pytest.mark.django_db(transaction=True)


class WorkerKilled(BaseException):
    """Stands for SIGKILL: nothing after it runs in the request, no `except Exception`."""


def _post(client, body, key):
    return client.post("/api/v1/bookings/", body, format="json", HTTP_IDEMPOTENCY_KEY=key)


def test_a_key_left_by_a_killed_worker_is_taken_over_after_its_lease(partner_client, monkeypatch):
    product, slot = bookable_experience(capacity=10)
    body = hold_body(product, slot)
    real_hold = services.booking_hold

    def hold_then_die(**kwargs):
        real_hold(**kwargs)  # the hold is written, then the worker is killed before commit
        raise WorkerKilled

    monkeypatch.setattr(services, "booking_hold", hold_then_die)
    with pytest.raises(WorkerKilled):
        _post(partner_client, body, "crash-1")
    monkeypatch.setattr(services, "booking_hold", real_hold)

    record = IdempotencyRecord.objects.get(key="crash-1")
    assert record.status_code is None and record.leased_until > timezone.now()
    assert not Booking.objects.exists()  # nothing committed: no hold the client never saw
    assert_counters_equal_allocations()

    busy = _post(partner_client, body, "crash-1")
    assert busy.status_code == 409
    assert busy.json()["error"]["code"] == "request_in_progress"
    assert int(busy["Retry-After"]) >= 1

    IdempotencyRecord.objects.filter(pk=record.pk).update(
        leased_until=timezone.now() - timedelta(seconds=1)
    )  # the lease (IDEMPOTENCY_LEASE_SECONDS) is over
    taken_over = _post(partner_client, body, "crash-1")
    assert taken_over.status_code == 201, taken_over.json()
    replays = [_post(partner_client, body, "crash-1") for _ in range(3)]
    assert {r.status_code for r in replays} == {201}
    assert {r.json()["reference"] for r in replays} == {taken_over.json()["reference"]}
    assert all(r["Idempotent-Replayed"] == "true" for r in replays)
    assert Booking.objects.count() == 1
    assert Slot.objects.get(pk=slot.pk).held == 2
    assert_counters_equal_allocations()


def test_three_retries_with_one_key_leave_one_booking(partner_client):
    product, slot = bookable_experience(capacity=10)
    body = hold_body(product, slot)
    responses = [_post(partner_client, body, "order-1") for _ in range(4)]
    assert [r.status_code for r in responses] == [201] * 4
    assert len({r.json()["reference"] for r in responses}) == 1
    assert Booking.objects.count() == 1
    record = IdempotencyRecord.objects.get(key="order-1")
    assert record.status_code == 201 and record.leased_until is None
    assert_counters_equal_allocations()


def test_a_request_that_outlived_its_lease_and_was_taken_over_rolls_back(
    partner_client, monkeypatch
):
    """The slow first request and the retry that took over cannot both book."""
    product, slot = bookable_experience(capacity=10)
    body = hold_body(product, slot)
    real_hold = services.booking_hold
    outcome = {}

    def slow_hold(**kwargs):
        booking = real_hold(**kwargs)
        # Meanwhile the lease ran out and a retry took the key over and completed.
        record = IdempotencyRecord.objects.get(key="slow-1")
        IdempotencyRecord.objects.filter(pk=record.pk).update(
            leased_until=record.leased_until + timedelta(seconds=1)
        )
        outcome["booking"] = booking.reference
        return booking

    monkeypatch.setattr(services, "booking_hold", slow_hold)
    first = _post(partner_client, body, "slow-1")
    assert first.status_code == 409  # superseded: its work was undone
    assert not Booking.objects.filter(reference=outcome["booking"]).exists()
    monkeypatch.setattr(services, "booking_hold", real_hold)
    IdempotencyRecord.objects.filter(key="slow-1").update(
        leased_until=timezone.now() - timedelta(seconds=1)
    )
    retry = _post(partner_client, body, "slow-1")
    assert retry.status_code == 201
    assert Booking.objects.count() == 1
    assert_counters_equal_allocations()


def test_a_failed_request_frees_its_key_at_once(partner_client):
    product, slot = bookable_experience(capacity=3)
    refused = _post(partner_client, hold_body(product, slot, adults=4), "big-1")
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "sold_out"
    assert not IdempotencyRecord.objects.filter(key="big-1").exists()
    assert_counters_equal_allocations()


@pytest.mark.postgres
def test_concurrent_retries_with_one_key_book_once(partner):
    """Six clients send the same key at once (PostgreSQL): one books, the others get 409
    in progress or the replay; never a second booking."""
    import threading

    from django.db import connection, connections
    from rest_framework.test import APIClient

    from tests.factories import api_key_for

    if connection.vendor != "postgresql":
        pytest.skip("concurrency is proven on PostgreSQL (CI sets DATABASE_URL)")
    product, slot = bookable_experience(capacity=20)
    body = hold_body(product, slot)
    _key, raw = api_key_for(partner)
    barrier = threading.Barrier(6)
    statuses = []

    def client():
        api = APIClient()
        api.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
        try:
            barrier.wait()
            statuses.append(_post(api, body, "same-key").status_code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=client) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses.count(201) >= 1 and set(statuses) <= {201, 409}
    assert Booking.objects.count() == 1
    assert_counters_equal_allocations()
