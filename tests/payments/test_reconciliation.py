"""The daily reconciliation lists every difference between the ledger and Stripe."""

import pytest
from django.utils import timezone

from payments.gateway import stripe_client
from payments.models import LedgerEntry
from payments.reconciliation import reconcile_day
from payments.refunds import refund_create
from tests.bookings.factories import hold_experience

from .helpers import pay, payment_method

pytestmark = pytest.mark.django_db


def test_a_clean_day_then_each_kind_of_difference(localstripe):
    paid = hold_experience(adults=2)
    payment, _ = pay(paid)
    refund_create(booking=paid, amount="10.00", reason="goodwill")
    today = timezone.localdate()
    report = reconcile_day(day=today)
    assert report.is_clean
    assert report.stripe_cents == report.ledger_cents == 5000

    # A charge made outside the platform, a ledger row Stripe never saw, an amount typo.
    stripe_client().v1.payment_intents.create(
        params={
            "amount": 1234,
            "currency": "eur",
            "payment_method": payment_method(),
            "confirm": True,
        }
    )
    entry = LedgerEntry.objects.get(kind="charge")
    LedgerEntry.objects.filter(pk=entry.pk).update(amount_cents=5999)
    LedgerEntry.objects.create(
        kind="charge", method="card", amount_cents=700, stripe_id="ch_ghost", booked_on=today
    )
    report = reconcile_day(day=today)
    problems = sorted(
        (d["problem"], d["stripe_cents"], d["ledger_cents"]) for d in report.differences
    )
    assert problems == [
        ("amount_differs", 6000, 5999),
        ("missing_in_ledger", 1234, None),
        ("missing_in_stripe", None, 700),
    ]
    assert not reconcile_day(day=today - timezone.timedelta(days=1)).differences
