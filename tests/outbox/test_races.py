"""Concurrent sweeps (threads with their own connections, as several workers and beat) on
PostgreSQL: SKIP LOCKED hands every row to exactly one runner. Also the idempotency key
under concurrent retries: one booking."""

import threading
from collections import Counter

import pytest
from django.db import connection, connections

from outbox import registry
from outbox.models import MessageStatus, OutboxMessage
from outbox.services import outbox_sweep

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ran: Counter = Counter()
lock = threading.Lock()


def _count(*, n):
    with lock:
        ran[n] += 1


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("row locks are proven on PostgreSQL (CI sets DATABASE_URL)")
    ran.clear()
    registry.register("test.count", _count)


def test_concurrent_sweeps_run_every_row_exactly_once():
    OutboxMessage.objects.bulk_create(
        OutboxMessage(handler="test.count", kwargs={"n": n}) for n in range(200)
    )
    runners = 6
    barrier = threading.Barrier(runners)
    results = []

    def runner():
        try:
            barrier.wait()
            results.append(outbox_sweep())
        finally:
            connections.close_all()

    threads = [threading.Thread(target=runner) for _ in range(runners)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(r["done"] for r in results) == 200
    assert set(ran) == set(range(200)) and set(ran.values()) == {1}
    assert OutboxMessage.objects.filter(status=MessageStatus.DONE).count() == 200
