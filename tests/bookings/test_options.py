"""An option ends before the first service minus the operator's cut-off, when it is taken
and when it is extended."""

from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone

from bookings import services
from bookings.models import SupplierTerms, TradeContract
from operators.pricing import PaxMix
from tests.bookings.test_views_backoffice import dmc_client  # noqa: F401 - fixture
from tests.factories import OrganisationFactory
from tests.operators.factories import bookable_experience
from tests.packages.conftest import day, trip  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db


def _partner(option_days=10):
    partner = OrganisationFactory(kind="trade", subkind="tour_operator")
    TradeContract.objects.create(organisation=partner, option_days=option_days)
    return partner


def _option(days_ahead, partner=None, **kwargs):
    product, slot = bookable_experience(days_ahead=days_ahead, **kwargs)
    booking = services.booking_hold(
        lines=[
            services.LineRequest(product=product, day=slot.date, slot=slot, pax=PaxMix.of(adults=2))
        ],
        channel="trade",
        contact_name="Emma",
        contact_email="emma@example.com",
        buyer_organisation=partner or _partner(),
    )
    return booking, product, slot


def test_the_initial_option_ends_at_the_service_minus_the_default_cut_off(settings):
    settings.BOOKINGS_OPTION_CUTOFF_HOURS = 48
    booking, _product, slot = _option(days_ahead=4)  # a 10-day option would pass the service
    assert booking.expires_at == slot.starts_at - timedelta(hours=48)


def test_the_operators_own_cut_off_wins(settings):
    settings.BOOKINGS_OPTION_CUTOFF_HOURS = 48
    organisation = OrganisationFactory()
    SupplierTerms.objects.create(organisation=organisation, option_cutoff_hours=96)
    booking, _product, slot = _option(days_ahead=8, organisation=organisation)
    assert booking.expires_at == slot.starts_at - timedelta(hours=96)


def test_a_short_option_well_before_the_service_is_unchanged():
    before = timezone.now()
    booking, _product, _slot = _option(days_ahead=30, partner=_partner(option_days=3))
    assert before + timedelta(days=3) <= booking.expires_at <= timezone.now() + timedelta(days=3)


def test_within_the_cut_off_only_the_minutes_to_confirm_at_once_are_given():
    booking, _product, _slot = _option(days_ahead=1)
    assert booking.expires_at <= timezone.now() + services.TRAVELLER_HOLD


def test_extending_past_the_cut_off_is_refused_with_its_code(settings):
    settings.BOOKINGS_OPTION_CUTOFF_HOURS = 48
    booking, _product, slot = _option(days_ahead=10, partner=_partner(option_days=2))
    latest = slot.starts_at - timedelta(hours=48)
    with pytest.raises(services.OptionBeyondCutoff) as refused:
        services.booking_extend_option(booking=booking, until=latest + timedelta(minutes=1))
    assert refused.value.code == "option_beyond_cutoff"
    booking.refresh_from_db()
    assert booking.expires_at < latest
    services.booking_extend_option(booking=booking, until=latest)
    booking.refresh_from_db()
    assert booking.expires_at == latest


def test_the_extend_form_of_the_back_office_shows_the_refusal(dmc_client, settings):  # noqa: F811
    from django.urls import reverse

    settings.BOOKINGS_OPTION_CUTOFF_HOURS = 48
    booking, _product, slot = _option(days_ahead=10, partner=_partner(option_days=2))
    until = timezone.localtime(slot.starts_at)  # the service itself
    response = dmc_client.post(
        reverse("bookings:backoffice_extend", args=[booking.reference]),
        {"until": until.strftime("%Y-%m-%dT%H:%M"), "reason": "group late"},
        follow=True,
    )
    assert "cut-off" in response.content.decode()
    booking.refresh_from_db()
    assert booking.expires_at < slot.starts_at - timedelta(hours=48)


def test_a_package_option_follows_its_earliest_component(trip, day, settings):  # noqa: F811
    from bookings.package_lines import PackageLineRequest

    settings.BOOKINGS_OPTION_CUTOFF_HOURS = 48
    booking = services.booking_hold(
        lines=[],
        package_lines=[
            PackageLineRequest(
                package=trip["package"],
                start_date=day,
                pax=PaxMix.of(adults=2),
                terms_accepted=True,
            )
        ],
        channel="trade",
        contact_name="Emma",
        contact_email="emma@example.com",
        buyer_organisation=_partner(option_days=30),
    )
    start_of_day = timezone.make_aware(datetime.combine(day, time.min))
    assert booking.expires_at == start_of_day - timedelta(hours=48)
