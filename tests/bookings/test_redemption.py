"""Redemption only on the service day (the operator's local day, Europe/Rome), only the
operator's lines of that day; a booking completes once every service is served or a no-show."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from bookings import services
from bookings.models import (
    BookingStatus,
    LineStatus,
    RedemptionAttempt,
    SupplierTerms,
)
from operators.pricing import PaxMix
from tests.operators.factories import SlotFactory, bookable_experience, bookable_stay

pytestmark = pytest.mark.django_db
ROME = ZoneInfo("Europe/Rome")


def at(day, hour=10, minute=0):
    """An instant in Rome's local time."""
    return datetime.combine(day, time(hour, minute), tzinfo=ROME)


def _confirmed(lines):
    booking = services.booking_hold(
        lines=lines, channel="web", contact_name="Anna", contact_email="anna@example.com"
    )
    return services.booking_confirm(booking=booking)


def _tour(product, slot, adults=2):
    return services.LineRequest(
        product=product, day=slot.date, slot=slot, pax=PaxMix.of(adults=adults)
    )


def _redeem(organisation, booking, now):
    return services.voucher_redeem(
        organisation=organisation, actor=None, raw=booking.reference, method="code", now=now
    )


def test_a_code_entered_days_before_the_service_is_refused_and_completes_nothing():
    """The issue's case: entered on 29 November for a service on 9 December."""
    product, slot = bookable_experience()
    booking = _confirmed([_tour(product, slot)])
    result = _redeem(product.organisation, booking, at(slot.date - timedelta(days=10)))
    assert not result.accepted
    assert result.code == services.RedeemCode.TOO_EARLY
    assert result.other_days == [slot.date]
    booking.refresh_from_db()
    line = booking.lines.get()
    assert booking.status == BookingStatus.CONFIRMED
    assert line.status == LineStatus.ACTIVE and line.redeemed_at is None
    attempt = RedemptionAttempt.objects.get()
    assert not attempt.accepted and attempt.reason.startswith("not_yet_service_day")


def test_the_service_day_is_the_operators_local_day_in_rome():
    product, slot = bookable_experience()
    booking = _confirmed([_tour(product, slot)])
    # 23:30 in Rome the evening before is not the service day yet.
    evening_before = at(slot.date - timedelta(days=1), 23, 30)
    assert evening_before.astimezone(ZoneInfo("UTC")).date() == slot.date - timedelta(days=1)
    assert not _redeem(product.organisation, booking, evening_before).accepted
    # 00:30 in Rome is the service day, although it is still the day before in UTC.
    just_after_midnight = at(slot.date, 0, 30)
    assert just_after_midnight.astimezone(ZoneInfo("UTC")).date() == slot.date - timedelta(days=1)
    result = _redeem(product.organisation, booking, just_after_midnight)
    assert result.accepted and result.code == services.RedeemCode.REDEEMED
    booking.refresh_from_db()
    assert booking.status == BookingStatus.COMPLETED


def test_a_service_day_that_has_passed_is_refused_with_its_code():
    product, slot = bookable_experience()
    booking = _confirmed([_tour(product, slot)])
    result = _redeem(product.organisation, booking, at(slot.date + timedelta(days=1)))
    assert not result.accepted
    assert result.code == services.RedeemCode.SERVICE_PASSED
    assert booking.lines.get().redeemed_at is None


def test_only_the_lines_of_that_day_are_redeemed_and_the_booking_waits_for_the_others():
    product, first = bookable_experience()
    second = SlotFactory(product=product, date=first.date + timedelta(days=2))
    booking = _confirmed([_tour(product, first), _tour(product, second)])
    result = _redeem(product.organisation, booking, at(first.date))
    assert result.accepted
    assert [ln.service_date for ln in result.lines] == [first.date]
    assert result.other_days == [second.date]
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED
    statuses = dict(booking.lines.values_list("service_date", "status"))
    assert statuses == {first.date: LineStatus.COMPLETED, second.date: LineStatus.ACTIVE}
    # The same day again: already redeemed, and the second day's line is left alone.
    again = _redeem(product.organisation, booking, at(first.date, 18))
    assert not again.accepted and again.code == services.RedeemCode.TOO_EARLY
    assert _redeem(product.organisation, booking, at(second.date)).accepted
    booking.refresh_from_db()
    assert booking.status == BookingStatus.COMPLETED
    last = _redeem(product.organisation, booking, at(second.date, 12))
    assert last.code == services.RedeemCode.ALREADY_REDEEMED


def test_another_operators_line_keeps_the_booking_open_until_served_or_no_show():
    tour, slot = bookable_experience()
    other, other_slot = bookable_experience(days_ahead=12)
    booking = _confirmed([_tour(tour, slot), _tour(other, other_slot)])
    assert _redeem(tour.organisation, booking, at(slot.date)).accepted
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED
    assert booking.lines.get(product=other).status == LineStatus.ACTIVE
    # A no-show is recorded only from the service's day on.
    with pytest.raises(services.ServiceNotReached):
        services.booking_complete(booking=booking, no_show=True, today=slot.date)
    services.booking_complete(booking=booking, no_show=True, today=other_slot.date)
    booking.refresh_from_db()
    assert booking.status == BookingStatus.COMPLETED  # one service was served
    assert booking.lines.get(product=other).status == LineStatus.NO_SHOW
    assert booking.lines.get(product=tour).status == LineStatus.COMPLETED


def test_a_booking_nobody_came_to_is_a_no_show():
    product, slot = bookable_experience()
    booking = _confirmed([_tour(product, slot)])
    services.booking_complete(booking=booking, no_show=True, today=slot.date)
    booking.refresh_from_db()
    assert booking.status == BookingStatus.NO_SHOW


def _stay_booking():
    hotel, room, start = bookable_stay()
    booking = _confirmed(
        [
            services.LineRequest(
                product=hotel,
                day=start,
                unit_type=room,
                check_out=start + timedelta(days=3),
                units=1,
                pax=PaxMix.of(adults=2),
            )
        ]
    )
    return hotel, start, booking


def test_a_stay_may_be_redeemed_early_within_the_tolerance_and_during_the_stay(settings):
    settings.BOOKINGS_EARLY_CHECKIN_DAYS = 1
    hotel, start, booking = _stay_booking()
    too_early = _redeem(hotel.organisation, booking, at(start - timedelta(days=2)))
    assert too_early.code == services.RedeemCode.TOO_EARLY
    assert _redeem(hotel.organisation, booking, at(start - timedelta(days=1), 20)).accepted


def test_an_operators_own_tolerance_wins_over_the_default(settings):
    settings.BOOKINGS_EARLY_CHECKIN_DAYS = 1
    hotel, start, booking = _stay_booking()
    SupplierTerms.objects.create(organisation=hotel.organisation, early_checkin_days=0)
    assert not _redeem(hotel.organisation, booking, at(start - timedelta(days=1), 20)).accepted
    # A late arrival on the second night is still within the stay.
    assert _redeem(hotel.organisation, booking, at(start + timedelta(days=1), 22)).accepted
    booking.refresh_from_db()
    assert booking.status == BookingStatus.COMPLETED


def test_the_redeem_page_says_not_today(owner_client, operator_org):
    from django.urls import reverse

    product, slot = bookable_experience(organisation=operator_org)
    booking = _confirmed([_tour(product, slot)])
    response = owner_client.post(
        reverse("bookings:operator_redeem"), {"raw": booking.reference, "method": "code"}
    )
    assert response.status_code == 409
    body = response.content.decode()
    assert "redeem-refused" in body and 'data-code="not_yet_service_day"' in body
    assert timezone.localdate() < slot.date
