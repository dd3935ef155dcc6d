"""The ledger's view of bookings for the booking pages, emails and lists; registered into
bookings.money in PaymentsConfig.ready() so that bookings never imports payments."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import DecimalField, IntegerField, OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce

from bookings.models import BookingStatus
from bookings.money import MoneySummary, PaymentState

from .gateway import from_cents
from .models import BUYER_PAYMENT_KINDS, EntryKind, LedgerEntry, Refund, RefundStatus

ZERO = Decimal("0")


def _cents(qs) -> int:
    return qs.aggregate(t=Coalesce(Sum("amount_cents"), 0))["t"]


def _amount(qs) -> Decimal:
    return qs.aggregate(t=Coalesce(Sum("amount"), ZERO))["t"]


def booking_money_summary(booking) -> MoneySummary:
    entries = LedgerEntry.objects.filter(booking=booking)
    refunds = Refund.objects.filter(booking=booking)
    credits = -_cents(entries.filter(kind=EntryKind.ON_ACCOUNT, amount_cents__lt=0))
    return MoneySummary(
        paid=from_cents(_cents(entries.filter(kind__in=BUYER_PAYMENT_KINDS))),
        refunded=from_cents(-_cents(entries.filter(kind=EntryKind.REFUND)) + credits),
        refund_pending=_amount(refunds.filter(status=RefundStatus.PENDING)),
        refund_failed=_amount(refunds.filter(status=RefundStatus.FAILED)),
        on_account=entries.filter(kind=EntryKind.ON_ACCOUNT).exists(),
    )


def _subtotal(kind_filter: dict, field="amount_cents", model=LedgerEntry):
    return Coalesce(
        Subquery(
            model.objects.filter(booking=OuterRef("pk"), **kind_filter)
            .order_by()
            .values("booking")
            .annotate(t=Sum(field))
            .values("t"),
            output_field=IntegerField()
            if field == "amount_cents"
            else DecimalField(max_digits=12, decimal_places=2),
        ),
        0 if field == "amount_cents" else ZERO,
    )


def payment_states(bookings) -> dict[int, str]:
    """{booking pk: PaymentState} for a page of bookings, in one query."""
    from bookings.models import Booking

    rows = Booking.objects.filter(pk__in=[b.pk for b in bookings]).annotate(
        paid_cents=_subtotal({"kind__in": BUYER_PAYMENT_KINDS}),
        refunded_cents=_subtotal({"kind": EntryKind.REFUND}),
        credit_cents=_subtotal({"kind": EntryKind.ON_ACCOUNT, "amount_cents__lt": 0}),
        sold_on_account_cents=_subtotal({"kind": EntryKind.ON_ACCOUNT, "amount_cents__gt": 0}),
        pending=_subtotal({"status": RefundStatus.PENDING}, "amount", Refund),
        failed=_subtotal({"status": RefundStatus.FAILED}, "amount", Refund),
    )
    states = {}
    for b in rows:
        refunded = from_cents(-b.refunded_cents - b.credit_cents)
        if b.refund_due > 0:
            outstanding = b.refund_due - refunded - b.pending
            if outstanding > 0 and b.failed:
                states[b.pk] = PaymentState.REFUND_FAILED
            elif b.pending:
                states[b.pk] = PaymentState.REFUND_PENDING
            elif outstanding > 0:
                states[b.pk] = PaymentState.REFUND_DUE
            else:
                states[b.pk] = PaymentState.REFUNDED
        elif b.sold_on_account_cents:
            states[b.pk] = PaymentState.ON_ACCOUNT
        elif b.total_retail <= 0 or b.status == BookingStatus.CANCELLED and not b.paid_cents:
            states[b.pk] = PaymentState.NOTHING_DUE
        elif from_cents(b.paid_cents) >= b.total_retail:
            states[b.pk] = PaymentState.PAID
        elif b.paid_cents > 0:
            states[b.pk] = PaymentState.PARTLY_PAID
        else:
            states[b.pk] = PaymentState.UNPAID
    return states
