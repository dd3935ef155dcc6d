"""Booking a package takes every component's inventory or none."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from bookings import services
from bookings.models import Booking, BookingStatus, CancelReason, LineStatus
from bookings.package_lines import PackageLineRequest
from operators.models import NightInventory
from operators.pricing import PaxMix
from tests.packages.conftest import day, trip  # noqa: F401 - fixtures
from tests.packages.factories import DepartureFactory

pytestmark = pytest.mark.django_db


def _book(package, start, adults=2, accepted=True, **kwargs):
    return services.booking_hold(
        lines=[],
        package_lines=[
            PackageLineRequest(
                package=package,
                start_date=start,
                pax=PaxMix.of(adults=adults),
                terms_accepted=accepted,
            )
        ],
        channel="web",
        contact_name="Anna",
        contact_email="anna@example.com",
        **kwargs,
    )


def test_a_package_booking_takes_every_component(trip, day):  # noqa: F811
    booking = _book(trip["package"], day, adults=2)
    parent = booking.lines.get(parent__isnull=True)
    assert parent.kind == "package"
    assert parent.vat_regime == "margin_74ter"
    assert parent.retail_amount == Decimal("300.00")
    assert booking.total_retail == Decimal("300.00")
    assert booking.package_terms_accepted_at is not None
    assert parent.components.count() == 2
    trip["slot"].refresh_from_db()
    assert trip["slot"].held == 2
    held_nights = NightInventory.objects.filter(unit_type=trip["room"], held=1)
    assert held_nights.count() == 2
    services.booking_confirm(booking=booking)
    trip["slot"].refresh_from_db()
    assert (trip["slot"].held, trip["slot"].sold) == (0, 2)
    assert NightInventory.objects.filter(unit_type=trip["room"], sold=1).count() == 2


def test_a_sold_out_component_holds_nothing_of_the_others(trip, day):  # noqa: F811
    night = NightInventory.objects.get(unit_type=trip["room"], date=day)
    night.sold = night.units
    night.save()
    with pytest.raises((services.SoldOut, ValidationError)):
        _book(trip["package"], day)
    trip["slot"].refresh_from_db()
    assert trip["slot"].held == 0
    assert not Booking.objects.exists()


def test_the_pre_contract_information_must_be_accepted(trip, day):  # noqa: F811
    with pytest.raises(ValidationError) as exc:
        _book(trip["package"], day, accepted=False)
    assert "accept_package_terms" in exc.value.message_dict
    assert not Booking.objects.exists()


def test_cancelling_a_package_releases_all_components_and_the_departure(trip, day):  # noqa: F811
    package = trip["package"]
    package.departure_mode = "fixed"
    package.save()
    departure = DepartureFactory(package=package, date=day, capacity=10, min_pax=4)
    booking = _book(package, day, adults=3)
    departure.refresh_from_db()
    assert departure.booked_pax == 3
    services.booking_cancel(booking=booking, reason=CancelReason.BUYER)
    departure.refresh_from_db()
    trip["slot"].refresh_from_db()
    assert departure.booked_pax == 0
    assert trip["slot"].held == 0
    assert not NightInventory.objects.filter(unit_type=trip["room"], held__gt=0).exists()
    assert all(ln.status == LineStatus.CANCELLED for ln in booking.lines.all())


def test_a_departure_not_guaranteed_cancels_its_bookings_free(trip, day):  # noqa: F811
    from bookings.tasks import process_departure_guarantees

    package = trip["package"]
    package.departure_mode = "fixed"
    package.save()
    departure = DepartureFactory(package=package, date=day, capacity=10, min_pax=6, cutoff_date=day)
    booking = _book(package, day, adults=2)
    services.booking_confirm(booking=booking)
    from django.utils import timezone

    type(departure).objects.filter(pk=departure.pk).update(cutoff_date=timezone.localdate())
    result = process_departure_guarantees()
    assert result["cancelled"] == 1 and result["bookings_cancelled"] == 1
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED
    assert booking.cancel_reason == CancelReason.NOT_GUARANTEED
    assert booking.penalty_total == 0
    assert booking.refund_due == booking.lines.get(parent__isnull=True).retail_amount
