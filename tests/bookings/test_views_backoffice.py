"""The DMC back office: list with filters and export, detail, and the manual actions."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from bookings import services
from bookings.models import Amendment, BookingStatus, CancelReason, Voucher
from operators.models import Slot
from tests.bookings.factories import hold_experience
from tests.factories import MembershipFactory, OrganisationFactory

pytestmark = pytest.mark.django_db


def make_dmc_user():
    dmc = OrganisationFactory(name="Piana di Lucca DMC", kind="dmc", subkind="dmc")
    return MembershipFactory(organisation=dmc).user


def make_trade_org(**kwargs):
    return OrganisationFactory(kind="trade", subkind="tour_operator", **kwargs)


@pytest.fixture
def dmc_client(client):
    client.force_login(make_dmc_user())
    return client


def detail_url(booking, name="backoffice_detail"):
    return reverse(f"bookings:{name}", args=[booking.reference])


def test_the_list_filters_by_status_channel_partner_operator_and_service_dates(dmc_client):
    partner = make_trade_org()
    supplier = OrganisationFactory(name="Guide Lucca")
    traded = hold_experience(buyer_organisation=partner, channel="trade", organisation=supplier)
    web = hold_experience(days_ahead=40)
    services.booking_confirm(booking=web)
    url = reverse("bookings:backoffice_list")

    def refs(**params):
        response = dmc_client.get(url, params)
        assert response.status_code == 200
        return {b.reference for b in response.context["bookings"]}

    assert refs() == {traded.reference, web.reference}
    assert refs(status="confirmed") == {web.reference}
    assert refs(channel="trade") == {traded.reference}
    assert refs(partner=partner.pk) == {traded.reference}
    assert refs(operator=supplier.pk) == {traded.reference}
    day = timezone.localdate()
    assert refs(date_from=day + timedelta(days=30)) == {web.reference}
    assert refs(date_to=day + timedelta(days=20)) == {traded.reference}
    assert refs(q=web.reference.lower()) == {web.reference}


def test_the_list_is_paginated_in_a_fixed_number_of_queries(
    dmc_client, django_assert_max_num_queries
):
    for _ in range(3):
        hold_experience(buyer_organisation=make_trade_org(), channel="trade")
    with django_assert_max_num_queries(13):  # + the payment states, one query
        response = dmc_client.get(reverse("bookings:backoffice_list"))
    assert len(response.context["bookings"]) == 3


def test_the_export_is_the_filtered_list_as_csv(dmc_client):
    kept = hold_experience(channel="trade", buyer_organisation=make_trade_org(name="Tour Europa"))
    hold_experience()
    response = dmc_client.get(reverse("bookings:backoffice_export"), {"channel": "trade"})
    body = b"".join(response.streaming_content).decode()
    lines = body.strip().splitlines()
    assert lines[0].startswith("reference,status,channel")
    assert len(lines) == 2 and lines[1].startswith(kept.reference)
    assert "Tour Europa" in lines[1]


def test_the_detail_shows_lines_events_and_totals(dmc_client):
    booking = hold_experience(adults=3)
    from django.utils import translation

    with translation.override("it"):
        response = dmc_client.get(detail_url(booking))
    assert response.status_code == 200
    html = response.content.decode()
    assert booking.reference in html
    assert "90,00" in html  # Italian formatting under /it/
    assert response.context["events"][0].action == "hold"
    assert response.context["allocations"][0]["units"] == 3


def test_others_cannot_open_the_back_office(client, owner):
    booking = hold_experience()
    client.force_login(owner)
    assert client.get(reverse("bookings:backoffice_list")).status_code == 404
    assert client.get(detail_url(booking)).status_code == 404
    assert client.post(detail_url(booking, "backoffice_confirm")).status_code == 404
    booking.refresh_from_db()
    assert booking.status == BookingStatus.HELD


def test_confirm_on_account_records_the_back_office_as_the_way(dmc_client):
    booking = hold_experience(buyer_organisation=make_trade_org(), channel="trade")
    response = dmc_client.post(detail_url(booking, "backoffice_confirm"))
    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED
    assert booking.events.get(action="confirm").data == {"via": "backoffice"}


def test_confirming_an_expired_option_is_a_clear_message_not_a_500(dmc_client):
    booking = hold_experience()
    type(booking).objects.filter(pk=booking.pk).update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )
    response = dmc_client.post(detail_url(booking, "backoffice_confirm"), follow=True)
    assert response.status_code == 200
    assert "expired" in response.content.decode()
    booking.refresh_from_db()
    assert booking.status == BookingStatus.HELD


def test_extend_an_option(dmc_client):
    booking = hold_experience(buyer_organisation=make_trade_org(), channel="trade")
    until = timezone.localtime() + timedelta(days=5)  # the tour is in 10 days, the cut-off 48 h
    dmc_client.post(
        detail_url(booking, "backoffice_extend"),
        {"until": until.strftime("%Y-%m-%dT%H:%M"), "reason": "waiting for the client"},
    )
    booking.refresh_from_db()
    assert timezone.localtime(booking.expires_at).date() == until.date()
    assert booking.events.get(action="extend_option").reason == "waiting for the client"


def test_extend_refuses_a_past_date_with_a_message(dmc_client):
    booking = hold_experience()
    before = booking.expires_at
    past = timezone.localtime() - timedelta(days=1)
    response = dmc_client.post(
        detail_url(booking, "backoffice_extend"),
        {"until": past.strftime("%Y-%m-%dT%H:%M")},
        follow=True,
    )
    assert "future" in response.content.decode()
    booking.refresh_from_db()
    assert booking.expires_at == before


def test_cancel_shows_the_penalty_before_confirming_and_can_waive_it(dmc_client):
    booking = hold_experience(adults=2, days_ahead=3)
    services.booking_confirm(booking=booking)
    url = detail_url(booking, "backoffice_cancel")
    assert dmc_client.get(url).status_code == 200
    preview = dmc_client.post(url, {"reason": CancelReason.DMC, "action": "preview"})
    assert preview.context["preview"] == Decimal("30.00")  # 50% within 7 days
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED
    dmc_client.post(
        url,
        {"reason": CancelReason.EXTRAORDINARY, "note": "flood", "action": "confirm"},
    )
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED
    assert booking.penalty_total == Decimal("0.00")
    assert booking.refund_due == Decimal("60.00")
    assert booking.cancel_reason == CancelReason.EXTRAORDINARY


def two_line_booking(**kwargs):
    from operators.pricing import PaxMix
    from tests.operators.factories import bookable_experience

    requests = []
    for days in (10, 12):
        product, slot = bookable_experience(days_ahead=days)
        requests.append(
            services.LineRequest(product=product, day=slot.date, slot=slot, pax=PaxMix.of(adults=2))
        )
    return services.booking_hold(
        lines=requests, channel="web", contact_name="Anna", contact_email="a@example.com", **kwargs
    )


def test_cancel_one_line_keeps_the_others(dmc_client):
    booking = two_line_booking()
    first, second = booking.lines.order_by("position")
    dmc_client.post(
        detail_url(booking, "backoffice_cancel"),
        {"lines": [first.pk], "reason": CancelReason.DMC, "action": "confirm"},
    )
    booking.refresh_from_db()
    first.refresh_from_db()
    assert booking.status == BookingStatus.HELD
    assert first.status == "cancelled"
    assert booking.total_retail == second.retail_amount


def test_amend_previews_the_difference_then_confirms_with_the_shown_total(dmc_client):
    booking = hold_experience(adults=2)
    line = booking.lines.get()
    url = reverse("bookings:backoffice_amend", args=[booking.reference, line.pk])
    form = {"slot": line.slot_id, "adults": 3, "seniors": 0, "infants": 0, "children_ages": ""}
    response = dmc_client.post(url, {**form, "action": "preview"})
    preview = response.context["preview"]
    assert (preview.old_total, preview.new_total, preview.problem) == (
        Decimal("60.00"),
        Decimal("90.00"),
        None,
    )
    assert not Amendment.objects.exists()
    response = dmc_client.post(url, {**form, "action": "confirm", "expected_total": "90.00"})
    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.total_retail == Decimal("90.00")
    assert Slot.objects.get(pk=line.slot_id).held == 3


def test_amend_refuses_a_total_that_was_not_shown(dmc_client):
    booking = hold_experience(adults=2)
    line = booking.lines.get()
    url = reverse("bookings:backoffice_amend", args=[booking.reference, line.pk])
    form = {"slot": line.slot_id, "adults": 3, "seniors": 0, "infants": 0, "children_ages": ""}
    response = dmc_client.post(url, {**form, "action": "confirm", "expected_total": "60.00"})
    assert response.status_code == 200
    assert "price changed" in response.content.decode()
    booking.refresh_from_db()
    assert booking.total_retail == Decimal("60.00")


def test_amend_beyond_capacity_shows_the_problem(dmc_client):
    booking = hold_experience(adults=2, capacity=4)
    line = booking.lines.get()
    url = reverse("bookings:backoffice_amend", args=[booking.reference, line.pk])
    form = {"slot": line.slot_id, "adults": 6, "seniors": 0, "infants": 0, "children_ages": ""}
    response = dmc_client.post(url, {**form, "action": "confirm", "expected_total": "180.00"})
    assert response.status_code == 200
    assert response.context["preview"].problem
    assert Slot.objects.get(pk=line.slot_id).held == 2


def test_resend_voucher_regenerates_it_and_sends_the_confirmation_on_commit(
    dmc_client, django_capture_on_commit_callbacks
):
    booking = hold_experience()
    services.booking_confirm(booking=booking)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = dmc_client.post(detail_url(booking, "backoffice_resend_voucher"))
    assert response.status_code == 302
    assert Voucher.objects.get(booking=booking).version == 1
    assert any(booking.reference in m.subject for m in mail.outbox)


def test_mark_no_show_and_voucher_refused_for_a_held_booking(dmc_client):
    held = hold_experience()
    response = dmc_client.post(detail_url(held, "backoffice_resend_voucher"), follow=True)
    assert "Only a confirmed booking" in response.content.decode()
    response = dmc_client.post(
        detail_url(held, "backoffice_complete"), {"outcome": "no_show"}, follow=True
    )
    assert response.status_code == 200  # InvalidTransition became a message
    held.refresh_from_db()
    assert held.status == BookingStatus.HELD
    services.booking_confirm(booking=held)
    response = dmc_client.post(
        detail_url(held, "backoffice_complete"), {"outcome": "no_show"}, follow=True
    )
    assert "has not taken place yet" in response.content.decode()  # the tour is in 10 days
    held.refresh_from_db()
    assert held.status == BookingStatus.CONFIRMED
    held.lines.update(service_date=timezone.localdate())  # the day of the tour
    dmc_client.post(detail_url(held, "backoffice_complete"), {"outcome": "no_show"})
    held.refresh_from_db()
    assert held.status == BookingStatus.NO_SHOW
