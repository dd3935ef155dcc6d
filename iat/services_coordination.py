"""Writes of the network's coordination: announcements and receipts, training, shifts, audits."""

from decimal import ROUND_HALF_UP, Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone

from .audit import CRITERIA, measure
from .errors import InvalidContact, ShiftOverlap, TrainingFull
from .models import (
    Announcement,
    AnnouncementReceipt,
    Audit,
    AuditItem,
    Shift,
    TrainingRegistration,
    TrainingSession,
)


def announcement_publish(*, title: str, body: str, audience: str, author) -> Announcement:
    announcement = Announcement(
        title=title, body=body, audience=audience, author=author, published_at=timezone.now()
    )
    announcement.full_clean()
    announcement.save()
    return announcement


def announcement_mark_read(*, announcement, user, organisation) -> AnnouncementReceipt:
    receipt, _created = AnnouncementReceipt.objects.get_or_create(
        announcement=announcement,
        user=user,
        defaults={"organisation": organisation, "read_at": timezone.now()},
    )
    return receipt


@transaction.atomic
def training_register(*, session: TrainingSession, user, organisation) -> TrainingRegistration:
    """Register a person; the session row is locked so that places are never oversold."""
    locked = TrainingSession.objects.select_for_update().get(pk=session.pk)
    existing = TrainingRegistration.objects.filter(session=locked, user=user).first()
    if existing:
        return existing
    if locked.registrations.count() >= locked.capacity:
        raise TrainingFull()
    return TrainingRegistration.objects.create(session=locked, user=user, organisation=organisation)


def training_mark_attendance(*, session: TrainingSession, attended_ids: set[int]) -> None:
    for registration in session.registrations.all():
        attended = registration.pk in attended_ids
        if registration.attended != attended:
            registration.attended = attended
            registration.save(update_fields=["attended"])


def shift_add(*, office, user, date, starts, ends) -> Shift:
    if ends <= starts:
        raise InvalidContact("The shift must end after it starts.")
    overlapping = Shift.objects.filter(user=user, date=date, starts__lt=ends, ends__gt=starts)
    if overlapping.exists():
        raise ShiftOverlap()
    try:
        with transaction.atomic():
            return Shift.objects.create(
                office=office, user=user, date=date, starts=starts, ends=ends
            )
    except IntegrityError as exc:
        raise ShiftOverlap() from exc


def audit_record(
    *, office, auditor, manual_points: dict[str, int], notes: str = "", audited_on=None
) -> Audit:
    """Measure the office, add the auditor's judgement, score it and keep it in the history."""
    measured = measure(office)
    with transaction.atomic():
        audit = Audit.objects.create(
            office=office,
            comune=office.comune,
            auditor=auditor,
            notes=notes,
            audited_on=audited_on or timezone.localdate(),
        )
        total = maximum = 0
        for criterion in CRITERIA:
            if criterion.manual:
                points, evidence = max(0, min(4, int(manual_points.get(criterion.code, 0)))), ""
            else:
                points, evidence = measured[criterion.code]
            AuditItem.objects.create(
                audit=audit, criterion=criterion.code, points=points, evidence=str(evidence)[:300]
            )
            total += points
            maximum += 4
        audit.score = (Decimal(100) * total / maximum).quantize(Decimal("0.1"), ROUND_HALF_UP)
        audit.save(update_fields=["score"])
    return audit
