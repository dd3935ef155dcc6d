"""Refunds through Stripe's Refund API, partial or full, from cancellations (the amount the
booking engine computed) or by DMC finance by hand. A refund is first reserved as a pending
row under the booking's lock, so that no two refunds together exceed what was captured;
Stripe is called after the commit, with an idempotency key per refund row."""

from __future__ import annotations

import logging
from decimal import Decimal

import stripe
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from bookings.models import Booking, BookingStatus
from operators.pricing import money

from .gateway import from_cents, stripe_client, to_cents
from .ledger import ledger_record
from .models import (
    BUYER_PAYMENT_KINDS,
    AttentionItem,
    EntryKind,
    LedgerEntry,
    Method,
    Payment,
    PaymentStatus,
    Refund,
    RefundSource,
    RefundStatus,
)

logger = logging.getLogger(__name__)


def _refundable_by_payment(booking: Booking) -> list[tuple[Payment, Decimal]]:
    payments = Payment.objects.filter(
        booking=booking, method=Method.CARD, status=PaymentStatus.SUCCEEDED
    ).order_by("-succeeded_at", "-pk")
    result = []
    for payment in payments:
        taken = payment.refunds.exclude(status=RefundStatus.FAILED).aggregate(
            t=Coalesce(Sum("amount"), Decimal("0"))
        )["t"]
        left = payment.amount - taken
        if left > 0:
            result.append((payment, left))
    return result


def refundable(booking: Booking) -> Decimal:
    """What can still be refunded by card: captured minus refunds done or in flight."""
    return sum((left for _p, left in _refundable_by_payment(booking)), Decimal("0"))


def _reserve(
    booking: Booking, amount: Decimal, *, source: str, reason: str, actor, payment=None
) -> list[Refund]:
    """Split the amount over the captured payments (newest first) as pending refunds. Call
    with the booking row locked."""
    available = _refundable_by_payment(booking)
    if payment is not None:
        available = [(p, left) for p, left in available if p.pk == payment.pk]
    total = sum((left for _p, left in available), Decimal("0"))
    if amount > total:
        logger.warning(
            "refund of %s refused for %s: only %s refundable", amount, booking.reference, total
        )
        raise ValidationError(
            {"amount": _("At most %(max)s EUR can be refunded for this booking.") % {"max": total}}
        )
    refunds, left_to_refund = [], amount
    for pay, left in available:
        part = min(left, left_to_refund)
        if part <= 0:
            break
        refund = Refund(
            booking=booking,
            payment=pay,
            amount=part,
            source=source,
            reason=reason[:300],
            requested_by=actor if getattr(actor, "pk", None) else None,
        )
        refund.full_clean()
        refund.save()
        refunds.append(refund)
        left_to_refund -= part
    return refunds


def _execute(refund: Refund) -> Refund:
    """Call Stripe for a reserved refund and record the result."""
    try:
        created = stripe_client().v1.refunds.create(
            params={
                "payment_intent": refund.payment.stripe_payment_intent_id,
                "amount": to_cents(refund.amount),
                "metadata": {
                    "refund_id": str(refund.pk),
                    "booking_reference": refund.booking.reference,
                },
            },
            options={"idempotency_key": f"refund-{refund.pk}"},
        )
    except stripe.StripeError as exc:
        message = getattr(exc, "user_message", None) or str(exc)
        with transaction.atomic():
            failed = Refund.objects.filter(pk=refund.pk, status=RefundStatus.PENDING).update(
                status=RefundStatus.FAILED, failure_message=message[:300]
            )
            if failed:
                AttentionItem.objects.create(
                    booking=refund.booking,
                    reason=REFUND_FAILED,
                    message=_(
                        "The refund of %(amount)s EUR for %(ref)s failed at Stripe: %(why)s. "
                        "Retry it, or refund by bank transfer."
                    )
                    % {"amount": refund.amount, "ref": refund.booking.reference, "why": message},
                )
        logger.error("refund %s failed at Stripe: %s", refund.pk, message)
        refund.refresh_from_db()
        return refund
    _complete(refund.pk, created["id"], int(created["amount"]))
    refund.refresh_from_db()
    return refund


REFUND_FAILED = "refund_failed"


def refunds_failed_open(booking: Booking | None = None):
    """Failed refunds nobody has retried yet (the last failure of each chain)."""
    qs = Refund.objects.filter(status=RefundStatus.FAILED, retry__isnull=True)
    return qs.filter(booking=booking) if booking is not None else qs


def refund_retry(*, refund: Refund, actor=None) -> Refund:
    """Finance retries a failed refund: a new refund row for the same payment and amount
    (the failed one stays as it was), executed at Stripe with its own idempotency key. The
    attention item is resolved once no failed refund of the booking is left open."""
    with transaction.atomic():
        locked_booking = Booking.objects.select_for_update().get(pk=refund.booking_id)
        failed = Refund.objects.select_for_update().get(pk=refund.pk)
        if failed.status != RefundStatus.FAILED:
            raise ValidationError({"refund": _("Only a failed refund can be retried.")})
        if Refund.objects.filter(retry_of=failed).exists():
            raise ValidationError({"refund": _("This refund was already retried.")})
        [retry] = _reserve(
            locked_booking,
            failed.amount,
            source=failed.source,
            reason=failed.reason,
            actor=actor,
            payment=failed.payment,
        )
        retry.retry_of = failed
        retry.save(update_fields=["retry_of"])
    retry = _execute(retry)
    if retry.status == RefundStatus.SUCCEEDED and not refunds_failed_open(refund.booking).exists():
        AttentionItem.objects.filter(
            booking_id=refund.booking_id, reason=REFUND_FAILED, resolved_at__isnull=True
        ).update(resolved_at=timezone.now())
    return retry


def refund_state(booking: Booking) -> dict:
    """What the buyer may be told about the refunds of a booking: "refunded" only for money
    Stripe confirmed; anything pending or failed is "in progress"."""
    refunds = list(booking.refunds.all())
    done = sum((r.amount for r in refunds if r.status == RefundStatus.SUCCEEDED), Decimal("0"))
    open_failed = [r for r in refunds if r.status == RefundStatus.FAILED and not _retried(r)]
    pending = [r for r in refunds if r.status == RefundStatus.PENDING]
    in_progress = sum((r.amount for r in [*open_failed, *pending]), Decimal("0"))
    return {
        "refunded": done,
        "in_progress": in_progress,
        "failed": bool(open_failed),
        "failure": open_failed[0].failure_message if open_failed else "",
    }


def _retried(refund: Refund) -> bool:
    return Refund.objects.filter(retry_of=refund).exists()


def _complete(refund_pk: int, stripe_refund_id: str, amount_cents: int) -> None:
    with transaction.atomic():
        refund = Refund.objects.select_for_update().select_related("booking").get(pk=refund_pk)
        if refund.status != RefundStatus.SUCCEEDED:
            refund.status = RefundStatus.SUCCEEDED
            refund.stripe_refund_id = stripe_refund_id
            refund.completed_at = timezone.now()
            refund.save(update_fields=["status", "stripe_refund_id", "completed_at"])
        ledger_record(
            kind=EntryKind.REFUND,
            method=Method.CARD,
            amount_cents=-amount_cents,
            booking=refund.booking,
            stripe_id=stripe_refund_id,
            payment=refund.payment,
            refund=refund,
            note=refund.reason or refund.get_source_display(),
        )


def refund_create(
    *, booking: Booking, amount, reason: str, actor=None, source=RefundSource.MANUAL, payment=None
) -> list[Refund]:
    """A refund by DMC finance (a reason is required), partial or full."""
    try:
        amount = money(Decimal(str(amount)))
    except Exception as exc:
        raise ValidationError({"amount": _("Enter an amount in euro.")}) from exc
    if amount <= 0:
        raise ValidationError({"amount": _("The amount must be positive.")})
    if source == RefundSource.MANUAL and not (reason or "").strip():
        raise ValidationError({"reason": _("Give the reason for the refund.")})
    with transaction.atomic():
        locked = Booking.objects.select_for_update().get(pk=booking.pk)
        refunds = _reserve(
            locked, amount, source=source, reason=reason, actor=actor, payment=payment
        )
    return [_execute(r) for r in refunds]


def refund_for_cancellation(*, booking: Booking) -> Decimal:
    """Refund what the cancellation left due: min(refund due not yet refunded, captured −
    refunded), and never more than what was paid beyond what is still owed. On-account
    bookings get a credit on account instead. Idempotent."""
    from .selectors import booking_paid

    with transaction.atomic():
        locked = Booking.objects.select_for_update().get(pk=booking.pk)
        if LedgerEntry.objects.filter(booking=locked, kind=EntryKind.ON_ACCOUNT).exists():
            return _credit_on_account(locked)
        done = (
            locked.refunds.filter(source=RefundSource.CANCELLATION)
            .exclude(status=RefundStatus.FAILED)
            .aggregate(t=Coalesce(Sum("amount"), Decimal("0")))["t"]
        )
        overpaid = booking_paid(locked) - money(locked.total_retail)
        amount = min(money(locked.refund_due) - done, refundable(locked), max(overpaid, 0))
        if amount <= 0:
            if overpaid > 0 and money(locked.refund_due) > done:
                _flag_refund_by_transfer(locked, overpaid)
            return Decimal("0")
        refunds = _reserve(
            locked,
            amount,
            source=RefundSource.CANCELLATION,
            reason=_("Cancellation of %(ref)s") % {"ref": locked.reference},
            actor=None,
        )
    for refund in refunds:
        _execute(refund)
    logger.info("cancellation refund of %s for %s", amount, booking.reference)
    return amount


def _flag_refund_by_transfer(booking: Booking, amount: Decimal) -> None:
    """Money that cannot go back by card goes on the DMC's attention list, once."""
    AttentionItem.objects.get_or_create(
        booking=booking,
        reason="refund_by_transfer",
        resolved_at=None,
        defaults={
            "message": _("%(amount)s EUR are due back to the buyer by bank transfer.")
            % {"amount": amount}
        },
    )


def refund_for_amendment(*, booking: Booking) -> Decimal:
    """An amendment lowered the total of a card booking below what was paid: refund the
    difference by card (what is not already being refunded), through the refund service.
    What came by bank transfer is put on the attention list to be refunded by transfer.
    Idempotent: refunds in flight count as refunded."""
    from .selectors import booking_paid

    with transaction.atomic():
        locked = Booking.objects.select_for_update().get(pk=booking.pk)
        if locked.status == BookingStatus.CANCELLED:
            return Decimal("0")  # the cancellation's refund handles it
        if LedgerEntry.objects.filter(booking=locked, kind=EntryKind.ON_ACCOUNT).exists():
            return Decimal("0")  # on account: the ledger is adjusted, nothing is refunded
        in_flight = locked.refunds.filter(status=RefundStatus.PENDING).aggregate(
            t=Coalesce(Sum("amount"), Decimal("0"))
        )["t"]
        overpaid = booking_paid(locked) - in_flight - money(locked.total_retail)
        if overpaid <= 0:
            return Decimal("0")
        amount = min(overpaid, refundable(locked))
        if overpaid > amount:
            _flag_refund_by_transfer(locked, overpaid - amount)
        if amount <= 0:
            return Decimal("0")
        refunds = _reserve(
            locked,
            amount,
            source=RefundSource.AMENDMENT,
            reason=_("Amendment of %(ref)s") % {"ref": locked.reference},
            actor=None,
        )
    for refund in refunds:
        _execute(refund)
    logger.info("amendment refund of %s for %s", amount, booking.reference)
    return amount


def _credit_on_account(booking: Booking) -> Decimal:
    """A cancelled on-account booking: the partner owes less (a negative on_account row)."""
    sold = LedgerEntry.objects.filter(booking=booking, kind=EntryKind.ON_ACCOUNT).aggregate(
        t=Coalesce(Sum("amount_cents"), 0)
    )["t"]
    owed_now = to_cents(booking.total_retail)
    credit = sold - owed_now
    if credit <= 0:
        return Decimal("0")
    ledger_record(
        kind=EntryKind.ON_ACCOUNT,
        method=Method.ON_ACCOUNT,
        amount_cents=-credit,
        booking=booking,
        external_ref=f"credit:{booking.pk}:{owed_now}",
        note=_("Credit for the cancellation of %(ref)s") % {"ref": booking.reference},
    )
    return from_cents(credit)


def refund_orphan(*, payment: Payment) -> list[Refund]:
    """Refund all of a payment that arrived for a cancelled or expired booking."""
    with transaction.atomic():
        booking = Booking.objects.select_for_update().get(pk=payment.booking_id)
        left = {p.pk: amt for p, amt in _refundable_by_payment(booking)}.get(payment.pk)
        if not left:
            return []
        refunds = _reserve(
            booking,
            left,
            source=RefundSource.ORPHAN,
            reason=_("Payment received after the booking was no longer active."),
            actor=None,
            payment=payment,
        )
    return [_execute(r) for r in refunds]


def refunds_sync_charge(*, payment: Payment, charge_id: str) -> str:
    """charge.refunded: record refunds made in Stripe (the dashboard, or ours whose
    response was lost). Refunds already recorded change nothing."""
    refunds = stripe_client().v1.refunds.list(params={"charge": charge_id, "limit": 100})
    recorded = 0
    for data in (r.to_dict() for r in refunds.data):
        if data["status"] not in ("succeeded", "pending"):
            continue
        if Refund.objects.filter(stripe_refund_id=data["id"]).exists():
            continue
        own = (data.get("metadata") or {}).get("refund_id")
        if own and Refund.objects.filter(pk=own, payment=payment).exists():
            _complete(int(own), data["id"], int(data["amount"]))
            recorded += 1
            continue
        with transaction.atomic():
            Booking.objects.select_for_update().get(pk=payment.booking_id)
            refund = Refund.objects.create(
                booking_id=payment.booking_id,
                payment=payment,
                amount=from_cents(int(data["amount"])),
                source=RefundSource.STRIPE,
                reason=_("Refund made in Stripe"),
            )
        _complete(refund.pk, data["id"], int(data["amount"]))
        recorded += 1
    return f"{recorded} refund(s) recorded"


# --- refunds made by bank transfer ---------------------------------------------------------


def bank_refundable(booking: Booking) -> Decimal:
    """What can still be refunded by bank transfer: received by bank transfer minus what was
    already refunded that way."""
    cents = LedgerEntry.objects.filter(
        booking=booking, method=Method.BANK_TRANSFER, kind__in=BUYER_PAYMENT_KINDS
    ).aggregate(t=Coalesce(Sum("amount_cents"), 0))["t"]
    return from_cents(max(cents, 0))


def bank_refund_suggested(booking: Booking) -> Decimal:
    """What is due back by bank transfer: the overpayment, within what came by bank."""
    from .selectors import booking_paid

    overpaid = booking_paid(booking) - money(booking.total_retail)
    return max(min(overpaid, bank_refundable(booking)), Decimal("0"))


def refund_record_bank_transfer(
    *, booking: Booking, amount, reference: str, booked_on=None, actor=None
) -> LedgerEntry:
    """Finance refunded the buyer by bank transfer: the outgoing transfer becomes a refund
    row of the ledger (negative, method bank transfer), never above what was received by
    bank transfer, once per bank reference. The attention item asking for it is resolved
    once nothing more is due back."""
    try:
        amount = money(Decimal(str(amount)))
    except Exception as exc:
        raise ValidationError({"amount": _("Enter an amount in euro.")}) from exc
    if amount <= 0:
        raise ValidationError({"amount": _("The amount must be positive.")})
    reference = (reference or "").strip()
    if not reference:
        raise ValidationError({"reference": _("Enter the bank reference of the transfer.")})
    with transaction.atomic():
        locked = Booking.objects.select_for_update().get(pk=booking.pk)
        available = bank_refundable(locked)
        if amount > available:
            logger.warning(
                "bank refund of %s refused for %s: only %s received by bank transfer",
                amount,
                locked.reference,
                available,
            )
            raise ValidationError(
                {
                    "amount": _(
                        "At most %(max)s EUR can be refunded by bank transfer: that is what "
                        "was received by bank transfer."
                    )
                    % {"max": available}
                }
            )
        entry = ledger_record(
            kind=EntryKind.REFUND,
            method=Method.BANK_TRANSFER,
            amount_cents=-to_cents(amount),
            booking=locked,
            external_ref=f"bank-refund:{locked.pk}:{reference}"[:255],
            booked_on=booked_on,
            actor=actor,
            note=_("Refund by bank transfer %(ref)s") % {"ref": reference},
        )
        if entry is None:
            raise ValidationError({"reference": _("This transfer is already recorded.")})
        if bank_refund_suggested(locked) <= 0:
            AttentionItem.objects.filter(
                booking=locked, reason="refund_by_transfer", resolved_at__isnull=True
            ).update(resolved_at=timezone.now())
    logger.info("bank refund of %s recorded for %s", amount, booking.reference)
    return entry
