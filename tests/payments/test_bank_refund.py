"""A refund made by bank transfer (for money that came by bank transfer) is recorded as a
refund row in the ledger when finance marks it, never above what was received that way."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.services import DmcGroup, dmc_groups_ensure
from bookings import services as booking_services
from bookings.models import BookingStatus, CancelReason
from payments.credit import receipt_record
from payments.models import AttentionItem, EntryKind, LedgerEntry, Method
from payments.refunds import bank_refundable, refund_record_bank_transfer
from payments.selectors import booking_paid
from tests.bookings.factories import hold_experience
from tests.factories import MembershipFactory, OrganisationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def finance(client):
    dmc = OrganisationFactory(kind="dmc", subkind="")
    user = MembershipFactory(organisation=dmc).user
    user.groups.add(dmc_groups_ensure()[DmcGroup.FINANCE])
    client.force_login(user)
    return user


def _paid_by_transfer_then_cancelled(django_capture_on_commit_callbacks):
    booking = hold_experience(adults=2)  # 60.00
    receipt_record(booking=booking, amount="60.00", reference="manual:CRO-IN-1")
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED
    with django_capture_on_commit_callbacks(execute=True):
        booking_services.booking_cancel(booking=booking, reason=CancelReason.BUYER)
    booking.refresh_from_db()
    return booking


def test_finance_records_the_refund_by_transfer_from_the_attention_item(
    finance, client, django_capture_on_commit_callbacks
):
    booking = _paid_by_transfer_then_cancelled(django_capture_on_commit_callbacks)
    due = booking_paid(booking) - booking.total_retail
    assert due > 0
    item = AttentionItem.objects.get(booking=booking, reason="refund_by_transfer")
    listing = client.get(reverse("payments_pages:bo_payments")).content.decode()
    assert f"{booking.reference}/#bank-refund" in listing  # the button on the attention item
    url = reverse("payments_pages:bo_bank_refund", args=[booking.reference])
    page = client.get(reverse("payments_pages:bo_booking_payments", args=[booking.reference]))
    assert f'value="{due}"' in page.content.decode()  # the amount due back is proposed
    response = client.post(
        url,
        {
            "bank_refund-amount": str(due),
            "bank_refund-booked_on": timezone.localdate(),
            "bank_refund-reference": "CRO-OUT-1",
        },
    )
    assert response.status_code == 302
    entry = LedgerEntry.objects.get(kind=EntryKind.REFUND)
    assert entry.method == Method.BANK_TRANSFER and entry.amount_cents == -int(due * 100)
    assert entry.created_by == finance and "CRO-OUT-1" in entry.note
    assert booking_paid(booking) == booking.total_retail
    item.refresh_from_db()
    assert item.resolved_at is not None
    # The same outgoing transfer twice is recorded once.
    again = client.post(
        url,
        {
            "bank_refund-amount": "1.00",
            "bank_refund-booked_on": timezone.localdate(),
            "bank_refund-reference": "CRO-OUT-1",
        },
    )
    assert again.status_code == 400
    assert "This transfer is already recorded." in again.content.decode()
    assert LedgerEntry.objects.filter(kind=EntryKind.REFUND).count() == 1


def test_never_more_than_was_received_by_bank_transfer(
    finance, client, django_capture_on_commit_callbacks
):
    booking = _paid_by_transfer_then_cancelled(django_capture_on_commit_callbacks)
    url = reverse("payments_pages:bo_bank_refund", args=[booking.reference])
    response = client.post(
        url,
        {
            "bank_refund-amount": "60.01",
            "bank_refund-booked_on": timezone.localdate(),
            "bank_refund-reference": "CRO-OUT-2",
        },
    )
    assert response.status_code == 400
    assert "At most 60.00 EUR can be refunded by bank transfer" in response.content.decode()
    assert not LedgerEntry.objects.filter(kind=EntryKind.REFUND).exists()
    refund_record_bank_transfer(booking=booking, amount="40.00", reference="A")
    assert bank_refundable(booking) == Decimal("20.00")
    with pytest.raises(ValidationError) as exc:
        refund_record_bank_transfer(booking=booking, amount="20.01", reference="B")
    assert "amount" in exc.value.message_dict
    refund_record_bank_transfer(booking=booking, amount="20.00", reference="B")
    assert bank_refundable(booking) == 0
    assert booking_paid(booking) == 0


def test_a_card_only_booking_has_nothing_to_refund_by_transfer_and_others_get_404(client):
    booking = hold_experience()
    with pytest.raises(ValidationError):
        refund_record_bank_transfer(booking=booking, amount="1.00", reference="X")
    with pytest.raises(ValidationError) as exc:
        refund_record_bank_transfer(booking=booking, amount="1.00", reference=" ")
    assert "reference" in exc.value.message_dict
    client.force_login(MembershipFactory(organisation=OrganisationFactory(kind="dmc")).user)
    url = reverse("payments_pages:bo_bank_refund", args=[booking.reference])
    assert (
        client.post(url, {"bank_refund-amount": "1", "bank_refund-reference": "X"}).status_code
        == 404
    )
    assert not LedgerEntry.objects.exists()
