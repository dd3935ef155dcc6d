from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from tests.operators.factories import bookable_experience, bookable_stay

from .factories import ComponentFactory, PackageFactory


@pytest.fixture
def day():
    return timezone.localdate() + timedelta(days=10)


@pytest.fixture
def trip(db):
    """A 3-day, 2-night package: a guided tour on day 1 (30/24 per adult, 30 places) and a
    hotel double room (120/100 per night, 15 rooms) for the two nights."""
    package = PackageFactory(rounding_step=Decimal("0.01"))
    tour, slot = bookable_experience(capacity=30, adult="30.00", net="24.00")
    hotel, room, _start = bookable_stay(units=15, nights=3, price="120.00", net="100.00")
    tour_component = ComponentFactory(package=package, product=tour, day_offset=0)
    stay_component = ComponentFactory(
        package=package, product=hotel, unit_type=room, day_offset=0, quantity_rule="per_room"
    )
    return {
        "package": package,
        "tour": tour,
        "slot": slot,
        "hotel": hotel,
        "room": room,
        "tour_component": tour_component,
        "stay_component": stay_component,
    }
