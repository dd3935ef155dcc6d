"""The privacy notice's retention periods (section 5) are what `privacy_purge` does: each rule
purges what it should and nothing else, and a second run changes nothing."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.contrib.admin.models import ADDITION, LogEntry
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.utils import timezone

from bookings.models import Booking, BookingEvent, BookingStatus, IdempotencyRecord, Participant
from insights.models import DocumentAccess, GuestDocument
from invoices.models import InvoiceRequest
from marketplace.privacy import KINDS, months_before, privacy_purge
from payments.models import LedgerEntry, Payment, PaymentStatus, StripeEvent
from tests.bookings.factories import hold_experience
from tests.factories import UserFactory

ROME = ZoneInfo("Europe/Rome")
# 10:00 in Rome on 1 June 2026: "today" is 1 June 2026.
NOW = datetime(2026, 6, 1, 10, 0, tzinfo=ROME)
TODAY = date(2026, 6, 1)

pytestmark = pytest.mark.django_db


def _served(days_ago: int, *, needs=True, status=BookingStatus.COMPLETED) -> Booking:
    booking = hold_experience(adults=1)
    day = TODAY - timedelta(days=days_ago)
    booking.lines.update(service_date=day, end_date=None)
    Booking.objects.filter(pk=booking.pk).update(status=status)
    Participant.objects.create(
        booking=booking,
        first_name="Anna",
        last_name="Rossi",
        dietary_needs="coeliac" if needs else "",
        accessibility_needs="wheelchair" if needs else "",
    )
    return booking


def _cancelled(days_ago: int, **extra) -> Booking:
    booking = hold_experience(adults=1)
    Booking.objects.filter(pk=booking.pk).update(
        status=BookingStatus.CANCELLED,
        cancel_reason="expired",
        cancelled_at=NOW - timedelta(days=days_ago),
        contact_phone="+39 333 1234567",
        notes="Allergic to nuts, call Anna",
        **extra,
    )
    Participant.objects.create(booking=booking, first_name="Anna", last_name="Rossi")
    return Booking.objects.get(pk=booking.pk)


def _needs(booking):
    return list(booking.participants.values_list("dietary_needs", "accessibility_needs"))


def test_needs_are_blanked_91_days_after_the_last_service_and_kept_at_89():
    old = _served(91)
    recent = _served(89)
    counts = privacy_purge(now=NOW)
    assert counts["participant_needs"] == 1
    assert _needs(old) == [("", "")]
    assert _needs(recent) == [("coeliac", "wheelchair")]
    assert old.participants.get().last_name == "Rossi"  # only the needs go


def test_the_last_service_is_the_latest_line_date_end_date_included():
    booking = _served(200)
    line = booking.lines.first()
    # A stay that ended 10 days ago: the booking's last service is recent.
    line.end_date = TODAY - timedelta(days=10)
    line.save(update_fields=["end_date"])
    privacy_purge(now=NOW)
    assert _needs(booking) == [("coeliac", "wheelchair")]


def test_the_day_is_counted_in_rome():
    booking = _served(0)
    booking.lines.update(service_date=date(2026, 3, 2))  # 91 days before 1 June
    late_evening_in_rome = datetime(2026, 5, 31, 21, 30, tzinfo=ZoneInfo("UTC"))  # 23:30 31 May
    assert privacy_purge(now=late_evening_in_rome)["participant_needs"] == 0
    after_midnight_in_rome = datetime(2026, 5, 31, 22, 30, tzinfo=ZoneInfo("UTC"))  # 1 June
    assert privacy_purge(now=after_midnight_in_rome)["participant_needs"] == 1
    assert _needs(booking) == [("", "")]


def test_an_unpaid_cancelled_booking_is_anonymised_after_90_days_and_keeps_its_accounts():
    booking = _cancelled(91)
    user = UserFactory()
    participant = booking.participants.get()
    GuestDocument.objects.create(
        participant=participant,
        guest_type="16",
        sex="2",
        birth_date=date(1990, 1, 1),
        birth_state="100000100",
        citizenship="100000100",
        collected_by=user,
        purge_after=TODAY + timedelta(days=400),
    )
    InvoiceRequest.objects.create(
        booking=booking,
        first_name="Anna",
        last_name="Rossi",
        address="Via 1",
        city="Lucca",
        country="IT",
    )
    reference, total = booking.reference, booking.total_retail
    recent = _cancelled(89)

    counts = privacy_purge(now=NOW)

    assert counts["unpaid_bookings"] == 1
    booking.refresh_from_db()
    assert (booking.contact_name, booking.contact_email, booking.contact_phone, booking.notes) == (
        "",
        "",
        "",
        "",
    )
    assert not booking.participants.exists()
    assert not GuestDocument.objects.exists()
    assert not InvoiceRequest.objects.filter(booking=booking).exists()
    assert booking.reference == reference and booking.total_retail == total
    assert booking.lines.exists() and booking.status == BookingStatus.CANCELLED
    assert BookingEvent.objects.filter(booking=booking, action="anonymised").count() == 1
    recent.refresh_from_db()
    assert recent.contact_email == "anna@example.com" and recent.participants.exists()


def test_a_paid_cancelled_booking_keeps_its_contact():
    paid = _cancelled(200)
    Payment.objects.create(
        booking=paid, purpose="full", amount=Decimal("10.00"), status=PaymentStatus.SUCCEEDED
    )
    in_ledger = _cancelled(200)
    LedgerEntry.objects.create(
        kind="on_account",
        method="on_account",
        amount_cents=1000,
        booking=in_ledger,
        booked_on=TODAY - timedelta(days=200),
    )
    failed_only = _cancelled(200)
    Payment.objects.create(
        booking=failed_only, purpose="full", amount=Decimal("10.00"), status=PaymentStatus.FAILED
    )
    counts = privacy_purge(now=NOW)
    assert counts["unpaid_bookings"] == 1
    for kept in (paid, in_ledger):
        kept.refresh_from_db()
        assert kept.contact_email == "anna@example.com" and kept.participants.exists()
    failed_only.refresh_from_db()
    assert failed_only.contact_email == ""


def test_a_confirmed_or_completed_booking_is_never_anonymised():
    confirmed = _served(400, needs=False, status=BookingStatus.CONFIRMED)
    completed = _served(400, needs=False, status=BookingStatus.COMPLETED)
    Booking.objects.filter(pk__in=[confirmed.pk, completed.pk]).update(
        updated_at=NOW - timedelta(days=400)
    )
    assert privacy_purge(now=NOW)["unpaid_bookings"] == 0
    for booking in (confirmed, completed):
        booking.refresh_from_db()
        assert booking.contact_email == "anna@example.com" and booking.participants.exists()


def test_security_logs_older_than_6_months_are_deleted_newer_ones_kept():
    user = UserFactory()
    cutoff = months_before(NOW, 6)
    old, new = cutoff - timedelta(minutes=1), cutoff + timedelta(minutes=1)
    for at in (old, new):
        LogEntry.objects.create(
            user=user, action_time=at, object_repr="Anna Rossi", action_flag=ADDITION
        )
        access = DocumentAccess.objects.create(action="view", booking_reference="X")
        DocumentAccess.objects.filter(pk=access.pk).update(at=at)
        event = StripeEvent.objects.create(
            stripe_event_id=f"evt_{int(at.timestamp())}",
            type="charge.succeeded",
            payload={},
            processed_at=at,
        )
        StripeEvent.objects.filter(pk=event.pk).update(received_at=at)
        record = IdempotencyRecord.objects.create(
            owner="user:1", key=f"k{int(at.timestamp())}", method="POST", path="/", request_hash="h"
        )
        IdempotencyRecord.objects.filter(pk=record.pk).update(created_at=at)
    unprocessed = StripeEvent.objects.create(stripe_event_id="evt_open", type="x", payload={})
    StripeEvent.objects.filter(pk=unprocessed.pk).update(received_at=old)
    Session.objects.create(session_key="a" * 32, session_data="", expire_date=NOW - timedelta(1))
    Session.objects.create(session_key="b" * 32, session_data="", expire_date=NOW + timedelta(1))

    counts = privacy_purge(now=NOW)

    assert counts["admin_log"] == 1 and LogEntry.objects.get().action_time == new
    assert counts["document_access_log"] == 1 and DocumentAccess.objects.count() == 1
    assert counts["stripe_events"] == 1
    assert set(StripeEvent.objects.values_list("stripe_event_id", flat=True)) == {
        f"evt_{int(new.timestamp())}",
        "evt_open",
    }
    assert counts["idempotency_records"] == 1 and IdempotencyRecord.objects.count() == 1
    assert counts["expired_sessions"] == 1
    assert list(Session.objects.values_list("session_key", flat=True)) == ["b" * 32]


def test_months_before_keeps_the_day_or_takes_the_last_of_a_shorter_month():
    assert months_before(datetime(2026, 6, 1, 10, tzinfo=ROME), 6) == datetime(
        2025, 12, 1, 10, tzinfo=ROME
    )
    assert months_before(datetime(2026, 8, 31, tzinfo=ROME), 6).date() == date(2026, 2, 28)


def test_running_twice_changes_nothing_and_batches_cover_everything():
    for _ in range(3):
        _served(120)
        _cancelled(120)
    first = privacy_purge(now=NOW, batch_size=2)
    assert first["participant_needs"] == 3 + 0 and first["unpaid_bookings"] == 3
    events = BookingEvent.objects.count()
    second = privacy_purge(now=NOW, batch_size=2)
    assert second == dict.fromkeys(KINDS, 0)
    assert BookingEvent.objects.count() == events


def test_dry_run_counts_and_changes_nothing():
    booking = _served(120)
    cancelled = _cancelled(120)
    out = StringIO()
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(timezone, "now", lambda: NOW)
        call_command("privacy_purge", "--dry-run", stdout=out)
    assert "participant_needs: 1 would be purged" in out.getvalue()
    assert "unpaid_bookings: 1 would be purged" in out.getvalue()
    assert _needs(booking) == [("coeliac", "wheelchair")]
    cancelled.refresh_from_db()
    assert cancelled.contact_email == "anna@example.com"


def test_the_command_purges():
    booking = _served(120)
    out = StringIO()
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(timezone, "now", lambda: NOW)
        call_command("privacy_purge", stdout=out)
    assert "participant_needs: 1 purged" in out.getvalue()
    assert _needs(booking) == [("", "")]


def test_the_nightly_job_is_in_the_beat_schedule_and_the_embedded_scheduler():
    from marketplace.scheduler import EmbeddedBeat

    entry = settings.CELERY_BEAT_SCHEDULE["privacy-purge"]
    assert entry["task"] == "marketplace.tasks.privacy_purge"
    beat = EmbeddedBeat(settings.CELERY_BEAT_SCHEDULE, start=NOW)
    job = next(j for j in beat.jobs if j.name == "privacy-purge")
    assert job.next_at - NOW <= timedelta(days=1)
    assert timezone.localtime(job.next_at).hour < 7  # at night


def test_the_task_runs_the_purge():
    from marketplace.tasks import privacy_purge as task

    booking = _served(400)
    assert task.apply().get()["participant_needs"] == 1
    assert _needs(booking) == [("", "")]


@pytest.mark.parametrize(
    ("language", "anchor", "months"),
    [
        ("it", "conservazione", "6 mesi"),
        ("en", "retention", "6 months"),
        ("de", "dauer", "6 Monaten"),
        ("fr", "conservation", "6 mois"),
    ],
)
def test_the_notice_states_the_periods_the_job_applies(language, anchor, months):
    from pathlib import Path

    from insights.statutory import DEFAULT_RETENTION_DAYS
    from marketplace import privacy

    text = (Path(settings.BASE_DIR) / f"templates/portal/legal/privacy_{language}.html").read_text()
    section = text[text.index(f'id="{anchor}"') : text.index("</ul>", text.index(f'id="{anchor}"'))]
    assert privacy.NEEDS_RETENTION_DAYS == privacy.UNPAID_RETENTION_DAYS == 90
    assert section.count("90 ") >= 2
    assert f"{DEFAULT_RETENTION_DAYS} " in section
    assert privacy.SECURITY_LOG_RETENTION_MONTHS == 6 and months in section
