"""A whole day of the marketplace, built with the booking engine and the payments services
against localstripe: card payments (one declined then retried, one with 3-D Secure), a
partial and a full cancellation with refunds, a refund by hand, a group deposit by card and
its balance by bank transfer, an on-account booking settled by a bank CSV, webhook replays,
and a payout run. At the end the ledger, the bookings' paid amounts and localstripe's
charges minus refunds agree to the cent."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db.models import Sum
from django.utils import timezone

from accounts.demo import italian_iban
from bookings import services as booking_services
from bookings.confirmation import confirm_on_account
from bookings.models import Booking, CancelReason, TradeContract
from bookings.services import LineRequest
from operators.pricing import PaxMix
from payments import services
from payments.credit import bank_csv_import, receipt_record
from payments.gateway import stripe_client, to_cents
from payments.models import (
    CASH_KINDS,
    EntryKind,
    LedgerEntry,
    Method,
    OperatorPayable,
    PayableStatus,
    Payment,
)
from payments.payouts import payables_release_due, payout_run_create, payout_run_mark_paid
from payments.reconciliation import reconcile_day
from payments.refunds import refund_create
from payments.selectors import booking_paid, partner_outstanding
from tests.factories import OrganisationFactory
from tests.operators.factories import bookable_experience

from .helpers import DECLINED, VISA_3DS, authenticate, event, pay, post_event


def _hold(lines, **kwargs):
    return booking_services.booking_hold(
        lines=[
            LineRequest(product=p, day=s.date, slot=s, pax=PaxMix.of(adults=n)) for p, s, n in lines
        ],
        channel=kwargs.pop("channel", "web"),
        contact_name="Cliente",
        contact_email="cliente@example.com",
        **kwargs,
    )


def _cancel(booking, **kwargs):
    booking_services.booking_cancel(booking=booking, reason=CancelReason.BUYER, **kwargs)
    services.on_booking_cancelled(booking.pk)  # the booking engine's on-commit hook


@pytest.mark.django_db
def test_a_whole_day_adds_up_to_the_cent(localstripe, client, django_capture_on_commit_callbacks):
    guide = OrganisationFactory(name="Guide", iban=italian_iban(21))
    cellar = OrganisationFactory(name="Cantina", subkind="food_producer", iban=italian_iban(22))
    walls = bookable_experience(organisation=guide, capacity=40, adult="35.00", net="28.00")
    tasting = bookable_experience(
        organisation=cellar, capacity=40, days_ahead=3, adult="25.50", net="20.40"
    )
    far_tour = bookable_experience(
        organisation=guide, capacity=40, days_ahead=60, adult="40.00", net="32.00"
    )
    group_partner = OrganisationFactory(name="Group Tours", kind="trade", subkind="tour_operator")
    TradeContract.objects.create(
        organisation=group_partner, deposit_percent=Decimal("30"), balance_days_before=30
    )
    account_partner = OrganisationFactory(name="Agency", kind="trade", subkind="travel_agency")
    TradeContract.objects.create(
        organisation=account_partner,
        on_account=True,
        credit_limit=Decimal("1000.00"),
        deposit_percent=0,
    )

    with django_capture_on_commit_callbacks(execute=True):
        # 1. A traveller pays by card; finance later refunds 7.35 as a goodwill gesture.
        t1 = _hold([(*walls, 2)])
        p1, intent1 = pay(t1)
        refund_create(booking=t1, amount="7.35", reason="Late start")
        # 2. Two lines, one cancelled far ahead (free): its price is refunded.
        t2 = _hold([(*walls, 1), (*far_tour, 2)])
        pay(t2)
        _cancel(t2, line_ids=[t2.lines.get(slot=far_tour[1]).pk])
        # 3. 3-D Secure, then a late full cancellation (50% penalty kept).
        t3 = _hold([(*tasting, 3)])
        p3, intent3 = pay(t3, VISA_3DS)
        authenticate(localstripe, intent3)
        client.get(f"/en/checkout/{t3.reference}/return/?t={_token(t3)}")
        _cancel(t3)
        # 4. A declined card, then another card.
        t4 = _hold([(*tasting, 1)])
        pay(t4, DECLINED)
        pay(t4)
        # 5. A group: deposit by card, balance by bank transfer.
        g = _hold(
            [(*far_tour, 12)], channel="trade", buyer_organisation=group_partner,
            hold_for=timedelta(days=3),
        )  # fmt: skip
        deposit, _ = pay(g)
        receipt_record(booking=g, amount="336.00", reference="bank:CRO-G1")
        # 6. On account, settled by the bank CSV of the day.
        a = _hold(
            [(*walls, 4)], channel="trade", buyer_organisation=account_partner,
            hold_for=timedelta(days=3),
        )  # fmt: skip
        confirm_on_account(booking=a, organisation=account_partner)
        bank_csv_import(
            content=f"date;amount;description\n{timezone.localdate():%Y-%m-%d};140,00;"
            f"Saldo {a.reference}\n"
        )
    # Every intent's events, replayed (signed) twice: nothing changes.
    before = list(LedgerEntry.objects.order_by("pk").values_list("pk", "amount_cents"))
    for payment in Payment.objects.exclude(stripe_payment_intent_id=None):
        intent = stripe_client().v1.payment_intents.retrieve(payment.stripe_payment_intent_id)
        evt = event("payment_intent.succeeded", intent.to_dict())
        post_event(client, evt)
        post_event(client, evt)
    assert list(LedgerEntry.objects.order_by("pk").values_list("pk", "amount_cents")) == before

    # Bookings' paid amounts are what they owe now (total after cancellations, penalties kept).
    bookings = {b: Booking.objects.get(pk=b.pk) for b in (t1, t2, t3, t4, g, a)}
    assert booking_paid(t1) == Decimal("70.00") - Decimal("7.35")
    assert booking_paid(t2) == bookings[t2].total_retail == Decimal("35.00")
    assert bookings[t3].status == "cancelled"
    assert booking_paid(t3) == bookings[t3].penalty_total == Decimal("38.25")
    assert booking_paid(t4) == Decimal("25.50")
    assert booking_paid(g) == bookings[g].total_retail == Decimal("480.00")
    assert deposit.amount == Decimal("144.00")
    assert booking_paid(a) == Decimal("140.00") and partner_outstanding(account_partner) == 0

    # localstripe's charges minus refunds = the ledger's card rows, to the cent.
    charges = list(stripe_client().v1.charges.list(params={"limit": 100}).data)
    stripe_net = sum(c["amount"] for c in charges if c["status"] == "succeeded") - sum(
        r["amount"] for r in stripe_client().v1.refunds.list(params={"limit": 100}).data
    )
    card = LedgerEntry.objects.filter(method=Method.CARD, kind__in=CASH_KINDS)
    assert card.aggregate(t=Sum("amount_cents"))["t"] == stripe_net
    card_bookings_paid = sum(to_cents(booking_paid(b)) for b in (t1, t2, t3, t4)) + to_cents(
        deposit.amount
    )
    assert stripe_net == card_bookings_paid
    assert reconcile_day(day=timezone.localdate()).is_clean

    # Payout run after the services: operators get their net, the DMC keeps the commission.
    payables_release_due(today=timezone.localdate() + timedelta(days=70))
    run = payout_run_create()
    payout_run_mark_paid(run=run)
    paid = OperatorPayable.objects.filter(status=PayableStatus.PAID)
    net = paid.aggregate(t=Sum("amount"))["t"]
    assert -LedgerEntry.objects.filter(kind=EntryKind.PAYOUT).aggregate(t=Sum("amount_cents"))[
        "t"
    ] == to_cents(net)
    # The late cancellation kept a 50% penalty: the cellar gets its share, 50% of its net.
    share = OperatorPayable.objects.filter(booking=t3).get()
    assert (share.status, share.amount) == (PayableStatus.PAID, Decimal("30.60"))
    assert net == Decimal("56.00") + Decimal("28.00") + Decimal("30.60") + Decimal(
        "20.40"
    ) + Decimal("384.00") + Decimal("112.00")
    # Cash: everything received minus refunds and payouts, by card and by bank.
    cash = LedgerEntry.objects.filter(kind__in=CASH_KINDS).aggregate(t=Sum("amount_cents"))["t"]
    bank = LedgerEntry.objects.filter(method=Method.BANK_TRANSFER).aggregate(t=Sum("amount_cents"))[
        "t"
    ]
    assert cash == stripe_net + bank - to_cents(net)


def _token(booking):
    from payments.views_pages import checkout_token

    return checkout_token(booking)
