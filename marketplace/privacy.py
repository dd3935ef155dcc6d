"""The retention periods of the privacy notice (templates/portal/legal/privacy_*.html,
section 5), enforced by one nightly job (`marketplace.tasks.privacy_purge`, also
`manage.py privacy_purge [--dry-run]`):

- dietary and accessibility needs: blanked once the booking's last service (the latest
  line date, its end date for stays) is more than NEEDS_RETENTION_DAYS days ago, in the
  platform's time zone (Europe/Rome);
- a booking that expired or was cancelled without any money ever moving (no succeeded
  payment, no refund, no ledger entry, no bank transaction, no invoice or invoicing record),
  cancelled more than UNPAID_RETENTION_DAYS days ago: its contact, free-text notes,
  participants (with their guest document data) and invoice request are removed. The booking
  row stays, anonymised in place (reference, lines, amounts and history are kept: other rows
  point at it), and its history gains an "anonymised" event;
- security logs older than SECURITY_LOG_RETENTION_MONTHS months: the admin change log, the
  access log of the guests' document data, the Stripe webhook events received, the partner
  webhook events sent (with their deliveries; never one still due), the stored
  Idempotency-Key responses; expired sessions are deleted too.

Guest document data for the police report have their own, shorter purge
(insights.statutory.guest_documents_purge, GUEST_DOCUMENT_RETENTION_DAYS after departure).

Each rule selects only rows that still hold the data it removes, so a second run changes
nothing; the work is done in batches of `batch_size` rows, one transaction each."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.contrib.admin.models import LogEntry
from django.contrib.sessions.models import Session
from django.db import transaction
from django.db.models import Exists, Max, OuterRef, Q
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from bookings.models import (
    Booking,
    BookingEvent,
    BookingLine,
    BookingStatus,
    IdempotencyRecord,
    Participant,
)

logger = logging.getLogger(__name__)

NEEDS_RETENTION_DAYS = 90
UNPAID_RETENTION_DAYS = 90
SECURITY_LOG_RETENTION_MONTHS = 6
BATCH_SIZE = 500

KINDS = (
    "participant_needs",
    "unpaid_bookings",
    "admin_log",
    "document_access_log",
    "stripe_events",
    "webhook_events",
    "idempotency_records",
    "expired_sessions",
)


def months_before(moment: datetime, months: int) -> datetime:
    """The same day and time `months` calendar months earlier (the last day of a shorter
    month: 31 August minus 6 months is 28 or 29 February)."""
    month_index = moment.year * 12 + moment.month - 1 - months
    year, month = divmod(month_index, 12)
    month += 1
    for day in range(moment.day, 27, -1):
        try:
            return moment.replace(year=year, month=month, day=day)
        except ValueError:
            continue
    return moment.replace(year=year, month=month, day=min(moment.day, 28))


def _batched_ids(queryset, batch_size: int):
    """The primary keys of `queryset`, a batch at a time; the query is re-run for each batch,
    so rows that a batch changed (and no longer match) are not seen again."""
    last = None
    while True:
        page = queryset if last is None else queryset.filter(pk__gt=last)
        ids = list(page.order_by("pk").values_list("pk", flat=True)[:batch_size])
        if not ids:
            return
        yield ids
        last = ids[-1]


def participants_with_stale_needs(today):
    cutoff = today - timedelta(days=NEEDS_RETENTION_DAYS)
    last_service = (
        BookingLine.objects.filter(booking=OuterRef("booking"))
        .values("booking")
        .annotate(last=Max(Coalesce("end_date", "service_date")))
        .values("last")
    )
    return (
        Participant.objects.filter(~Q(dietary_needs="") | ~Q(accessibility_needs=""))
        .annotate(last_service=last_service)
        .filter(last_service__lt=cutoff)
    )


def unpaid_ended_bookings(now):
    """Cancelled (or expired) bookings on which no money ever moved, cancelled more than
    UNPAID_RETENTION_DAYS days before `now`, that still hold personal data."""
    from invoices.models import BookingInvoicing, Invoice, InvoiceRequest
    from payments.models import BankTransaction, LedgerEntry, Payment, PaymentStatus, Refund

    cutoff = now - timedelta(days=UNPAID_RETENTION_DAYS)
    booking = OuterRef("pk")
    money_moved = (
        Exists(Payment.objects.filter(booking=booking, status=PaymentStatus.SUCCEEDED))
        | Exists(Refund.objects.filter(booking=booking))
        | Exists(LedgerEntry.objects.filter(booking=booking))
        | Exists(BankTransaction.objects.filter(booking=booking))
        | Exists(BookingInvoicing.objects.filter(booking=booking))
        | Exists(Invoice.objects.filter(booking_reference=OuterRef("reference")))
    )
    holds_personal_data = (
        ~Q(contact_name="")
        | ~Q(contact_email="")
        | ~Q(contact_phone="")
        | ~Q(notes="")
        | ~Q(buyer_reference="")
        | Exists(Participant.objects.filter(booking=booking))
        | Exists(InvoiceRequest.objects.filter(booking=booking))
    )
    return (
        Booking.objects.filter(status=BookingStatus.CANCELLED)
        .filter(Q(cancelled_at__lt=cutoff) | Q(cancelled_at__isnull=True, updated_at__lt=cutoff))
        .filter(holds_personal_data)
        .exclude(money_moved)
    )


def security_log_querysets(now) -> dict:
    from insights.models import DocumentAccess
    from payments.models import StripeEvent
    from webhooks.models import DUE_STATUSES, DeliveryStatus, WebhookDelivery, WebhookEvent

    cutoff = months_before(now, SECURITY_LOG_RETENTION_MONTHS)
    still_due = WebhookDelivery.objects.filter(
        event=OuterRef("pk"), status__in=[*DUE_STATUSES, DeliveryStatus.SENDING]
    )
    return {
        "admin_log": LogEntry.objects.filter(action_time__lt=cutoff),
        "document_access_log": DocumentAccess.objects.filter(at__lt=cutoff),
        "stripe_events": StripeEvent.objects.filter(
            received_at__lt=cutoff, processed_at__isnull=False
        ),
        "webhook_events": WebhookEvent.objects.filter(created_at__lt=cutoff).exclude(
            Exists(still_due)
        ),
        "idempotency_records": IdempotencyRecord.objects.filter(created_at__lt=cutoff).filter(
            Q(leased_until__isnull=True) | Q(leased_until__lt=now)
        ),
        "expired_sessions": Session.objects.filter(expire_date__lt=now),
    }


def _blank_needs(queryset, batch_size, dry_run) -> int:
    count = 0
    for ids in _batched_ids(queryset, batch_size):
        count += len(ids)
        if not dry_run:
            with transaction.atomic():
                Participant.objects.filter(pk__in=ids).update(
                    dietary_needs="", accessibility_needs=""
                )
    return count


def _anonymise_bookings(queryset, batch_size, dry_run) -> int:
    from invoices.models import InvoiceRequest

    count = 0
    for ids in _batched_ids(queryset, batch_size):
        count += len(ids)
        if dry_run:
            continue
        reason = _(
            "Personal data removed %(days)s days after the cancellation without payment "
            "(privacy notice, retention)."
        ) % {"days": UNPAID_RETENTION_DAYS}
        with transaction.atomic():
            # Participants go with their guest document data (CASCADE).
            Participant.objects.filter(booking_id__in=ids).delete()
            InvoiceRequest.objects.filter(booking_id__in=ids).delete()
            Booking.objects.filter(pk__in=ids).update(
                contact_name="",
                contact_email="",
                contact_phone="",
                notes="",
                buyer_reference="",
            )
            BookingEvent.objects.bulk_create(
                [
                    BookingEvent(
                        booking_id=pk,
                        action="anonymised",
                        actor_label="privacy_purge",
                        reason=reason,
                    )
                    for pk in ids
                ]
            )
    return count


def _delete(queryset, batch_size, dry_run) -> int:
    count = 0
    for ids in _batched_ids(queryset, batch_size):
        count += len(ids)
        if not dry_run:
            with transaction.atomic():
                queryset.model.objects.filter(pk__in=ids).delete()
    return count


def privacy_purge(
    *, now: datetime | None = None, dry_run: bool = False, batch_size: int = BATCH_SIZE
) -> dict[str, int]:
    """Apply the notice's retention periods; return how many rows of each kind were purged
    (with `dry_run`, would be purged: nothing is changed)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    counts = {
        "participant_needs": _blank_needs(
            participants_with_stale_needs(today), batch_size, dry_run
        ),
        "unpaid_bookings": _anonymise_bookings(unpaid_ended_bookings(now), batch_size, dry_run),
    }
    for kind, queryset in security_log_querysets(now).items():
        counts[kind] = _delete(queryset, batch_size, dry_run)
    logger.info(
        "privacy purge%s: %s",
        " (dry run)" if dry_run else "",
        ", ".join(f"{kind}={counts[kind]}" for kind in KINDS),
        extra={"privacy_purge": counts, "dry_run": dry_run},
    )
    return counts
