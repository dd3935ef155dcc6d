"""Demo payments (`manage.py seed_demo`), consistent with the demo bookings' states.

Seeding runs offline: nothing here calls Stripe or localstripe. Card payments are recorded
as already captured, with fake `pi_demo_…` / `ch_demo_…` ids and `is_demo=True` (the daily
reconciliation leaves them out); trade partners with an on-account contract get sales on
account instead. Idempotent: a booking that already has ledger rows is left alone. Without
demo bookings this does nothing."""

from decimal import Decimal

from django.utils import timezone

from bookings.models import Booking, BookingStatus, TradeContract

from .gateway import to_cents
from .ledger import ledger_record
from .models import (
    EntryKind,
    LedgerEntry,
    Method,
    Payment,
    PaymentStatus,
    Refund,
    RefundSource,
    RefundStatus,
    ScheduleStatus,
)
from .payouts import payables_release_due, payables_sync
from .schedule import schedule_ensure, schedule_mark_paid, schedule_on_account

SETTLED = (
    BookingStatus.CONFIRMED,
    BookingStatus.COMPLETED,
    BookingStatus.NO_SHOW,
    BookingStatus.CANCELLED,
)


def _card(booking: Booking) -> None:
    paid = booking.total_retail + booking.refund_due  # what was taken before any refund
    if paid <= 0 or (booking.status == BookingStatus.CANCELLED and not booking.confirmed_at):
        return
    items = schedule_ensure(booking=booking)
    payment = Payment.objects.create(
        booking=booking,
        schedule_item=items[0],
        method=Method.CARD,
        purpose=items[0].kind,
        amount=paid,
        status=PaymentStatus.SUCCEEDED,
        stripe_payment_intent_id=f"pi_demo_{booking.reference}",
        stripe_charge_id=f"ch_demo_{booking.reference}",
        is_demo=True,
        succeeded_at=booking.confirmed_at or timezone.now(),
    )
    ledger_record(
        kind=EntryKind.CHARGE,
        method=Method.CARD,
        amount_cents=to_cents(paid),
        booking=booking,
        stripe_id=payment.stripe_charge_id,
        payment=payment,
        note="Demo card payment",
        is_demo=True,
    )
    if booking.refund_due > 0:
        refund = Refund.objects.create(
            booking=booking,
            payment=payment,
            amount=booking.refund_due,
            source=RefundSource.CANCELLATION,
            reason="Demo cancellation",
            status=RefundStatus.SUCCEEDED,
            stripe_refund_id=f"re_demo_{booking.reference}",
            completed_at=timezone.now(),
        )
        ledger_record(
            kind=EntryKind.REFUND,
            method=Method.CARD,
            amount_cents=-to_cents(booking.refund_due),
            booking=booking,
            stripe_id=refund.stripe_refund_id,
            payment=payment,
            refund=refund,
            note="Demo refund",
            is_demo=True,
        )
    booking.payment_schedule.filter(status=ScheduleStatus.OPEN).update(
        amount=booking.total_retail if len(items) == 1 else items[-1].amount
    )
    schedule_mark_paid(booking=booking, paid=paid - booking.refund_due)


def _on_account(booking: Booking, contract: TradeContract) -> None:
    ledger_record(
        kind=EntryKind.ON_ACCOUNT,
        method=Method.ON_ACCOUNT,
        amount_cents=to_cents(booking.total_retail),
        booking=booking,
        counterparty=booking.buyer_organisation,
        external_ref=f"on_account:{booking.pk}",
        note="Demo booking on account",
        is_demo=True,
    )
    if booking.status != BookingStatus.CANCELLED:
        schedule_on_account(booking=booking, terms_days=contract.payment_terms_days)


def seed(context: dict) -> None:
    bookings = Booking.objects.filter(status__in=SETTLED).select_related("buyer_organisation")
    if not bookings.exists():
        return
    contracts = {c.organisation_id: c for c in TradeContract.objects.filter(on_account=True)}
    done = set(LedgerEntry.objects.values_list("booking_id", flat=True).distinct())
    created = 0
    for booking in bookings.order_by("pk"):
        if booking.pk in done or booking.total_retail + booking.refund_due <= Decimal("0"):
            continue
        contract = contracts.get(booking.buyer_organisation_id)
        if contract is not None:
            _on_account(booking, contract)
        else:
            _card(booking)
        payables_sync(booking_id=booking.pk)
        created += 1
    payables_release_due()
    context["payments"] = {"bookings_with_demo_payments": created}
