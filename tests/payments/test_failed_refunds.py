"""A refund that fails at Stripe is loud: an attention item with the reason and a retry, the
booking's payments page and the payments list flag it, reconciliation reports it, and the
buyer is told "refund in progress", never "refunded", until Stripe confirms it. Against
localstripe, which answers "not found" for an unknown PaymentIntent."""

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.services import DmcGroup, dmc_groups_ensure
from bookings import services as booking_services
from payments.models import AttentionItem, Payment, Refund, RefundStatus
from payments.reconciliation import reconcile_day
from payments.refunds import refund_retry
from payments.selectors import booking_paid
from tests.bookings.factories import hold_experience
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory

from .helpers import pay

pytestmark = pytest.mark.django_db


@pytest.fixture
def finance():
    dmc = OrganisationFactory(kind="dmc", subkind="")
    user = MembershipFactory(organisation=dmc).user
    user.groups.add(dmc_groups_ensure()[DmcGroup.FINANCE])
    return user


def _failed_cancellation_refund(capture):
    traveller = UserFactory()
    booking = hold_experience(adults=2)
    booking.buyer_user = traveller
    booking.save(update_fields=["buyer_user"])
    payment, _intent = pay(booking)
    real_intent = payment.stripe_payment_intent_id
    # Stripe no longer knows the intent (e.g. made with other keys): "No such payment_intent".
    Payment.objects.filter(pk=payment.pk).update(stripe_payment_intent_id="pi_unknown000")
    with capture(execute=True):
        booking_services.booking_cancel(booking=booking, reason="buyer", waive_penalty=True)
    booking.refresh_from_db()
    return booking, traveller, payment, real_intent


def test_a_refund_refused_by_stripe_is_flagged_everywhere_and_retried(
    localstripe, client, finance, django_capture_on_commit_callbacks
):
    booking, traveller, payment, real_intent = _failed_cancellation_refund(
        django_capture_on_commit_callbacks
    )
    failed = Refund.objects.get(booking=booking)
    assert failed.status == RefundStatus.FAILED and failed.failure_message
    item = AttentionItem.objects.get(booking=booking, reason="refund_failed")
    assert failed.failure_message in item.message and "60.00" in item.message
    assert booking_paid(booking) == Decimal("60.00")  # nothing went back

    # The buyer is not told it was refunded.
    client.force_login(traveller)
    page = client.get(f"/en/account/bookings/{booking.reference}/").content.decode()
    assert "Refund in progress: € 60.00" in page and "Refunded:" not in page

    # Finance sees it on the list, on the booking, and in the day's reconciliation.
    client.force_login(finance)
    listing = client.get(reverse("payments_pages:bo_payments")).content.decode()
    assert "refund-failed" in listing and failed.failure_message in listing
    detail = client.get(
        reverse("payments_pages:bo_booking_payments", args=[booking.reference])
    ).content.decode()
    assert "Retry the refund" in detail
    report = reconcile_day(day=timezone.localdate())
    assert not report.is_clean
    assert [d["problem"] for d in report.differences] == ["refund_failed"]

    # Stripe knows the intent again: the retry refunds, the flags go away.
    Payment.objects.filter(pk=payment.pk).update(stripe_payment_intent_id=real_intent)
    response = client.post(
        reverse("payments_pages:bo_refund_retry", args=[booking.reference, failed.pk]),
        follow=True,
    )
    assert response.status_code == 200 and "Refund executed." in response.content.decode()
    retry = Refund.objects.get(retry_of=failed)
    assert retry.status == RefundStatus.SUCCEEDED and retry.stripe_refund_id
    assert booking_paid(booking) == Decimal("0.00")
    item.refresh_from_db()
    assert item.resolved_at is not None
    assert "refund-failed" not in client.get(reverse("payments_pages:bo_payments")).content.decode()
    assert reconcile_day(day=timezone.localdate()).is_clean
    client.force_login(traveller)
    page = client.get(f"/en/account/bookings/{booking.reference}/").content.decode()
    assert "Refunded: € 60.00" in page and "Refund in progress" not in page

    # A refund is retried once; a second retry of the same failure is refused.
    with pytest.raises(Exception, match="already retried"):
        refund_retry(refund=failed)


def test_a_retry_that_fails_again_stays_on_the_attention_list(
    localstripe, finance, django_capture_on_commit_callbacks
):
    booking, _traveller, _payment, _real = _failed_cancellation_refund(
        django_capture_on_commit_callbacks
    )
    failed = Refund.objects.get(booking=booking)
    retry = refund_retry(refund=failed, actor=finance)
    assert retry.status == RefundStatus.FAILED
    assert AttentionItem.objects.filter(
        booking=booking, reason="refund_failed", resolved_at__isnull=True
    ).exists()


def test_another_tenant_cannot_retry(localstripe, client, django_capture_on_commit_callbacks):
    booking, _traveller, _payment, _real = _failed_cancellation_refund(
        django_capture_on_commit_callbacks
    )
    failed = Refund.objects.get(booking=booking)
    client.force_login(MembershipFactory(organisation=OrganisationFactory()).user)
    response = client.post(
        reverse("payments_pages:bo_refund_retry", args=[booking.reference, failed.pk])
    )
    assert response.status_code in (403, 404)
    assert not Refund.objects.filter(retry_of=failed).exists()


def test_the_payments_list_pages_past_100(client, finance):
    from bookings.models import Booking
    from payments.models import EntryKind, LedgerEntry, Method

    bookings = Booking.objects.bulk_create(
        Booking(
            reference=f"PG{n:05d}",
            channel="web",
            contact_name=f"Buyer {n}",
            contact_email="b@example.com",
            status="confirmed",
        )
        for n in range(120)
    )
    LedgerEntry.objects.bulk_create(
        LedgerEntry(
            kind=EntryKind.CHARGE,
            method=Method.BANK_TRANSFER,
            amount_cents=1000,
            booking=b,
            booked_on=timezone.localdate(),
        )
        for b in bookings
    )
    client.force_login(finance)
    url = reverse("payments_pages:bo_payments")
    first = client.get(url).content.decode()
    second = client.get(url + "?page=2").content.decode()
    shown = [b.reference for b in bookings if b.reference in first]
    rest = [b.reference for b in bookings if b.reference in second]
    assert len(shown) == 100 and len(rest) == 20 and not set(shown) & set(rest)
    assert 'href="?page=2"' in first and "120 bookings" in first
    assert client.get(url + "?page=99").status_code == 200  # past the end: the last page
