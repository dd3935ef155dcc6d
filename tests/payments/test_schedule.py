"""Deposits and balances: a schedule from the contract, the checkout charges the instalment
due, reminders before each due date, overdue balances to the attention list or cancelled by
rule, never silently."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from bookings.models import BookingStatus, TradeContract
from payments.models import AttentionItem, EntryKind, LedgerEntry, OverdueAction, ScheduleItem
from payments.schedule import overdue_handle, reminders_send, schedule_ensure
from payments.selectors import booking_paid
from tests.bookings.factories import hold_experience
from tests.factories import OrganisationFactory

from .helpers import pay

pytestmark = pytest.mark.django_db


def _group_booking(days_ahead=60, adults=10):
    partner = OrganisationFactory(kind="trade", subkind="tour_operator")
    TradeContract.objects.create(
        organisation=partner, deposit_percent=Decimal("30"), balance_days_before=30
    )
    return hold_experience(
        adults=adults,
        capacity=20,
        buyer_organisation=partner,
        channel="trade",
        days_ahead=days_ahead,
    )


def test_a_group_gets_a_deposit_now_and_the_balance_30_days_before():
    booking = _group_booking()  # 10 x 30.00, in 60 days
    items = schedule_ensure(booking=booking)
    today = timezone.localdate()
    assert [(i.kind, i.amount, i.due_date) for i in items] == [
        ("deposit", Decimal("90.00"), today),
        ("balance", Decimal("210.00"), booking.first_service_date - timedelta(days=30)),
    ]
    assert schedule_ensure(booking=booking) == items  # idempotent


def test_close_to_the_date_one_payment_and_a_traveller_pays_in_full():
    assert [i.kind for i in schedule_ensure(booking=_group_booking(days_ahead=20))] == ["full"]
    assert [i.kind for i in schedule_ensure(booking=hold_experience())] == ["full"]


def test_the_checkout_charges_the_deposit_then_the_balance(localstripe):
    booking = _group_booking()
    deposit, _ = pay(booking)
    assert deposit.amount == Decimal("90.00")
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED
    balance, _ = pay(booking)
    assert balance.amount == Decimal("210.00") and balance.purpose == "balance"
    kinds = sorted(LedgerEntry.objects.values_list("kind", "amount_cents"))
    assert kinds == [(EntryKind.BALANCE, 21000), (EntryKind.DEPOSIT, 9000)]
    assert booking_paid(booking) == Decimal("300.00")
    assert set(booking.payment_schedule.values_list("status", flat=True)) == {"paid"}


def test_a_reminder_before_the_due_date_once(localstripe, mailoutbox):
    booking = _group_booking()
    pay(booking)
    balance = ScheduleItem.objects.get(booking=booking, kind="balance")
    assert reminders_send(today=balance.due_date - timedelta(days=10)) == 0
    assert reminders_send(today=balance.due_date - timedelta(days=5)) == 1
    assert reminders_send(today=balance.due_date - timedelta(days=4)) == 0
    reminder = [m for m in mailoutbox if m.to == [booking.contact_email]]  # in the buyer's language
    assert len(reminder) == 1 and booking.reference in reminder[0].subject
    assert reminder[0].to == [booking.contact_email]


def test_an_unpaid_balance_after_the_grace_period_goes_to_the_attention_list(localstripe, caplog):
    booking = _group_booking()
    pay(booking)
    balance = ScheduleItem.objects.get(booking=booking, kind="balance")
    assert overdue_handle(today=balance.due_date + timedelta(days=2)) == {
        "attention": 0,
        "cancelled": 0,
    }
    result = overdue_handle(today=balance.due_date + timedelta(days=4))
    assert result == {"attention": 1, "cancelled": 0}
    assert AttentionItem.objects.get(booking=booking).reason == "overdue"
    assert "attention list" in caplog.text
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED
    assert overdue_handle(today=balance.due_date + timedelta(days=5))["attention"] == 0


def test_an_overdue_balance_cancels_by_rule_and_keeps_the_deposit_as_penalty(
    localstripe, django_capture_on_commit_callbacks
):
    booking = _group_booking(days_ahead=45)
    pay(booking)
    ScheduleItem.objects.filter(booking=booking).update(overdue_action=OverdueAction.CANCEL)
    balance = ScheduleItem.objects.get(booking=booking, kind="balance")
    with django_capture_on_commit_callbacks(execute=True):
        result = overdue_handle(today=balance.due_date + timedelta(days=4))
    assert result["cancelled"] == 1
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED
    assert AttentionItem.objects.get(booking=booking).reason == "overdue_cancelled"
    # 45 days before the service no penalty tier applies: the deposit goes back, no more.
    assert booking_paid(booking) == 0
    assert [r.amount for r in booking.refunds.all()] == [Decimal("90.00")]
