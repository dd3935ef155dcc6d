"""Card payments with Stripe PaymentIntents and the webhook events that settle them.

One function, `payment_sync_intent`, applies an intent's state to the platform; the webhook
and the buyer's return page both call it, so whichever comes first confirms the booking and
the other is a no-op. Webhook events are recorded exactly once per Stripe event id (a
unique constraint) before they are handled. Stripe is never called while a row is locked."""

from __future__ import annotations

import logging
from decimal import Decimal

import stripe
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, OperationalError, transaction
from django.db.models import Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from bookings.models import Booking, BookingStatus
from marketplace.amounts import amount_text
from operators.pricing import money

from .gateway import CURRENCY, from_cents, stripe_client, to_cents
from .ledger import ledger_record
from .models import (
    OPEN_PAYMENT_STATUSES,
    AttentionItem,
    EntryKind,
    LedgerEntry,
    Method,
    OverdueAction,
    Payment,
    PaymentStatus,
    RefundSource,
    ScheduleItem,
    ScheduleKind,
    ScheduleStatus,
    StripeEvent,
)
from .webhook_events import (
    UNPROCESSABLE,
    Unprocessable,
    event_parse,
    unprocessable_record_fields,
)

logger = logging.getLogger(__name__)


class InvalidSignature(Exception):
    pass


class RetryLater(Exception):
    """A transient failure (Stripe unreachable, a lock timeout): answer 5xx so that Stripe
    delivers the event again."""


PURPOSE_KIND = {
    ScheduleKind.FULL: EntryKind.CHARGE,
    ScheduleKind.DEPOSIT: EntryKind.DEPOSIT,
    ScheduleKind.BALANCE: EntryKind.BALANCE,
    ScheduleKind.ON_ACCOUNT: EntryKind.RECEIPT,
}


def _obj_get(obj, key, default=None):
    try:
        value = obj[key]
    except (KeyError, TypeError):
        return default
    return default if value is None else value


def _charge_id(intent) -> str:
    charge = _obj_get(intent, "latest_charge")
    if isinstance(charge, str):
        return charge
    return _obj_get(charge, "id", "") if charge else ""


# --- creating and confirming intents ----------------------------------------------------


def amount_due_now(booking: Booking) -> tuple[ScheduleItem | None, Decimal]:
    """The instalment the buyer pays next, and its amount."""
    from .schedule import next_open_item, schedule_ensure

    schedule_ensure(booking=booking)
    item = next_open_item(booking)
    return item, (item.amount if item else Decimal("0"))


def _check_amount(booking: Booking, item: ScheduleItem, expected_amount) -> None:
    """What the buyer saw is what is charged: the instalment must match the amount shown and
    the schedule must add up to the booking's total."""
    from .schedule import schedule_rebalance
    from .selectors import booking_paid

    total = money(booking.total_retail)
    scheduled = sum(
        (i.amount for i in booking.payment_schedule.exclude(status=ScheduleStatus.WAIVED)),
        Decimal("0"),
    )
    if scheduled != total:
        with transaction.atomic():
            schedule_rebalance(booking=booking, paid=booking_paid(booking))
        item.refresh_from_db()
    try:
        shown = money(Decimal(str(expected_amount)))
    except Exception as exc:
        raise ValidationError({"expected_amount": _("Invalid amount.")}) from exc
    if shown != item.amount or item.status != ScheduleStatus.OPEN:
        logger.warning(
            "checkout %s: amount shown %s differs from amount due %s",
            booking.reference,
            shown,
            item.amount,
        )
        raise ValidationError(
            {
                "expected_amount": _(
                    "The amount due changed to %(amount)s EUR: please review it before paying."
                )
                % {"amount": amount_text(item.amount)}
            }
        )


def _payment_for_item(booking: Booking, item: ScheduleItem) -> Payment:
    """The open card attempt of the instalment, or a new attempt after a failed one. The
    unique (booking, instalment, attempt) constraint makes a double click reuse it."""
    for _try in range(3):
        with transaction.atomic():
            ScheduleItem.objects.select_for_update().get(pk=item.pk)
            last = (
                Payment.objects.filter(schedule_item=item, method=Method.CARD)
                .order_by("-attempt")
                .first()
            )
            if last and last.status in (*OPEN_PAYMENT_STATUSES, PaymentStatus.SUCCEEDED):
                return last
            attempt = last.attempt + 1 if last else 1
            try:
                with transaction.atomic():
                    return Payment.objects.create(
                        booking=booking,
                        schedule_item=item,
                        method=Method.CARD,
                        purpose=item.kind,
                        attempt=attempt,
                        amount=item.amount,
                        idempotency_key=f"booking-{booking.pk}-item-{item.pk}-attempt-{attempt}",
                    )
            except IntegrityError:
                continue
    raise RetryLater("could not allocate a payment attempt")


def payment_intent_for_booking(*, booking: Booking, expected_amount, actor=None):
    """Create (or reuse) the PaymentIntent for the amount due now. Returns (payment, intent)."""
    from bookings.services import booking_request_payment

    booking.refresh_from_db()
    if booking.status not in (
        BookingStatus.HELD,
        BookingStatus.PENDING_PAYMENT,
        BookingStatus.CONFIRMED,
    ):
        raise ValidationError({"booking": _("This booking cannot be paid.")})
    item, _due = amount_due_now(booking)
    if item is None:
        raise ValidationError({"booking": _("Nothing is due on this booking.")})
    if item.kind == ScheduleKind.ON_ACCOUNT:
        raise ValidationError({"booking": _("This booking is invoiced on account.")})
    _check_amount(booking, item, expected_amount)
    if booking.status == BookingStatus.HELD:
        booking = booking_request_payment(booking=booking, actor=actor)
    payment = _payment_for_item(booking, item)
    if payment.status == PaymentStatus.SUCCEEDED:
        raise ValidationError({"booking": _("This instalment is already paid.")})
    client = stripe_client()
    if not payment.stripe_payment_intent_id:
        intent = client.v1.payment_intents.create(
            params={
                "amount": to_cents(payment.amount),
                "currency": CURRENCY,
                "payment_method_types": ["card"],
                "metadata": {
                    "booking_reference": booking.reference,
                    "booking_id": str(booking.pk),
                    "payment_id": str(payment.pk),
                    "purpose": payment.purpose,
                },
            },
            options={"idempotency_key": payment.idempotency_key},
        )
        won = Payment.objects.filter(pk=payment.pk, stripe_payment_intent_id__isnull=True).update(
            stripe_payment_intent_id=intent.id
        )
        payment.refresh_from_db()
        if not won and payment.stripe_payment_intent_id != intent.id:
            # Two requests raced past the same attempt: keep the first intent.
            logger.info("duplicate intent %s for payment %s cancelled", intent.id, payment.pk)
            try:
                client.v1.payment_intents.cancel(intent.id)
            except stripe.StripeError:
                logger.warning("could not cancel duplicate intent %s", intent.id)
            intent = client.v1.payment_intents.retrieve(payment.stripe_payment_intent_id)
        logger.info("intent %s created for %s", intent.id, booking.reference)
    else:
        intent = client.v1.payment_intents.retrieve(payment.stripe_payment_intent_id)
    return payment, intent


def payment_confirm_card(*, payment: Payment, card: str):
    """Server-side confirmation with a card or payment method made by Stripe.js (used with
    the local Stripe server, whose confirmCardPayment only performs 3-D Secure). Returns the
    intent: succeeded, requires_action (3-D Secure) or requires_payment_method (declined)."""
    if not (card.startswith("card_") or card.startswith("pm_")):
        raise ValidationError({"card": _("Invalid card.")})
    if payment.status == PaymentStatus.SUCCEEDED:
        raise ValidationError({"card": _("This instalment is already paid.")})
    client = stripe_client()
    intent_id = payment.stripe_payment_intent_id
    intent = client.v1.payment_intents.retrieve(intent_id)
    if intent.status in ("requires_payment_method", "requires_confirmation"):
        client.v1.payment_intents.update(intent_id, params={"payment_method": card})
        try:
            client.v1.payment_intents.confirm(intent_id)
        except stripe.CardError as exc:
            logger.info("card declined for %s: %s", intent_id, exc.user_message)
        intent = client.v1.payment_intents.retrieve(intent_id)
    payment_sync_intent(intent=intent)
    return intent


# --- applying an intent's state ---------------------------------------------------------


def payment_sync_intent(*, intent) -> str:
    """Apply the intent's current state. Idempotent; returns what happened."""
    payment = Payment.objects.filter(stripe_payment_intent_id=intent["id"]).first()
    if payment is None:
        logger.warning("intent %s is unknown here: ignored", intent["id"])
        return "unknown intent"
    status = intent["status"]
    if status == "succeeded":
        return _payment_succeeded(
            payment,
            charge_id=_charge_id(intent) or intent["id"],
            amount_cents=int(_obj_get(intent, "amount_received") or intent["amount"]),
        )
    new_status = {
        "requires_action": PaymentStatus.REQUIRES_ACTION,
        "processing": PaymentStatus.PROCESSING,
        "canceled": PaymentStatus.CANCELED,
        "requires_payment_method": (
            PaymentStatus.FAILED
            if _obj_get(intent, "last_payment_error")
            else PaymentStatus.CREATED
        ),
        "requires_confirmation": PaymentStatus.CREATED,
    }.get(status, PaymentStatus.CREATED)
    error = _obj_get(intent, "last_payment_error") or {}
    with transaction.atomic():
        locked = Payment.objects.select_for_update().get(pk=payment.pk)
        if locked.status == PaymentStatus.SUCCEEDED:
            return "already succeeded"
        if locked.status != new_status:
            locked.status = new_status
            locked.failure_message = (_obj_get(error, "message", "") or "")[:300]
            locked.save(update_fields=["status", "failure_message", "updated_at"])
            if new_status == PaymentStatus.FAILED:
                # The option stays until it expires; the buyer may try another card.
                logger.info("payment %s failed: %s", payment.pk, locked.failure_message)
    return f"payment {new_status}"


def _payment_succeeded(payment: Payment, *, charge_id: str, amount_cents: int) -> str:
    from bookings.services import booking_confirm

    from .schedule import schedule_mark_paid
    from .selectors import booking_paid

    with transaction.atomic():
        booking = Booking.objects.select_for_update().get(pk=payment.booking_id)
        locked = Payment.objects.select_for_update().get(pk=payment.pk)
        if locked.status == PaymentStatus.SUCCEEDED:
            return "already recorded"
        locked.status = PaymentStatus.SUCCEEDED
        locked.stripe_charge_id = charge_id
        locked.succeeded_at = timezone.now()
        locked.failure_message = ""
        locked.save(
            update_fields=[
                "status",
                "stripe_charge_id",
                "succeeded_at",
                "failure_message",
                "updated_at",
            ]
        )
        ledger_record(
            kind=PURPOSE_KIND[locked.purpose],
            method=Method.CARD,
            amount_cents=amount_cents,
            booking=booking,
            stripe_id=charge_id,
            payment=locked,
            note=_("Card payment %(pi)s") % {"pi": locked.stripe_payment_intent_id},
        )
        schedule_mark_paid(booking=booking, paid=booking_paid(booking))
        expired = (
            booking.status in (BookingStatus.HELD, BookingStatus.PENDING_PAYMENT)
            and booking.expires_at is not None
            and booking.expires_at <= timezone.now()
        )
        if booking.status in (BookingStatus.HELD, BookingStatus.PENDING_PAYMENT) and not expired:
            booking_confirm(booking=booking, via="card", reason=locked.stripe_payment_intent_id)
            on_booking_confirmed(booking.pk)
            return "booking confirmed"
        if booking.status in (BookingStatus.CONFIRMED, BookingStatus.COMPLETED):
            return "payment recorded"
        # Paid too late: the booking is cancelled or its option expired. Refund it all.
        message = _(
            "A card payment of %(amount)s EUR arrived for booking %(ref)s, which is %(state)s: "
            "it is refunded automatically."
        ) % {
            "amount": from_cents(amount_cents),
            "ref": booking.reference,
            "state": _("expired") if expired else booking.get_status_display(),
        }
        AttentionItem.objects.create(booking=booking, reason="late_payment", message=message)
        logger.warning(message)
        from outbox.services import outbox_enqueue

        from . import tasks

        outbox_enqueue(handler=tasks.refund_orphan_payment, kwargs={"payment_id": locked.pk})
        outbox_enqueue(handler=tasks.tell_dmc, kwargs={"message": message})
        return "refund scheduled"


def dmc_tell_refunded_automatically(*, message: str) -> None:
    send_mail(
        _("Payment refunded automatically"),
        message,
        settings.DEFAULT_FROM_EMAIL,
        [getattr(settings, "DMC_NOTIFICATION_EMAIL", "") or settings.DEFAULT_FROM_EMAIL],
    )


# --- webhooks ----------------------------------------------------------------------------


def stripe_event_verify(*, payload: bytes, signature: str) -> bytes:
    """The payload, once its signature is checked (the shape is checked when it is recorded)."""
    try:
        stripe.WebhookSignature.verify_header(
            payload, signature, settings.STRIPE_WEBHOOK_SECRET, stripe.Webhook.DEFAULT_TOLERANCE
        )
    except (ValueError, UnicodeDecodeError, stripe.SignatureVerificationError) as exc:
        raise InvalidSignature(str(exc)) from exc
    return payload


def stripe_event_record(*, payload: bytes) -> tuple[StripeEvent, bool]:
    """Store the verified event; return (event, created). A duplicate id is refused by the
    database. A signed event without the shape of one is stored already processed, as
    unprocessable, under an id derived from its body."""
    event, problem = event_parse(payload)
    if event is None:
        fields = unprocessable_record_fields(payload, problem)
        fields["processed_at"] = timezone.now()
        logger.warning("Stripe event unprocessable (%s): recorded", problem)
    else:
        fields = {"stripe_event_id": event["id"], "type": event["type"], "payload": event}
    try:
        with transaction.atomic():
            record = StripeEvent.objects.create(**fields)
    except IntegrityError:
        logger.info("Stripe event %s received again: ignored", fields["stripe_event_id"])
        return StripeEvent.objects.get(stripe_event_id=fields["stripe_event_id"]), False
    return record, True


def _retrieve_intent(intent_id: str):
    try:
        return stripe_client().v1.payment_intents.retrieve(intent_id)
    except (stripe.APIConnectionError, stripe.APIError, stripe.RateLimitError) as exc:
        raise RetryLater(str(exc)) from exc


def handle_payment_intent_event(payload: dict) -> str:
    """payment_intent.succeeded / .payment_failed / .canceled / .requires_action: re-read
    the intent (the event may be old or out of order) and apply its current state."""
    intent_id = payload["data"]["object"]["id"]
    if not Payment.objects.filter(stripe_payment_intent_id=intent_id).exists():
        logger.warning("event %s for unknown intent %s: ignored", payload["id"], intent_id)
        return "unknown intent"
    return payment_sync_intent(intent=_retrieve_intent(intent_id))


def handle_charge_refunded(payload: dict) -> str:
    from .refunds import refunds_sync_charge

    charge = payload["data"]["object"]
    payment = Payment.objects.filter(stripe_charge_id=charge["id"]).first()
    if payment is None and charge.get("payment_intent"):
        payment = Payment.objects.filter(stripe_payment_intent_id=charge["payment_intent"]).first()
    if payment is None:
        logger.warning("charge.refunded for unknown charge %s: unprocessable", charge["id"])
        raise Unprocessable("unknown charge")
    try:
        return refunds_sync_charge(payment=payment, charge_id=charge["id"])
    except (stripe.APIConnectionError, stripe.APIError, stripe.RateLimitError) as exc:
        raise RetryLater(str(exc)) from exc


EVENT_HANDLERS: dict = {
    "payment_intent.succeeded": handle_payment_intent_event,
    "payment_intent.payment_failed": handle_payment_intent_event,
    "payment_intent.canceled": handle_payment_intent_event,
    "payment_intent.requires_action": handle_payment_intent_event,
    "charge.refunded": handle_charge_refunded,
}


def stripe_event_process(*, record: StripeEvent) -> str:
    """Handle a recorded event once. A lock timeout or an unreachable Stripe raises
    RetryLater (the event stays unprocessed and Stripe's retry handles it)."""
    if record.processed_at is not None:
        return record.result
    handler = EVENT_HANDLERS.get(record.type)
    try:
        result = handler(record.payload) if handler else "ignored"
    except Unprocessable as exc:
        result = f"{UNPROCESSABLE}: {exc.reason}"
    except OperationalError as exc:
        raise RetryLater(str(exc)) from exc
    except Exception as exc:
        from bookings.services import Busy

        if isinstance(exc, Busy):
            raise RetryLater("busy") from exc
        raise
    StripeEvent.objects.filter(pk=record.pk, processed_at__isnull=True).update(
        processed_at=timezone.now(), result=result[:200]
    )
    return result


# --- hooks called by the booking engine ------------------------------------------------


def on_booking_confirmed(booking_id: int) -> None:
    """Accrue the operators' net amounts of a confirmed booking (idempotent)."""
    from .payouts import payables_sync

    payables_sync(booking_id=booking_id)


def on_booking_cancelled(booking_id: int) -> None:
    """After a (partial) cancellation: payables follow, the schedule shrinks, and the refund
    the engine computed is executed by a task scheduled on commit. A booking cancelled as a
    whole (an expired option or checkout hold included) gets its open PaymentIntents
    cancelled at Stripe, so that no late payment can be taken."""
    from outbox.services import outbox_enqueue

    from . import tasks
    from .payouts import payables_sync
    from .schedule import schedule_rebalance
    from .selectors import booking_paid

    booking = Booking.objects.get(pk=booking_id)
    with transaction.atomic():
        payables_sync(booking_id=booking_id)
        schedule_rebalance(booking=booking, paid=booking_paid(booking))
        if booking.status == BookingStatus.CANCELLED:
            outbox_enqueue(handler=tasks.cancel_open_intents, kwargs={"booking_id": booking_id})
        outbox_enqueue(handler=tasks.refund_for_cancellation, kwargs={"booking_id": booking_id})


def on_booking_amended(booking_id: int) -> None:
    """After an amendment (idempotent, from the booking's state): payables follow the lines;
    an on-account booking gets a new sale-on-account row for the difference (old rows are
    never edited) and its open invoice instalment follows; a card booking gets a new balance
    instalment for an increase, and for a decrease its open instalments shrink and what was
    paid beyond the new total is refunded by a task scheduled on commit."""
    from . import tasks
    from .payouts import payables_sync

    booking = Booking.objects.get(pk=booking_id)
    payables_sync(booking_id=booking_id)
    if booking.status == BookingStatus.CANCELLED:
        return
    with transaction.atomic():
        locked = Booking.objects.select_for_update().get(pk=booking_id)
        if LedgerEntry.objects.filter(booking=locked, kind=EntryKind.ON_ACCOUNT).exists():
            _on_account_follow_total(locked)
            return
        if _schedule_follow_total(locked):
            from outbox.services import outbox_enqueue

            outbox_enqueue(handler=tasks.refund_for_amendment, kwargs={"booking_id": booking_id})


def _on_account_follow_total(booking: Booking) -> None:
    """The partner owes the booking's new total: a new on_account row for the difference."""
    from bookings.models import Amendment

    from .schedule import schedule_rebalance
    from .selectors import booking_paid

    sold = LedgerEntry.objects.filter(booking=booking, kind=EntryKind.ON_ACCOUNT).aggregate(
        t=Coalesce(Sum("amount_cents"), 0)
    )["t"]
    difference = to_cents(booking.total_retail) - sold
    if difference:
        amendment = Amendment.objects.filter(booking=booking).order_by("-pk").first()
        ledger_record(
            kind=EntryKind.ON_ACCOUNT,
            method=Method.ON_ACCOUNT,
            amount_cents=difference,
            booking=booking,
            counterparty=booking.buyer_organisation,
            external_ref=f"amend:{booking.pk}:{amendment.pk if amendment else 0}:{sold}",
            note=_("Amendment of %(ref)s: %(diff)s EUR")
            % {"ref": booking.reference, "diff": from_cents(difference)},
        )
        logger.info("on-account sale of %s adjusted by %s cents", booking.reference, difference)
    schedule_rebalance(booking=booking, paid=booking_paid(booking))


def _schedule_follow_total(booking: Booking) -> bool:
    """A card (or bank transfer) booking: returns True when a refund is due."""
    from .schedule import schedule_rebalance
    from .selectors import booking_paid

    items = list(ScheduleItem.objects.select_for_update().filter(booking=booking))
    if not items:
        return False  # the schedule is made from the new total at the checkout
    paid = booking_paid(booking)
    total = money(booking.total_retail)
    open_items = [i for i in items if i.status == ScheduleStatus.OPEN]
    open_amount = sum((i.amount for i in open_items), Decimal("0"))
    target_open = max(total - paid, Decimal("0"))
    if target_open > open_amount:
        # An increase: the difference is a new balance instalment, due with the next open
        # balance, or now.
        balances = [i.due_date for i in open_items if i.kind == ScheduleKind.BALANCE]
        item = ScheduleItem(
            booking=booking,
            position=max(i.position for i in items) + 1,
            kind=ScheduleKind.BALANCE,
            due_date=min(balances) if balances else timezone.localdate(),
            amount=target_open - open_amount,
            overdue_action=OverdueAction.ATTENTION,
        )
        item.full_clean()
        item.save()
        logger.info(
            "booking %s: balance of %s added by an amendment", booking.reference, item.amount
        )
        return False
    if target_open < open_amount:
        # A decrease: open instalments shrink first; an open card attempt for an amount
        # that changed is cancelled so that the next attempt charges the new amount.
        before = {i.pk: i.amount for i in open_items}
        schedule_rebalance(booking=booking, paid=paid)
        changed = [
            i.pk for i in ScheduleItem.objects.filter(pk__in=before) if i.amount != before[i.pk]
        ]
        stale = Payment.objects.filter(
            schedule_item_id__in=changed, method=Method.CARD, status__in=OPEN_PAYMENT_STATUSES
        ).values_list("pk", flat=True)
        from outbox.services import outbox_enqueue

        from . import tasks

        for pk in list(stale):
            outbox_enqueue(handler=tasks.cancel_stale_intent, kwargs={"payment_id": pk})
    return paid > total


def payment_intent_cancel_stale(*, payment_id: int) -> None:
    payment = Payment.objects.get(pk=payment_id)
    if not payment.stripe_payment_intent_id or payment.status not in OPEN_PAYMENT_STATUSES:
        return
    try:
        intent = stripe_client().v1.payment_intents.cancel(payment.stripe_payment_intent_id)
    except stripe.StripeError as exc:
        logger.warning("stale intent %s not cancelled: %s", payment.stripe_payment_intent_id, exc)
        return
    payment_sync_intent(intent=intent)


def payment_intents_cancel_open(*, booking: Booking) -> dict:
    """Cancel the open card attempts of a cancelled booking at Stripe. An intent that was
    paid meanwhile cannot be cancelled: its state is applied instead, and the payment that
    arrived too late is refunded automatically (see `_payment_succeeded`). Idempotent;
    returns {"cancelled": n, "paid": n, "failed": n}."""
    result = {"cancelled": 0, "paid": 0, "failed": 0}
    booking.refresh_from_db(fields=["status"])
    if booking.status != BookingStatus.CANCELLED:
        return result
    client = stripe_client()
    open_payments = Payment.objects.filter(
        booking=booking,
        method=Method.CARD,
        status__in=OPEN_PAYMENT_STATUSES,
        stripe_payment_intent_id__isnull=False,
    ).order_by("pk")
    for payment in open_payments:
        intent_id = payment.stripe_payment_intent_id
        try:
            intent = client.v1.payment_intents.cancel(
                intent_id, options={"idempotency_key": f"cancel-{intent_id}"}
            )
        except stripe.StripeError as exc:
            logger.warning(
                "could not cancel intent %s of %s: %s", intent_id, booking.reference, exc
            )
            try:
                intent = client.v1.payment_intents.retrieve(intent_id)
            except stripe.StripeError:
                result["failed"] += 1
                continue
        outcome = payment_sync_intent(intent=intent)
        if intent["status"] == "canceled":
            result["cancelled"] += 1
            logger.info("intent %s of cancelled booking %s cancelled", intent_id, booking.reference)
        elif intent["status"] == "succeeded":
            result["paid"] += 1
            logger.warning(
                "intent %s was paid before it could be cancelled: %s", intent_id, outcome
            )
        else:
            result["failed"] += 1
    return result


__all__ = [
    "RefundSource",
    "amount_due_now",
    "on_booking_amended",
    "on_booking_cancelled",
    "on_booking_confirmed",
    "payment_intent_for_booking",
    "payment_sync_intent",
]
