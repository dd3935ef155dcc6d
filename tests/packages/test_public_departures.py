"""The public package page lists its departure dates (fixed departures), and says when
departures are on request."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from packages.models import DepartureStatus
from tests.packages.factories import DepartureFactory, PackageFactory

pytestmark = pytest.mark.django_db


def test_the_public_page_lists_the_upcoming_departures(client):
    package = PackageFactory(departure_mode="fixed")
    today = timezone.localdate()
    soon = DepartureFactory(package=package, date=today + timedelta(days=12))
    full = DepartureFactory(package=package, date=today + timedelta(days=30), booked_pax=20)
    DepartureFactory(
        package=package, date=today + timedelta(days=40), status=DepartureStatus.CANCELLED
    )
    DepartureFactory(package=package, date=today - timedelta(days=3))
    body = client.get(reverse("packages:precontract", args=[package.slug])).content.decode()
    listed = [
        d
        for d in range(-3, 41)
        if f'data-departure="{(today + timedelta(days=d)):%Y-%m-%d}"' in body
    ]
    assert listed == [12, 30]
    assert soon.date.isoformat() in body and full.date.isoformat() in body
    assert 'data-state="full"' in body


def test_an_on_request_package_says_so(client):
    package = PackageFactory(departure_mode="on_request")
    body = client.get(reverse("packages:precontract", args=[package.slug])).content.decode()
    assert 'id="departures"' in body and "on request" in body
