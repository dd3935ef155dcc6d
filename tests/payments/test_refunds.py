"""Refunds through Stripe's Refund API: from cancellations and by hand, never above what
was captured."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from accounts.services import DmcGroup, dmc_groups_ensure
from bookings import services as booking_services
from bookings.models import CancelReason
from payments import services
from payments.gateway import stripe_client
from payments.models import LedgerEntry, Refund, RefundSource
from payments.refunds import refund_create, refund_for_cancellation
from payments.selectors import booking_paid
from tests.bookings.factories import hold_experience
from tests.factories import MembershipFactory, OrganisationFactory

from .helpers import pay

pytestmark = pytest.mark.django_db


def _stripe_refunded(intent_id) -> int:
    return sum(r["amount"] for r in stripe_client().v1.refunds.list().data)


def test_a_partial_refund_by_hand_then_the_rest(localstripe):
    booking = hold_experience(adults=3)  # 90.00
    payment, intent = pay(booking)
    refunds = refund_create(booking=booking, amount="20.00", reason="Goodwill")
    assert refunds[0].status == "succeeded" and refunds[0].stripe_refund_id.startswith("re_")
    assert booking_paid(booking) == Decimal("70.00")
    refund_create(booking=booking, amount="70.00", reason="Full refund")
    assert booking_paid(booking) == 0
    assert _stripe_refunded(intent["id"]) == 9000


def test_a_refund_above_what_was_paid_is_refused_and_the_ledger_is_unchanged(localstripe, caplog):
    booking = hold_experience(adults=1)
    pay(booking)
    refund_create(booking=booking, amount="10.00", reason="x")
    before = list(LedgerEntry.objects.values_list("pk", flat=True))
    with pytest.raises(ValidationError) as error:
        refund_create(booking=booking, amount="20.01", reason="too much")
    assert "20.00" in str(error.value.message_dict["amount"])
    assert "refused" in caplog.text
    assert list(LedgerEntry.objects.values_list("pk", flat=True)) == before
    assert Refund.objects.count() == 1
    assert stripe_client().v1.refunds.list().data.__len__() == 1


def test_a_manual_refund_needs_a_reason_and_a_positive_amount(localstripe):
    booking = hold_experience(adults=1)
    pay(booking)
    with pytest.raises(ValidationError) as error:
        refund_create(booking=booking, amount="5.00", reason=" ")
    assert "reason" in error.value.message_dict
    with pytest.raises(ValidationError):
        refund_create(booking=booking, amount="-5", reason="x")
    assert not Refund.objects.exists()


def test_a_cancellation_refunds_what_the_engine_computed_once(
    localstripe, django_capture_on_commit_callbacks
):
    booking = hold_experience(adults=2, days_ahead=60)  # far ahead: free cancellation tier
    pay(booking)
    booking.refresh_from_db()
    booking_services.booking_cancel(booking=booking, reason=CancelReason.BUYER)
    booking.refresh_from_db()
    assert booking.refund_due == Decimal("60.00")
    with django_capture_on_commit_callbacks(execute=True):
        services.on_booking_cancelled(booking.pk)
    assert booking_paid(booking) == 0
    assert refund_for_cancellation(booking=booking) == 0  # a second run refunds nothing
    refund = Refund.objects.get()
    assert refund.source == RefundSource.CANCELLATION and refund.amount == Decimal("60.00")
    assert _stripe_refunded(None) == 6000


def test_a_late_cancellation_keeps_the_penalty(localstripe, django_capture_on_commit_callbacks):
    booking = hold_experience(adults=2, days_ahead=3)  # 50% tier (7 days)
    pay(booking)
    result = booking_services.booking_cancel(booking=booking, reason=CancelReason.BUYER)
    assert result.penalty == Decimal("30.00")
    with django_capture_on_commit_callbacks(execute=True):
        services.on_booking_cancelled(booking.pk)
    assert booking_paid(booking) == Decimal("30.00")
    assert _stripe_refunded(None) == 3000


def test_a_refund_made_in_the_stripe_dashboard_is_recorded_by_charge_refunded(localstripe, client):
    from .helpers import event, post_event

    booking = hold_experience(adults=2)
    payment, _intent = pay(booking)
    stripe_client().v1.refunds.create(params={"charge": payment.stripe_charge_id, "amount": 1500})
    charge = stripe_client().v1.charges.retrieve(payment.stripe_charge_id).to_dict()
    evt = event("charge.refunded", charge)
    assert post_event(client, evt).status_code == 200
    assert post_event(client, event("charge.refunded", charge)).status_code == 200  # new id
    assert booking_paid(booking) == Decimal("45.00")
    assert Refund.objects.get().source == RefundSource.STRIPE


def test_finance_refunds_by_hand_in_the_back_office(localstripe, client):
    dmc = OrganisationFactory(kind="dmc", subkind="")
    user = MembershipFactory(organisation=dmc).user
    user.groups.add(dmc_groups_ensure()[DmcGroup.FINANCE])
    client.force_login(user)
    booking = hold_experience(adults=2)
    pay(booking)
    url = f"/en/backoffice/payments/{booking.reference}/refund/"
    too_much = client.post(url, {"amount": "61.00", "reason": "x"})
    assert too_much.status_code == 400
    assert "60.00" in too_much.content.decode()
    ok = client.post(url, {"amount": "10.00", "reason": "Late guide"})
    assert ok.status_code == 302
    assert booking_paid(booking) == Decimal("50.00")
    page = client.get(f"/en/backoffice/payments/{booking.reference}/")
    assert "Late guide" in page.content.decode()
