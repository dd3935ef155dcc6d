"""The embedded default (`make run`: eager tasks, no worker, no beat) runs the periodic
jobs in-process, and the checkout never offers to pay an option that expired."""

import time
from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from bookings.models import Booking, BookingStatus
from marketplace.scheduler import EmbeddedBeat
from payments.views_pages import checkout_token
from tests.bookings.factories import hold_experience

from .checks import assert_counters_equal_allocations


def _expire(booking):
    Booking.objects.filter(pk=booking.pk).update(expires_at=timezone.now() - timedelta(minutes=1))


@pytest.mark.django_db
def test_interval_jobs_run_at_start_and_on_their_interval_crontab_jobs_at_their_time():
    booking = hold_experience(adults=2)
    _expire(booking)
    start = timezone.now()
    beat = EmbeddedBeat(settings.CELERY_BEAT_SCHEDULE, start=start)
    assert {job.name for job in beat.jobs} == set(settings.CELERY_BEAT_SCHEDULE)

    assert sorted(beat.tick(start)) == [
        "allotments-release-due",
        "outbox-sweep",
        "release-expired-holds",
        "webhooks-sweep",
    ]
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED and booking.cancel_reason == "expired"
    assert_counters_equal_allocations()

    assert beat.tick(start + timedelta(seconds=5)) == []  # nothing due yet
    assert "release-expired-holds" in beat.tick(start + timedelta(seconds=61))
    roll = next(j for j in beat.jobs if j.name == "operators-roll-inventory-forward")
    assert roll.next_at > start and timezone.localtime(roll.next_at).hour == 3
    assert "operators-roll-inventory-forward" in beat.tick(roll.next_at)
    assert roll.next_at >= start + timedelta(hours=23)


@pytest.mark.django_db
def test_a_failing_job_does_not_stop_the_others():
    schedule = {
        "broken": {"task": "no.such.task", "schedule": 10.0},
        "release-expired-holds": {"task": "bookings.tasks.release_expired_holds", "schedule": 60},
    }
    start = timezone.now()
    beat = EmbeddedBeat(schedule, start=start)
    assert beat.tick(start) == ["broken", "release-expired-holds"]
    assert beat.jobs[0].next_at == start + timedelta(seconds=10)  # tried again later


@pytest.mark.django_db(transaction=True)
def test_the_scheduler_thread_releases_an_expired_hold():
    booking = hold_experience(adults=2)
    _expire(booking)
    beat = EmbeddedBeat(settings.CELERY_BEAT_SCHEDULE)
    beat.start()
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            booking.refresh_from_db()
            if booking.status == BookingStatus.CANCELLED:
                break
            time.sleep(0.2)
    finally:
        beat.stop()
    assert booking.status == BookingStatus.CANCELLED
    assert_counters_equal_allocations()


@pytest.mark.django_db
def test_the_checkout_of_an_expired_option_offers_nothing_to_pay(client):
    booking = hold_experience(adults=2)
    _expire(booking)  # expired, not yet released by the periodic job
    url = f"/en/checkout/{booking.reference}/?t={checkout_token(booking)}"
    page = client.get(url).content.decode()
    assert 'id="option-expired"' in page
    assert "Pay by card" not in page and "expected_amount" not in page

    response = client.post(url, {"t": checkout_token(booking), "expected_amount": "60.00"})
    assert response.status_code == 409
    page = response.content.decode()
    assert 'id="option-expired"' in page
    assert "Pay by card" not in page and "places were released" not in page
