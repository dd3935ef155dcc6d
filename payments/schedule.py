"""Payment schedules: deposit and balance for groups and packages, one payment otherwise;
reminders before each due date; overdue instalments after a grace period go to the DMC's
attention list or cancel the booking, by the rule stored on the instalment."""

from __future__ import annotations

import logging
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from bookings.models import Booking, BookingStatus, CancelReason, LineKind, TradeContract
from marketplace.amounts import amount_text
from operators.pricing import money

from .models import AttentionItem, OverdueAction, ScheduleItem, ScheduleKind, ScheduleStatus

logger = logging.getLogger(__name__)

REMINDER_DAYS_BEFORE = 7


def grace_days() -> int:
    return int(getattr(settings, "PAYMENTS_GRACE_DAYS", 3))


def _package_terms(booking: Booking) -> tuple[Decimal, int] | None:
    """The deposit terms of the booking's packages: (deposit %, balance days before the
    departure). With several packages the strictest terms apply (the highest deposit, the
    earliest balance). None without a package line."""
    from packages.models import Package

    slugs = set(
        booking.lines.filter(kind=LineKind.PACKAGE, parent__isnull=True).values_list(
            "package_slug", flat=True
        )
    )
    if not slugs:
        return None
    packages = list(Package.objects.filter(slug__in=slugs))
    if not packages:
        logger.warning("booking %s: package %s not found", booking.reference, sorted(slugs))
        return None
    return (
        max(p.deposit_percent for p in packages),
        max(p.balance_days_before for p in packages),
    )


def _terms(booking: Booking) -> tuple[Decimal, int, str] | None:
    """(deposit %, balance days before service, overdue action) or None for one payment.
    A booking with a package line follows the package's own terms; other bookings follow
    the trade partner's contract. A deposit of 0% or 100% means one payment."""
    contract = (
        TradeContract.objects.filter(organisation=booking.buyer_organisation).first()
        if booking.buyer_organisation_id
        else None
    )
    package = _package_terms(booking)
    if package is not None:
        percent, days_before = package
        if not 0 < percent < 100:
            return None
        # A partner with a contract is chased (attention list); a traveller's booking is
        # cancelled when the balance is not paid.
        action = OverdueAction.ATTENTION if contract else OverdueAction.CANCEL
        return percent, days_before, action
    if contract and contract.deposit_percent > 0:
        return contract.deposit_percent, contract.balance_days_before, OverdueAction.ATTENTION
    return None


def schedule_plan(booking: Booking, today: date | None = None) -> list[dict]:
    """The instalments a booking would get (no writes)."""
    today = today or timezone.localdate()
    total = money(booking.total_retail)
    terms = _terms(booking)
    if terms and booking.first_service_date:
        percent, days_before, action = terms
        balance_due = booking.first_service_date - timedelta(days=days_before)
        if balance_due > today:
            deposit = money(total * percent / 100)
            return [
                {"kind": ScheduleKind.DEPOSIT, "due_date": today, "amount": deposit,
                 "overdue_action": action},
                {"kind": ScheduleKind.BALANCE, "due_date": balance_due, "amount": total - deposit,
                 "overdue_action": action},
            ]  # fmt: skip
    return [
        {"kind": ScheduleKind.FULL, "due_date": today, "amount": total,
         "overdue_action": OverdueAction.ATTENTION},
    ]  # fmt: skip


def schedule_ensure(*, booking: Booking, today: date | None = None) -> list[ScheduleItem]:
    """Create the schedule once (idempotent; the booking row is locked while it is written)."""
    with transaction.atomic():
        Booking.objects.select_for_update().get(pk=booking.pk)
        existing = list(ScheduleItem.objects.filter(booking=booking).order_by("position"))
        if existing:
            return existing
        items = []
        for position, values in enumerate(schedule_plan(booking, today), start=1):
            item = ScheduleItem(booking=booking, position=position, **values)
            item.full_clean()
            item.save()
            items.append(item)
        return items


def schedule_on_account(*, booking: Booking, terms_days: int, today: date | None = None):
    """An on-account booking is invoiced: one instalment due after the payment terms."""
    today = today or timezone.localdate()
    ScheduleItem.objects.filter(booking=booking, status=ScheduleStatus.OPEN).update(
        status=ScheduleStatus.WAIVED
    )
    last = ScheduleItem.objects.filter(booking=booking).order_by("-position").first()
    item = ScheduleItem(
        booking=booking,
        position=(last.position + 1) if last else 1,
        kind=ScheduleKind.ON_ACCOUNT,
        due_date=today + timedelta(days=terms_days),
        amount=money(booking.total_retail),
        overdue_action=OverdueAction.ATTENTION,
    )
    item.full_clean()
    item.save()
    return item


def next_open_item(booking: Booking) -> ScheduleItem | None:
    return (
        ScheduleItem.objects.filter(booking=booking, status=ScheduleStatus.OPEN)
        .order_by("position")
        .first()
    )


def schedule_rebalance(*, booking: Booking, paid: Decimal) -> None:
    """After a change of the booking's total (amendment, cancellation): open instalments are
    cut or grown so that paid + open = total; an instalment cut to nothing is waived."""
    booking.refresh_from_db(fields=["total_retail", "status"])
    target_open = max(money(booking.total_retail) - money(paid), Decimal("0"))
    if booking.status == BookingStatus.CANCELLED:
        target_open = Decimal("0")
    items = list(
        ScheduleItem.objects.select_for_update()
        .filter(booking=booking, status=ScheduleStatus.OPEN)
        .order_by("position")
    )
    current = sum((i.amount for i in items), Decimal("0"))
    if current == target_open:
        return
    if not items:
        if target_open > 0 and ScheduleItem.objects.filter(booking=booking).exists():
            last = ScheduleItem.objects.filter(booking=booking).order_by("-position").first()
            ScheduleItem.objects.create(
                booking=booking,
                position=last.position + 1,
                kind=ScheduleKind.BALANCE,
                due_date=timezone.localdate(),
                amount=target_open,
                overdue_action=last.overdue_action,
            )
        return
    difference = target_open - current
    if difference > 0:
        items[-1].amount += difference
        items[-1].save(update_fields=["amount"])
        return
    to_cut = -difference
    for item in reversed(items):
        cut = min(item.amount, to_cut)
        item.amount -= cut
        to_cut -= cut
        if item.amount == 0:
            item.status = ScheduleStatus.WAIVED
        item.save(update_fields=["amount", "status"])
        if to_cut == 0:
            break


def schedule_mark_paid(*, booking: Booking, paid: Decimal) -> None:
    """Mark instalments paid in order while the money received covers them."""
    remaining = money(paid)
    now = timezone.now()
    for item in (
        ScheduleItem.objects.select_for_update().filter(booking=booking).order_by("position")
    ):
        if item.status == ScheduleStatus.WAIVED:
            continue
        if remaining >= item.amount:
            remaining -= item.amount
            if item.status != ScheduleStatus.PAID:
                item.status = ScheduleStatus.PAID
                item.paid_at = now
                item.save(update_fields=["status", "paid_at"])
        else:
            break


def _mail(booking: Booking, subject: str, body: str) -> None:
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [booking.contact_email])


def reminders_send(*, today: date | None = None) -> int:
    """Email the buyer before each due date (once per instalment)."""
    today = today or timezone.localdate()
    items = ScheduleItem.objects.select_related("booking").filter(
        status=ScheduleStatus.OPEN,
        reminder_sent_at__isnull=True,
        due_date__gt=today,
        due_date__lte=today + timedelta(days=REMINDER_DAYS_BEFORE),
        booking__status__in=(BookingStatus.CONFIRMED, BookingStatus.PENDING_PAYMENT),
    )
    sent = 0
    for item in items:
        claimed = ScheduleItem.objects.filter(pk=item.pk, reminder_sent_at__isnull=True).update(
            reminder_sent_at=timezone.now()
        )
        if not claimed:
            continue
        booking = item.booking
        with translation.override(booking.language):
            _mail(
                booking,
                _("Booking %(ref)s: %(kind)s of %(amount)s EUR due on %(date)s")
                % {
                    "ref": booking.reference,
                    "kind": item.get_kind_display(),
                    "amount": amount_text(item.amount),
                    "date": item.due_date.isoformat(),
                },
                _(
                    "Dear %(name)s,\n\nthis is a reminder that %(amount)s EUR for booking "
                    "%(ref)s are due on %(date)s.\n\nPiana di Lucca DMC"
                )
                % {
                    "name": booking.contact_name,
                    "amount": amount_text(item.amount),
                    "ref": booking.reference,
                    "date": item.due_date.isoformat(),
                },
            )
        logger.info("payment reminder sent for %s item %s", booking.reference, item.pk)
        sent += 1
    return sent


def overdue_handle(*, today: date | None = None) -> dict:
    """Instalments unpaid after the grace period: attention list or cancellation, by rule;
    each one is logged and noted, never silently."""
    today = today or timezone.localdate()
    limit = today - timedelta(days=grace_days())
    result = {"attention": 0, "cancelled": 0}
    items = ScheduleItem.objects.select_related("booking").filter(
        status=ScheduleStatus.OPEN, overdue_handled_at__isnull=True, due_date__lt=limit
    )
    for item in items:
        booking = item.booking
        claimed = ScheduleItem.objects.filter(pk=item.pk, overdue_handled_at__isnull=True).update(
            overdue_handled_at=timezone.now()
        )
        if not claimed:
            continue
        message = _("%(kind)s of %(amount)s EUR due on %(date)s is unpaid.") % {
            "kind": item.get_kind_display(),
            "amount": amount_text(item.amount),
            "date": item.due_date.isoformat(),
        }
        if item.overdue_action == OverdueAction.CANCEL and booking.is_active:
            from bookings.services import booking_cancel

            booking_cancel(
                booking=booking,
                reason=CancelReason.DMC,
                note=message + " " + _("Cancelled by the payment rule."),
            )
            AttentionItem.objects.create(
                booking=booking, reason="overdue_cancelled", message=message
            )
            from .services import on_booking_cancelled

            on_booking_cancelled(booking.pk)
            logger.warning("booking %s cancelled: %s", booking.reference, message)
            result["cancelled"] += 1
        else:
            AttentionItem.objects.create(
                booking=booking,
                organisation=booking.buyer_organisation,
                reason="overdue",
                message=message,
            )
            with translation.override(booking.language):
                _mail(
                    booking,
                    _("Booking %(ref)s: payment overdue") % {"ref": booking.reference},
                    message,
                )
            logger.warning("booking %s on the attention list: %s", booking.reference, message)
            result["attention"] += 1
    return result
