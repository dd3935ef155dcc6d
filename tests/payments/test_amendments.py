"""An amendment that changes the booking's total: on account, a new sale-on-account row for
the difference (old rows untouched); by card, a new balance instalment for an increase and
the refund of the difference (localstripe) for a decrease."""

from decimal import Decimal

import pytest
from django.utils import timezone

from bookings import services as booking_services
from bookings.models import TradeContract
from operators.pricing import PaxMix
from payments.credit import booking_confirm_on_account
from payments.gateway import stripe_client
from payments.models import (
    EntryKind,
    LedgerEntry,
    Method,
    Refund,
    RefundSource,
    ScheduleItem,
    ScheduleStatus,
)
from payments.selectors import booking_paid, partner_outstanding
from payments.services import on_booking_amended
from tests.bookings.factories import hold_experience
from tests.factories import OrganisationFactory

from .helpers import pay

pytestmark = pytest.mark.django_db


def _amend(booking, adults, capture):
    line = booking.lines.get()
    with capture(execute=True):
        booking_services.booking_amend(line=line, pax=PaxMix.of(adults=adults))
    booking.refresh_from_db()
    return booking


def test_an_increase_on_a_paid_card_booking_is_a_new_balance_due(
    localstripe, django_capture_on_commit_callbacks
):
    booking = hold_experience(adults=2, capacity=10)
    pay(booking)  # 60.00 paid in full
    before = list(ScheduleItem.objects.filter(booking=booking).values_list("pk", "amount"))
    _amend(booking, 3, django_capture_on_commit_callbacks)
    assert booking.total_retail == Decimal("90.00")
    items = list(booking.payment_schedule.order_by("position"))
    assert [(i.pk, i.amount) for i in items[:-1]] == before  # old instalments untouched
    new = items[-1]
    assert (new.kind, new.amount, new.status) == ("balance", Decimal("30.00"), ScheduleStatus.OPEN)
    assert new.due_date == timezone.localdate()
    on_booking_amended(booking.pk)  # idempotent
    assert booking.payment_schedule.count() == len(items)
    payment, _intent = pay(booking)
    assert payment.amount == Decimal("30.00") and payment.purpose == "balance"
    assert booking_paid(booking) == Decimal("90.00")


def test_a_decrease_on_a_paid_card_booking_refunds_the_difference(
    localstripe, django_capture_on_commit_callbacks
):
    booking = hold_experience(adults=3, capacity=10)
    pay(booking)  # 90.00
    _amend(booking, 2, django_capture_on_commit_callbacks)
    refund = Refund.objects.get(booking=booking)
    assert (refund.source, refund.amount, refund.status) == (
        RefundSource.AMENDMENT,
        Decimal("30.00"),
        "succeeded",
    )
    assert [r["amount"] for r in stripe_client().v1.refunds.list().data] == [3000]
    assert LedgerEntry.objects.get(kind=EntryKind.REFUND).amount_cents == -3000
    assert booking_paid(booking) == Decimal("60.00")
    with django_capture_on_commit_callbacks(execute=True):
        on_booking_amended(booking.pk)  # run again: nothing more is refunded
    assert Refund.objects.filter(booking=booking).count() == 1


def _group(days_ahead=60, adults=10):
    partner = OrganisationFactory(kind="trade", subkind="tour_operator")
    TradeContract.objects.create(
        organisation=partner, deposit_percent=Decimal("30"), balance_days_before=30
    )
    return hold_experience(
        adults=adults, capacity=20, buyer_organisation=partner, channel="trade", days_ahead=60
    )


def test_with_only_the_deposit_paid_the_open_balance_follows(
    localstripe, django_capture_on_commit_callbacks
):
    booking = _group()  # 300.00: deposit 90 paid, balance 210 open
    pay(booking)
    balance = ScheduleItem.objects.get(booking=booking, kind="balance")
    _amend(booking, 8, django_capture_on_commit_callbacks)  # 240.00
    balance.refresh_from_db()
    assert balance.amount == Decimal("150.00") and not Refund.objects.exists()
    _amend(booking, 12, django_capture_on_commit_callbacks)  # 360.00
    extra = booking.payment_schedule.order_by("position").last()
    assert (extra.kind, extra.amount, extra.due_date) == (
        "balance",
        Decimal("120.00"),
        balance.due_date,
    )
    open_total = sum(i.amount for i in booking.payment_schedule.filter(status="open"))
    assert open_total + booking_paid(booking) == Decimal("360.00")


def test_an_on_account_booking_gets_a_new_ledger_row_for_each_difference(
    django_capture_on_commit_callbacks,
):
    partner = OrganisationFactory(kind="trade", subkind="tour_operator")
    TradeContract.objects.create(
        organisation=partner, on_account=True, credit_limit=Decimal("1000"), deposit_percent=0
    )
    booking = hold_experience(adults=2, buyer_organisation=partner, channel="trade", capacity=10)
    booking_confirm_on_account(booking=booking, organisation=partner)
    first = LedgerEntry.objects.get(kind=EntryKind.ON_ACCOUNT)
    assert first.amount_cents == 6000
    _amend(booking, 5, django_capture_on_commit_callbacks)  # 150.00
    _amend(booking, 4, django_capture_on_commit_callbacks)  # 120.00
    rows = list(
        LedgerEntry.objects.filter(kind=EntryKind.ON_ACCOUNT)
        .order_by("pk")
        .values_list("pk", "amount_cents", "method")
    )
    assert rows == [
        (first.pk, 6000, Method.ON_ACCOUNT),
        (rows[1][0], 9000, Method.ON_ACCOUNT),
        (rows[2][0], -3000, Method.ON_ACCOUNT),
    ]
    assert partner_outstanding(partner) == Decimal("120.00")
    open_item = booking.payment_schedule.get(status="open")
    assert open_item.kind == "on_account" and open_item.amount == Decimal("120.00")
    assert not Refund.objects.exists()
    on_booking_amended(booking.pk)  # idempotent
    assert LedgerEntry.objects.filter(kind=EntryKind.ON_ACCOUNT).count() == 3


def test_an_amended_booking_with_no_schedule_yet_is_left_to_the_checkout(
    django_capture_on_commit_callbacks,
):
    booking = hold_experience(adults=2, capacity=10)
    _amend(booking, 4, django_capture_on_commit_callbacks)
    assert not ScheduleItem.objects.filter(booking=booking).exists()
    assert booking.total_retail == Decimal("120.00")


def test_a_decrease_during_the_checkout_cancels_the_intent_for_the_old_amount(
    localstripe, django_capture_on_commit_callbacks
):
    from .helpers import start_payment

    booking = hold_experience(adults=2, capacity=10)
    old, intent = start_payment(booking)  # 60.00, not paid yet
    _amend(booking, 1, django_capture_on_commit_callbacks)  # 30.00
    old.refresh_from_db()
    assert old.status == "canceled"
    assert stripe_client().v1.payment_intents.retrieve(intent["id"]).status == "canceled"
    payment, _intent = pay(booking)
    assert payment.attempt == 2 and payment.amount == Decimal("30.00")
    assert payment.status == "succeeded" and booking_paid(booking) == Decimal("30.00")
    assert not Refund.objects.exists()
