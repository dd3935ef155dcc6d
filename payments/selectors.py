"""Read side of payments: balances and reports are sums over the ledger."""

from __future__ import annotations

from decimal import Decimal

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

from bookings.models import Booking, TradeContract

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
        paid_cents=Coalesce(Subquery(paid), 0)
    )
    if search:
        qs = qs.filter(Q(reference__iexact=search.strip()) | Q(contact_name__icontains=search))
    else:
        qs = qs.filter(
            Exists(Payment.objects.filter(booking=OuterRef("pk")))
            | Exists(LedgerEntry.objects.filter(booking=OuterRef("pk")))
        )
    return qs.order_by("-created_at")


def operator_money(organisation) -> dict:
    """An operator's payable, paid and upcoming amounts (its extranet page)."""
    payables = OperatorPayable.objects.filter(operator=organisation).select_related(
        "booking", "line", "payout_item__run"
    )
    totals = dict(payables.order_by().values_list("status").annotate(t=Sum("amount")))
    return {
        "upcoming": totals.get(PayableStatus.ACCRUED, Decimal("0")),
        "payable": totals.get(PayableStatus.PAYABLE, Decimal("0"))
        + totals.get(PayableStatus.IN_RUN, Decimal("0")),
        "paid": totals.get(PayableStatus.PAID, Decimal("0")),
        "payables": list(
            payables.exclude(status=PayableStatus.CANCELLED).order_by("-service_date")
        ),
        "payouts": list(
            LedgerEntry.objects.filter(counterparty=organisation, kind=EntryKind.PAYOUT).order_by(
                "-booked_on"
            )
        ),
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


def operator_payouts_paid(*, operator, start, end) -> list[dict]:
    """Payouts paid to an operator with the payment date in [start, end): for statements."""
    from .models import PayoutItem, PayoutItemStatus

    items = (
        PayoutItem.objects.filter(
            operator=operator,
            status=PayoutItemStatus.PAID,
            run__paid_at__date__gte=start,
            run__paid_at__date__lt=end,
        )
        .select_related("run")
        .order_by("run__paid_at", "pk")
    )
    return [
        {
            "paid_on": timezone.localtime(item.run.paid_at).date(),
            "reference": item.stripe_transfer_id
            or item.run.sepa_message_id
            or f"RUN-{item.run_id}",
            "amount": item.amount,
        }
        for item in items
    ]


def bank_transactions_unmatched() -> QuerySet[BankTransaction]:
    """Bank lines not matched to a booking yet (credits only are imported), oldest first."""
    return BankTransaction.objects.filter(ledger_entry__isnull=True).order_by("booked_on", "pk")
