"""One computation of what an operator is owed, paid and due (`operator_balance`): the
monthly statements, the payout runs and the operator's page agree to the cent, with
no-shows, early redemptions, cancellation penalties, amendments and refunds."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.db.models import Sum
from django.utils import timezone

from accounts.demo import italian_iban
from accounts.models import Role
from bookings import services as booking_services
from invoices import adapters
from invoices.models import OperatorStatementLine
from operators.pricing import PaxMix
from payments.gateway import to_cents
from payments.models import EntryKind, LedgerEntry, OperatorPayable, PayableKind, PayableStatus
from payments.payouts import payables_release_due, payout_run_create, payout_run_mark_paid
from payments.refunds import refund_create
from payments.selectors import operator_balance
from tests.bookings.factories import hold_experience
from tests.factories import MembershipFactory, OrganisationFactory

from .helpers import pay

pytestmark = pytest.mark.django_db


def _months(first: date, last: date) -> list[tuple[int, int]]:
    months, cursor = [], first.replace(day=1)
    while cursor <= last:
        months.append((cursor.year, cursor.month))
        cursor = (cursor + timedelta(days=32)).replace(day=1)
    return months


def _booking(operator, capture, *, adults=2, days_ahead=10):
    with capture(execute=True):
        booking = hold_experience(adults=adults, organisation=operator, days_ahead=days_ahead)
        pay(booking)
    booking.refresh_from_db()
    return booking


def test_a_month_of_no_shows_penalties_amendments_and_refunds_agrees_to_the_cent(
    localstripe, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    guide = OrganisationFactory(name="Lucca Guide", iban=italian_iban(31))
    _booking(guide, capture, days_ahead=3)  # served: 60.00 retail, 48.00 net
    no_show = _booking(guide, capture, days_ahead=3)
    early = _booking(guide, capture, adults=3, days_ahead=40)  # redeemed before its day
    late_cancel = _booking(guide, capture, days_ahead=3)
    amended = _booking(guide, capture, adults=3, days_ahead=5)
    goodwill = _booking(guide, capture, days_ahead=5)

    # A no-show (recorded after its day) is still the operator's money.
    with time_machine.travel(timezone.now() + timedelta(days=4), tick=False):
        booking_services.booking_complete(booking=no_show, no_show=True)
    # Redeemed today, 40 days early: owed from today, paid in today's run.
    early.lines.update(redeemed_at=timezone.now())
    # A late cancellation keeps a penalty: the operator's share follows the sale's split.
    with capture(execute=True):
        result = booking_services.booking_cancel(booking=late_cancel, reason="buyer")
    assert result.penalty > 0
    # An amendment before the service (3 -> 2 adults): the payable follows, the buyer is
    # refunded the difference; a goodwill refund by the DMC does not touch the operator.
    with capture(execute=True):
        booking_services.booking_amend(line=amended.lines.get(), pax=PaxMix.of(adults=2))
    refund_create(booking=goodwill, amount="5.00", reason="Late start")

    late_line = late_cancel.lines.get()
    late_line.refresh_from_db()
    share = (late_line.net_amount * late_line.penalty_amount / late_line.retail_amount).quantize(
        Decimal("0.01")
    )
    payable = OperatorPayable.objects.get(line=late_line)
    assert (payable.amount, payable.status) == (share, PayableStatus.PAYABLE)
    assert OperatorPayable.objects.get(booking=amended).amount == Decimal("48.00")
    assert OperatorPayable.objects.get(booking=goodwill).amount == Decimal("48.00")

    # Today's run pays what is owed today: the early redemption and the penalty share.
    payables_release_due()
    first_run = payout_run_create()
    assert first_run.items.get().amount == Decimal("72.00") + share
    payout_run_mark_paid(run=first_run)

    # The early-redeemed booking is then amended down (3 -> 2): 24.00 paid too much is an
    # adjustment deducted from the next run, never a rewrite of what was paid.
    with capture(execute=True):
        booking_services.booking_amend(line=early.lines.get(), pax=PaxMix.of(adults=2))
    adjustment = OperatorPayable.objects.get(booking=early, kind=PayableKind.ADJUSTMENT)
    assert (adjustment.amount, adjustment.status) == (Decimal("-24.00"), PayableStatus.PAYABLE)

    # After every service: the second run pays the rest, net of the adjustment.
    payables_release_due(today=timezone.localdate() + timedelta(days=50))
    second_run = payout_run_create()
    payout_run_mark_paid(run=second_run)
    assert second_run.items.get().amount == Decimal("48.00") * 4 - Decimal("24.00")

    # Payables = payouts (ledger) to the cent.
    live = OperatorPayable.objects.filter(operator=guide).exclude(status=PayableStatus.CANCELLED)
    assert live.exclude(status=PayableStatus.PAID).count() == 0
    payables_total = live.aggregate(t=Sum("amount"))["t"]
    paid_cents = -LedgerEntry.objects.filter(kind=EntryKind.PAYOUT, counterparty=guide).aggregate(
        t=Sum("amount_cents")
    )["t"]
    assert to_cents(payables_total) == paid_cents
    assert payables_total == Decimal("48.00") * 4 + Decimal("72.00") - Decimal("24.00") + share

    # Statements of every month involved: owed = payables, paid = payouts, and the balances
    # chain from month to month and end at zero.
    today = timezone.localdate()
    owed_total, paid_total, opening = Decimal("0"), Decimal("0"), Decimal("0")
    for year, month in _months(today, today + timedelta(days=41)):
        statement = adapters.statement_for_operator(operator=guide, year=year, month=month)
        assert statement.opening_balance == opening
        lines_net = sum((line.net for line in statement.lines.all()), Decimal("0"))
        assert statement.net_total == lines_net
        assert statement.balance == opening + statement.net_total - statement.payouts_total
        balance = operator_balance(
            operator=guide, start=statement.period_start, end=_next_month(statement.period_start)
        )
        assert (balance.owed, balance.paid, balance.due) == (
            statement.net_total,
            statement.payouts_total,
            statement.balance,
        )
        owed_total += statement.net_total
        paid_total += statement.payouts_total
        opening = statement.balance
    assert owed_total == payables_total
    assert to_cents(paid_total) == paid_cents
    assert opening == Decimal("0.00")

    kinds = set(OperatorStatementLine.objects.values_list("kind", flat=True))
    assert {"service", "no_show", "early_redemption", "penalty_share", "amendment"} <= kinds


def _next_month(day: date) -> date:
    return (day.replace(day=1) + timedelta(days=32)).replace(day=1)


def test_payouts_paid_while_a_run_is_unfinished_are_on_the_statement(
    localstripe, django_capture_on_commit_callbacks
):
    """The hotel's statement said "no payouts": its SEPA payout was paid, but the run was
    not closed (a Connect item was pending), and statements looked at the run's date."""
    from payments.models import PayoutItemStatus, PayoutProfile

    hotel = OrganisationFactory(name="Hotel", iban=italian_iban(32))
    bikes = OrganisationFactory(name="Bikes")
    PayoutProfile.objects.create(organisation=bikes, stripe_account_id="acct_1QpLxY4FsVh2n0Lb")
    for operator in (hotel, bikes):
        _booking(operator, django_capture_on_commit_callbacks, days_ahead=3)
    payables_release_due(today=timezone.localdate() + timedelta(days=5))
    run = payout_run_create()
    payout_run_mark_paid(run=run)  # SEPA paid; the Connect transfer still pending
    assert run.items.get(operator=bikes).status == PayoutItemStatus.PENDING
    today = timezone.localdate()
    statement = adapters.statement_for_operator(operator=hotel, year=today.year, month=today.month)
    assert [p.amount for p in statement.payouts.all()] == [Decimal("48.00")]
    assert statement.payouts_total == Decimal("48.00")


def test_the_operator_sees_money_received_as_positive(
    localstripe, django_capture_on_commit_callbacks, client
):
    guide = OrganisationFactory(iban=italian_iban(33))
    booking = _booking(guide, django_capture_on_commit_callbacks, days_ahead=3)
    booking.lines.update(redeemed_at=timezone.now())
    payables_release_due()
    payout_run_mark_paid(run=payout_run_create())
    client.force_login(MembershipFactory(organisation=guide, role=Role.OWNER).user)
    html = client.get("/en/operator/payouts/").content.decode()
    assert 'class="num payout-amount">€ 48.00' in html
    assert "-48" not in html and "−48" not in html
    assert 'id="paid">€ 48.00' in html and 'id="payable">€ 0.00' in html
    assert "Redeemed early" in html
