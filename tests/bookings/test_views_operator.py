"""The operator extranet: lines, booking detail, slot manifest, redemption, voucher."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from bookings import services
from bookings.models import Participant, RedemptionAttempt
from bookings.vouchers import voucher_token
from tests.bookings.factories import hold_experience

pytestmark = pytest.mark.django_db


def confirmed_for(supplier, **kwargs):
    booking = hold_experience(organisation=supplier, **kwargs)
    return services.booking_confirm(booking=booking)


def test_the_operator_sees_its_lines_upcoming_first(owner_client, operator_org):
    later = confirmed_for(operator_org, days_ahead=20)
    sooner = confirmed_for(operator_org, days_ahead=5)
    foreign = confirmed_for(None)
    response = owner_client.get(reverse("bookings:operator_lines"))
    refs = [ln.booking.reference for ln in response.context["lines"]]
    assert refs == [sooner.reference, later.reference]
    assert foreign.reference not in response.content.decode()


def test_the_lines_filter_by_product_and_status(owner_client, operator_org):
    confirmed = confirmed_for(operator_org)
    held = hold_experience(organisation=operator_org)
    url = reverse("bookings:operator_lines")
    response = owner_client.get(url, {"status": "held"})
    assert [ln.booking_id for ln in response.context["lines"]] == [held.pk]
    product = confirmed.lines.get().product
    response = owner_client.get(url, {"product": product.pk})
    assert [ln.booking_id for ln in response.context["lines"]] == [confirmed.pk]


def test_the_booking_detail_shows_only_the_operators_lines(owner_client, operator_org):
    booking = confirmed_for(operator_org)
    Participant.objects.create(booking=booking, first_name="Maria", last_name="Bianchi")
    response = owner_client.get(reverse("bookings:operator_detail", args=[booking.reference]))
    assert response.status_code == 200
    assert "Bianchi" in response.content.decode()
    other = confirmed_for(None)
    response = owner_client.get(reverse("bookings:operator_detail", args=[other.reference]))
    assert response.status_code == 404


def test_the_manifest_lists_who_is_coming_with_needs(owner_client, operator_org):
    booking = confirmed_for(operator_org, adults=3)
    Participant.objects.create(
        booking=booking, first_name="Luca", last_name="Verdi", dietary_needs="celiac"
    )
    slot = booking.lines.get().slot
    cancelled = hold_experience(organisation=operator_org)
    services.booking_cancel(booking=cancelled, reason="buyer")
    response = owner_client.get(reverse("bookings:operator_manifest", args=[slot.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert booking.reference in html and "celiac" in html
    assert cancelled.reference not in html
    assert response.context["pax_total"] == 3
    assert "window.print()" in html


def test_the_manifest_of_another_operators_slot_is_404(owner_client):
    booking = confirmed_for(None)
    slot = booking.lines.get().slot
    response = owner_client.get(reverse("bookings:operator_manifest", args=[slot.pk]))
    assert response.status_code == 404


def test_redeem_by_code_then_refuse_the_second_time(owner_client, operator_org):
    booking = confirmed_for(operator_org, days_ahead=0)  # the service is today
    url = reverse("bookings:operator_redeem")
    assert "BarcodeDetector" in owner_client.get(url).content.decode()
    response = owner_client.post(url, {"raw": booking.reference.lower(), "method": "code"})
    assert response.status_code == 200
    assert response.context["result"].accepted
    assert "redeem-ok" in response.content.decode()
    response = owner_client.post(url, {"raw": voucher_token(booking), "method": "scan"})
    assert response.status_code == 409
    result = response.context["result"]
    assert not result.accepted and "Already redeemed" in result.message
    assert "redeem-refused" in response.content.decode()
    assert RedemptionAttempt.objects.filter(method="scan", accepted=False).count() == 1


def test_redeem_refuses_another_operators_voucher(owner_client):
    booking = confirmed_for(None)
    response = owner_client.post(
        reverse("bookings:operator_redeem"), {"raw": booking.reference, "method": "code"}
    )
    assert response.status_code == 409
    booking.refresh_from_db()
    assert not booking.lines.get().redeemed_at


def test_the_operator_downloads_the_voucher_of_its_confirmed_booking(owner_client, operator_org):
    booking = confirmed_for(operator_org)
    response = owner_client.get(reverse("bookings:operator_voucher", args=[booking.reference]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    held = hold_experience(organisation=operator_org)
    response = owner_client.get(reverse("bookings:operator_voucher", args=[held.reference]))
    assert response.status_code == 404


def test_past_lines_come_after_upcoming_ones_when_filtering_a_range(owner_client, operator_org):
    booking = confirmed_for(operator_org, days_ahead=3)
    response = owner_client.get(
        reverse("bookings:operator_lines"),
        {"date_from": (timezone.localdate() - timedelta(days=30)).isoformat()},
    )
    assert [ln.booking_id for ln in response.context["lines"]] == [booking.pk]
