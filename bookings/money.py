"""What the booking pages and emails say about money, read from the payments ledger.

`bookings` does not import `payments` (payments depends on bookings): the payments app
registers its read functions here in its AppConfig.ready(). Without them (bookings alone)
the pages fall back to the amounts recorded on the booking."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

ZERO = Decimal("0")


class PaymentState:
    """A booking's payment status as the back office lists it (codes, labels below)."""

    NOTHING_DUE = "nothing_due"
    UNPAID = "unpaid"
    PARTLY_PAID = "partly_paid"
    PAID = "paid"
    ON_ACCOUNT = "on_account"
    REFUND_DUE = "refund_due"
    REFUND_PENDING = "refund_pending"
    REFUND_FAILED = "refund_failed"
    REFUNDED = "refunded"

    LABELS = {
        NOTHING_DUE: _("Nothing due"),
        UNPAID: _("Unpaid"),
        PARTLY_PAID: _("Partly paid"),
        PAID: _("Paid"),
        ON_ACCOUNT: _("On account"),
        REFUND_DUE: _("Refund due"),
        REFUND_PENDING: _("Refund in progress"),
        REFUND_FAILED: _("Refund failed"),
        REFUNDED: _("Refunded"),
    }


@dataclass
class MoneySummary:
    """Ledger figures of one booking (EUR)."""

    paid: Decimal = ZERO  # the buyer's payments net of refunds
    refunded: Decimal = ZERO  # refunds that succeeded, and credits on account
    refund_pending: Decimal = ZERO
    refund_failed: Decimal = ZERO
    on_account: bool = False
    from_ledger: bool = True


@dataclass
class RefundView:
    due: Decimal  # what the cancellations left to give back
    refunded: Decimal
    pending: Decimal
    failed: Decimal
    outstanding: Decimal  # still to be refunded (neither done nor in flight)


_providers: dict[str, Callable] = {}


def register_money_provider(*, summary: Callable, states: Callable) -> None:
    """summary(booking) -> MoneySummary; states(bookings) -> {booking pk: PaymentState}."""
    _providers["summary"] = summary
    _providers["states"] = states


def booking_money(booking) -> MoneySummary:
    provider = _providers.get("summary")
    if provider is None:
        return MoneySummary(from_ledger=False)
    return provider(booking)


def booking_refund_view(booking, summary: MoneySummary | None = None) -> RefundView:
    """The refund the booking's cancellations owe, and how much of it the ledger shows done."""
    summary = summary or booking_money(booking)
    due = booking.refund_due or ZERO
    if not summary.from_ledger:
        return RefundView(due, ZERO, ZERO, ZERO, due)
    outstanding = max(due - summary.refunded - summary.refund_pending, ZERO)
    return RefundView(
        due, summary.refunded, summary.refund_pending, summary.refund_failed, outstanding
    )


def payment_states(bookings) -> dict[int, str]:
    provider = _providers.get("states")
    return provider(bookings) if provider else {}
