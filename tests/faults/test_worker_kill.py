"""A real gunicorn worker killed (SIGKILL) in the middle of a hold: the request is blocked on
the slot's row lock, inside its transaction, when the process dies. Nothing it did commits,
its Idempotency-Key is in progress until its lease runs out, and then one retry books once."""

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import requests
from django.db import connection

from bookings.models import Booking, IdempotencyRecord
from operators.models import Slot
from tests.factories import api_key_for
from tests.operators.factories import bookable_experience

from .checks import assert_counters_equal_allocations
from .conftest import hold_body

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
LEASE_SECONDS = 3


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _database_url() -> str:
    db = connection.settings_dict
    user = db["USER"] or "postgres"
    auth = f"{user}:{db['PASSWORD']}" if db["PASSWORD"] else user
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def _start_gunicorn(port: int) -> subprocess.Popen:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "marketplace.settings.test",
        "DATABASE_URL": _database_url(),
        "IDEMPOTENCY_LEASE_SECONDS": str(LEASE_SECONDS),
        "DATABASE_LOCK_TIMEOUT_MS": "30000",
    }
    gunicorn = Path(sys.executable).parent / "gunicorn"
    server = subprocess.Popen(
        [str(gunicorn), "marketplace.wsgi", "--workers", "1", "--timeout", "60"]
        + ["--bind", f"127.0.0.1:{port}", "--log-level", "warning"],
        cwd=ROOT,
        env=env,
    )
    for _ in range(120):
        try:
            requests.get(f"http://127.0.0.1:{port}/healthz", timeout=1)
            return server
        except requests.RequestException:
            time.sleep(0.25)
    server.kill()
    pytest.fail("gunicorn did not start")


def _worker_pids(master: int) -> list[int]:
    children = Path(f"/proc/{master}/task/{master}/children")
    return [int(pid) for pid in children.read_text().split()] if children.exists() else []


def _wait_for(predicate, seconds=20.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def test_a_worker_killed_mid_request_leaves_a_key_that_a_retry_completes(partner):
    if connection.vendor != "postgresql":
        pytest.skip("a server process next to the tests needs the PostgreSQL test database")
    import psycopg

    product, slot = bookable_experience(capacity=10)
    _key, raw = api_key_for(partner)
    port = _free_port()
    server = _start_gunicorn(port)
    url = f"http://127.0.0.1:{port}/api/v1/bookings/"
    headers = {"Authorization": f"Bearer {raw}", "Idempotency-Key": "kill-1"}
    body = hold_body(product, slot)
    try:
        db = connection.settings_dict
        locker = psycopg.connect(
            dbname=db["NAME"],
            user=db["USER"] or "postgres",
            host=db["HOST"] or "127.0.0.1",
            port=db["PORT"] or 5432,
        )
        locker.execute("SELECT id FROM operators_slot WHERE id = %s FOR UPDATE", [slot.pk])
        outcome = {}

        def client():
            try:
                outcome["response"] = requests.post(url, json=body, headers=headers, timeout=30)
            except requests.RequestException as exc:
                outcome["error"] = exc

        request = threading.Thread(target=client)
        request.start()
        # The request took its key and is now waiting for the slot's lock, in its transaction.
        assert _wait_for(lambda: IdempotencyRecord.objects.filter(key="kill-1").exists())
        time.sleep(0.5)
        workers = _worker_pids(server.pid)
        assert len(workers) == 1
        os.kill(workers[0], signal.SIGKILL)
        request.join(timeout=30)
        assert "error" in outcome, outcome  # the client never got an answer
        locker.rollback()
        locker.close()

        record = IdempotencyRecord.objects.get(key="kill-1")
        assert record.status_code is None  # in progress, with a lease
        assert _wait_for(
            lambda: not Booking.objects.exists() and Slot.objects.get(pk=slot.pk).held == 0
        )
        assert_counters_equal_allocations()

        # gunicorn has started a new worker; within the lease the key is busy...
        assert _wait_for(lambda: len(_worker_pids(server.pid)) == 1)
        busy = requests.post(url, json=body, headers=headers, timeout=30)
        if busy.status_code == 409:
            assert busy.json()["error"]["code"] == "request_in_progress"
        # ...and after it, a retry takes the request over and books once.
        time.sleep(LEASE_SECONDS + 0.5)
        retry = requests.post(url, json=body, headers=headers, timeout=30)
        assert retry.status_code == 201, retry.text
        replay = requests.post(url, json=body, headers=headers, timeout=30)
        assert replay.status_code == 201
        assert replay.json()["reference"] == retry.json()["reference"]
        assert replay.headers["Idempotent-Replayed"] == "true"
        assert Booking.objects.count() == 1
        assert Slot.objects.get(pk=slot.pk).held == 2
        assert_counters_equal_allocations()
    finally:
        server.terminate()
        server.wait(timeout=30)
