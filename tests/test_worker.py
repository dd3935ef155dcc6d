"""The worker path against the real broker (CI sets CELERY_BROKER_URL to Redis): a Celery
worker process picks up a task sent by the app and changes the database."""

import os
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from bookings.models import Booking, BookingStatus
from tests.bookings.factories import hold_experience

ROOT = Path(__file__).resolve().parent.parent
BROKER = os.environ.get("CELERY_BROKER_URL", "")

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not BROKER.startswith(("redis://", "amqp://")),
        reason="needs a real broker (CELERY_BROKER_URL)",
    ),
]


def _database_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    user = db["USER"] or "postgres"
    return f"postgres://{user}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def _wait_for_other_sessions_to_end(seconds: float = 10) -> None:
    """The worker's database session ends a moment after the process: wait for it, so that
    the test database can be dropped at the end of the run."""
    if connection.vendor != "postgresql":
        return
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
            if cursor.fetchone()[0] == 0:
                return
        time.sleep(0.2)


def test_a_worker_releases_expired_holds_sent_through_the_broker():
    if connection.vendor == "sqlite" and ":memory:" in str(connection.settings_dict["NAME"]):
        pytest.skip("the worker cannot see an in-memory SQLite database")
    from marketplace.celery import app

    booking = hold_experience(adults=2)
    Booking.objects.filter(pk=booking.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "CELERY_BROKER_URL": BROKER,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "DJANGO_SETTINGS_MODULE": "marketplace.settings.test",
    }
    queue = f"test-{os.getpid()}-{time.time_ns()}"
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "marketplace",
            "worker",
            "--pool=solo",
            "--concurrency=1",
            "-Q",
            queue,
            "--loglevel=WARNING",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ],
        cwd=ROOT,
        env={**env, "CELERY_TASK_ALWAYS_EAGER": "false"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    previous = app.conf.task_always_eager
    app.conf.task_always_eager = False
    try:
        from bookings.tasks import release_expired_holds

        release_expired_holds.apply_async(queue=queue)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            booking.refresh_from_db()
            if booking.status == BookingStatus.CANCELLED:
                break
            time.sleep(0.5)
    finally:
        app.conf.task_always_eager = previous
        worker.terminate()
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
        _wait_for_other_sessions_to_end()
    assert booking.status == BookingStatus.CANCELLED, worker.stderr.read().decode()[-2000:]
    assert booking.cancel_reason == "expired"
    assert settings.CELERY_TASK_ALWAYS_EAGER  # the rest of the suite stays eager
