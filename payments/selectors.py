"""Read side of payments: balances and reports are sums over the ledger."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db import models
from django.db.models import (
    Case,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bookings.models import Booking, TradeContract
from operators.pricing import money

from .gateway import from_cents
from .models import (
    BUYER_PAYMENT_KINDS,
    BankTransaction,
    EntryKind,
    LedgerEntry,
    Method,
    OperatorPayable,
    PayableStatus,
    Payment,
    PaymentStatus,
    Refund,
    RefundStatus,
    ScheduleItem,
    ScheduleStatus,
)

CAPTURE_KINDS = (EntryKind.CHARGE, EntryKind.DEPOSIT, EntryKind.BALANCE)


def _sum(qs, field="amount_cents") -> int:
    return int(qs.aggregate(total=Coalesce(Sum(field), 0))["total"])


def booking_paid_cents(booking: Booking) -> int:
    """What the buyer has paid for the booking, net of refunds."""
    return _sum(LedgerEntry.objects.filter(booking=booking, kind__in=BUYER_PAYMENT_KINDS))


def booking_paid(booking: Booking) -> Decimal:
    return from_cents(booking_paid_cents(booking))


def booking_captured_cents(booking: Booking) -> int:
    """Card money captured through Stripe for the booking (before refunds)."""
    return _sum(
        LedgerEntry.objects.filter(booking=booking, kind__in=CAPTURE_KINDS, method=Method.CARD)
    )


def booking_refunded_card(booking: Booking) -> Decimal:
    """Card refunds done or in flight (pending rows count: they are reserved)."""
    total = Refund.objects.filter(booking=booking).exclude(status=RefundStatus.FAILED)
    return total.aggregate(t=Coalesce(Sum("amount"), Decimal("0")))["t"]


def partner_outstanding_cents(organisation) -> int:
    """What a trade partner owes on account: sales on account minus its receipts."""
    return _sum(
        LedgerEntry.objects.filter(
            counterparty=organisation, kind__in=(EntryKind.ON_ACCOUNT, EntryKind.RECEIPT)
        ).annotate(
            signed=Case(
                When(kind=EntryKind.RECEIPT, then=-F("amount_cents")),
                default=F("amount_cents"),
                output_field=IntegerField(),
            )
        ),
        "signed",
    )


def partner_outstanding(organisation) -> Decimal:
    return from_cents(partner_outstanding_cents(organisation))


def partner_credit_left(organisation) -> Decimal:
    contract = TradeContract.objects.filter(organisation=organisation).first()
    limit = contract.credit_limit if contract else Decimal("0")
    return limit - partner_outstanding(organisation)


def credit_exposure() -> list[dict]:
    """Every trade partner with a contract: limit, outstanding, credit left, overdue items."""
    contracts = TradeContract.objects.select_related("organisation").order_by("organisation__name")
    outstanding = dict(
        LedgerEntry.objects.filter(kind__in=(EntryKind.ON_ACCOUNT, EntryKind.RECEIPT))
        .values_list("counterparty")
        .annotate(
            total=Sum(
                Case(
                    When(kind=EntryKind.RECEIPT, then=-F("amount_cents")),
                    default=F("amount_cents"),
                    output_field=IntegerField(),
                )
            )
        )
    )
    from django.utils import timezone

    today = timezone.localdate()
    overdue = dict(
        ScheduleItem.objects.filter(status=ScheduleStatus.OPEN, due_date__lt=today)
        .values_list("booking__buyer_organisation")
        .annotate(total=Sum("amount"))
    )
    rows = []
    for contract in contracts:
        org = contract.organisation
        owed = from_cents(outstanding.get(org.pk) or 0)
        rows.append(
            {
                "organisation": org,
                "contract": contract,
                "limit": contract.credit_limit,
                "outstanding": owed,
                "credit_left": contract.credit_limit - owed,
                "overdue": overdue.get(org.pk) or Decimal("0"),
                "utilisation": (
                    int(owed * 100 / contract.credit_limit) if contract.credit_limit else 0
                ),
            }
        )
    return rows


def ledger_for(*, counterparty=None, booking=None, kinds=None) -> QuerySet[LedgerEntry]:
    qs = LedgerEntry.objects.select_related("booking", "counterparty", "created_by")
    if counterparty is not None:
        qs = qs.filter(counterparty=counterparty)
    if booking is not None:
        qs = qs.filter(booking=booking)
    if kinds:
        qs = qs.filter(kind__in=kinds)
    return qs.order_by("-booked_on", "-pk")


def ledger_totals_by_kind(qs: QuerySet[LedgerEntry]) -> dict[str, Decimal]:
    """{kind label: total} of the filtered rows."""
    labels = dict(EntryKind.choices)
    return {
        labels.get(kind, kind): from_cents(total)
        for kind, total in qs.order_by("kind").values_list("kind").annotate(t=Sum("amount_cents"))
    }


def counterparties_with_ledger() -> list[dict]:
    rows = (
        LedgerEntry.objects.filter(counterparty__isnull=False)
        .values("counterparty", "counterparty__name", "counterparty__kind")
        .annotate(entries=Sum(Value(1)), cash=Sum("amount_cents", filter=~Q(kind="on_account")))
        .order_by("counterparty__name")
    )
    return list(rows)


def booking_payments_overview(booking: Booking) -> dict:
    return {
        "payments": list(booking.payments.select_related("schedule_item").order_by("-created_at")),
        "refunds": list(booking.refunds.select_related("requested_by").order_by("-created_at")),
        "schedule": list(booking.payment_schedule.order_by("position")),
        "ledger": list(ledger_for(booking=booking)),
        "paid": booking_paid(booking),
        "captured": from_cents(booking_captured_cents(booking)),
        "refunded": booking_refunded_card(booking),
        "attention": list(booking.payment_attention.order_by("-created_at")),
    }


def bookings_with_payments(search: str = "") -> QuerySet[Booking]:
    """Bookings with their net paid amount. Subqueries, not joins: a join on payments and
    ledger rows together would count each ledger row once per payment."""
    from .models import Payment

    paid = (
        LedgerEntry.objects.filter(booking=OuterRef("pk"), kind__in=BUYER_PAYMENT_KINDS)
        .values("booking")
        .annotate(total=Sum("amount_cents"))
        .values("total")
    )
    qs = Booking.objects.select_related("buyer_organisation").annotate(
        paid_cents=Coalesce(Subquery(paid), 0),
        refund_failed=Exists(
            Refund.objects.filter(
                booking=OuterRef("pk"), status=RefundStatus.FAILED, retry__isnull=True
            )
        ),
    )
    if search:
        qs = qs.filter(Q(reference__iexact=search.strip()) | Q(contact_name__icontains=search))
    else:
        qs = qs.filter(
            Exists(Payment.objects.filter(booking=OuterRef("pk")))
            | Exists(LedgerEntry.objects.filter(booking=OuterRef("pk")))
        )
    return qs.order_by("-created_at", "-pk")


def operator_money(organisation) -> dict:
    """An operator's money page: everything to date through `operator_balance`, and the
    payables coming with confirmed bookings."""
    balance = operator_balance(operator=organisation)
    in_run = OperatorPayable.objects.filter(
        operator=organisation, status=PayableStatus.IN_RUN
    ).aggregate(t=Sum("amount"))["t"] or Decimal("0")
    upcoming_rows = (
        OperatorPayable.objects.filter(operator=organisation, status=PayableStatus.ACCRUED)
        .exclude(pk__in=[r.payable.pk for r in balance.rows])
        .select_related("booking", "line")
        .order_by("service_date", "pk")
    )
    return {
        "balance": balance,
        "upcoming": balance.upcoming,
        "payable": balance.due,
        "in_run": money(in_run),
        "paid": balance.paid,
        "owed": balance.owed,
        "rows": list(reversed(balance.rows)),
        "upcoming_rows": list(upcoming_rows),
        "payouts": list(reversed(balance.payouts)),
    }


def partner_account(organisation) -> dict:
    open_items = (
        ScheduleItem.objects.filter(
            booking__buyer_organisation=organisation, status=ScheduleStatus.OPEN
        )
        .select_related("booking")
        .order_by("due_date")
    )
    contract = TradeContract.objects.filter(organisation=organisation).first()
    outstanding = partner_outstanding(organisation)
    limit = contract.credit_limit if contract else Decimal("0")
    return {
        "contract": contract,
        "outstanding": outstanding,
        "limit": limit,
        "credit_left": limit - outstanding,
        "open_items": list(open_items),
        "ledger": list(ledger_for(counterparty=organisation)[:100]),
    }


def open_card_payment(item: ScheduleItem) -> Payment | None:
    return (
        Payment.objects.filter(schedule_item=item, method=Method.CARD).order_by("-attempt").first()
    )


def succeeded_card_payments(booking: Booking) -> QuerySet[Payment]:
    return Payment.objects.filter(
        booking=booking, method=Method.CARD, status=PaymentStatus.SUCCEEDED
    ).order_by("-succeeded_at", "-pk")


def bank_transactions_unmatched() -> QuerySet[BankTransaction]:
    """Bank lines not matched to a booking yet (credits only are imported), oldest first."""
    return BankTransaction.objects.filter(ledger_entry__isnull=True).order_by("booked_on", "pk")


# --- what an operator is owed, paid and due ------------------------------------------------

LIVE_PAYABLE_STATUSES = (
    PayableStatus.ACCRUED,
    PayableStatus.PAYABLE,
    PayableStatus.IN_RUN,
    PayableStatus.PAID,
)


def payables_payable_now() -> QuerySet[OperatorPayable]:
    """The rows a payout run pays: released (owed) and not yet in a run."""
    return OperatorPayable.objects.filter(status=PayableStatus.PAYABLE)


class OwedKind(models.TextChoices):
    SERVICE = "service", _("Service")
    NO_SHOW = "no_show", _("No-show")
    EARLY_REDEMPTION = "early_redemption", _("Redeemed early")
    PENALTY_SHARE = "penalty_share", _("Cancellation penalty (your share)")
    AMENDMENT = "amendment", _("Amendment")
    CANCELLED_AFTER_PAYOUT = "cancellation_after_payout", _("Cancelled after payout")


def payable_kind(payable: OperatorPayable) -> str:
    """What a payable row is, in the operator's words (statement, payouts page)."""
    from bookings.models import BookingStatus, LineStatus

    line = payable.line
    if payable.kind == "adjustment":
        if payable.note == OwedKind.CANCELLED_AFTER_PAYOUT:
            return OwedKind.CANCELLED_AFTER_PAYOUT
        return OwedKind.AMENDMENT
    if payable.note == "penalty_share" or line.status == LineStatus.CANCELLED:
        return OwedKind.PENALTY_SHARE
    if line.status == LineStatus.NO_SHOW or payable.booking.status == BookingStatus.NO_SHOW:
        return OwedKind.NO_SHOW
    if line.redeemed_at and payable.earned_on and payable.earned_on < payable.service_date:
        return OwedKind.EARLY_REDEMPTION
    return OwedKind.SERVICE


@dataclass
class BalanceRow:
    """One amount owed to the operator: a payable row with what it is."""

    payable: OperatorPayable
    kind: str
    booking_reference: str
    earned_on: date
    product: str
    gross: Decimal
    commission: Decimal
    net: Decimal

    @property
    def label(self) -> str:
        return OwedKind(self.kind).label


@dataclass
class PayoutRow:
    paid_on: date
    reference: str
    method: str
    amount: Decimal  # money received by the operator: positive
    payables: list = field(default_factory=list)


@dataclass
class OperatorBalance:
    """What an operator was owed, was paid and is due for a period [start, end).
    `due = opening + owed - paid`, where opening is what was due when the period began."""

    operator: object
    start: date | None
    end: date | None
    opening: Decimal
    owed: Decimal
    gross: Decimal
    commission: Decimal
    paid: Decimal
    due: Decimal
    upcoming: Decimal
    rows: list[BalanceRow]
    payouts: list[PayoutRow]


def _owed_rows(operator, start, end) -> QuerySet[OperatorPayable]:
    qs = OperatorPayable.objects.filter(
        operator=operator, status__in=LIVE_PAYABLE_STATUSES, earned_on__isnull=False
    )
    if end is not None:
        qs = qs.filter(earned_on__lt=end)
    if start is not None:
        qs = qs.filter(earned_on__gte=start)
    return qs


def _payout_entries(operator, start, end) -> QuerySet[LedgerEntry]:
    qs = LedgerEntry.objects.filter(counterparty=operator, kind=EntryKind.PAYOUT)
    if end is not None:
        qs = qs.filter(booked_on__lt=end)
    if start is not None:
        qs = qs.filter(booked_on__gte=start)
    return qs


def operator_balance(*, operator, start: date | None = None, end: date | None = None):
    """The one computation of an operator's money: the rows owed in [start, end) (services
    by their day or an earlier redemption, no-shows, shares of cancellation penalties,
    adjustments for amendments and cancellations after a payout), the payouts made in it
    (from the ledger), and what is due. Statements, payout runs and the operator's page
    use it, so they agree to the cent. Without bounds: everything to date."""
    end_for_owed = end or timezone.localdate() + timedelta(days=1)
    rows_qs = (
        _owed_rows(operator, start, end_for_owed)
        .select_related("line", "line__parent", "booking")
        .order_by("earned_on", "booking__reference", "pk")
    )
    rows = [
        BalanceRow(
            payable=p,
            kind=payable_kind(p),
            booking_reference=p.booking.reference,
            earned_on=p.earned_on,
            product=(
                f"{p.line.title} ({p.line.parent.title})" if p.line.parent_id else p.line.title
            )[:180],
            gross=p.amount + p.commission,
            commission=p.commission,
            net=p.amount,
        )
        for p in rows_qs
    ]
    entries = (
        _payout_entries(operator, start, end_for_owed)
        .select_related("payout_item__run")
        .order_by("booked_on", "pk")
    )
    item_ids = [e.payout_item_id for e in entries if e.payout_item_id]
    behind: dict[int, list] = {}
    for p in OperatorPayable.objects.filter(payout_item_id__in=item_ids).select_related("booking"):
        behind.setdefault(p.payout_item_id, []).append(p)
    payouts = [
        PayoutRow(
            paid_on=e.booked_on,
            reference=(
                e.stripe_id
                or (e.payout_item.run.sepa_message_id if e.payout_item_id else "")
                or (f"RUN-{e.payout_item.run_id}" if e.payout_item_id else e.external_ref)
            )[:100],
            method=e.method,
            amount=from_cents(-e.amount_cents),
            payables=behind.get(e.payout_item_id, []),
        )
        for e in entries
    ]
    if start is None:
        opening = Decimal("0.00")
    else:
        owed_before = _owed_rows(operator, None, start).aggregate(t=Sum("amount"))["t"] or 0
        paid_before = _sum(_payout_entries(operator, None, start))
        opening = money(Decimal(owed_before) + from_cents(paid_before))
    owed = money(sum((r.net for r in rows), Decimal("0")))
    paid = money(sum((p.amount for p in payouts), Decimal("0")))
    upcoming = OperatorPayable.objects.filter(
        operator=operator, status=PayableStatus.ACCRUED, earned_on__gte=end_for_owed
    ).aggregate(t=Sum("amount"))["t"] or Decimal("0")
    return OperatorBalance(
        operator=operator,
        start=start,
        end=end,
        opening=opening,
        owed=owed,
        gross=money(sum((r.gross for r in rows), Decimal("0"))),
        commission=money(sum((r.commission for r in rows), Decimal("0"))),
        paid=paid,
        due=money(opening + owed - paid),
        upcoming=money(upcoming),
        rows=rows,
        payouts=payouts,
    )


def operators_with_money_in(start: date, end: date) -> list[int]:
    """Operators with anything owed or paid in [start, end): who gets a statement."""
    owed = OperatorPayable.objects.filter(
        status__in=LIVE_PAYABLE_STATUSES, earned_on__gte=start, earned_on__lt=end
    ).values_list("operator_id", flat=True)
    paid = LedgerEntry.objects.filter(
        kind=EntryKind.PAYOUT, booked_on__gte=start, booked_on__lt=end, counterparty__isnull=False
    ).values_list("counterparty_id", flat=True)
    return sorted(set(owed) | set(paid))
