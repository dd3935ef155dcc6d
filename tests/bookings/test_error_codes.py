"""Every domain error carries its code where it is raised: the same request answers the same
code and status in every language (the message is translated, the code never is)."""

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction

from bookings.models import Booking
from bookings.services.inventory import violated_constraint
from operators.models import NightInventory, Slot
from packages.models import Departure
from packages.services import DepartureFull, departure_take_pax
from tests.factories import OrganisationFactory, api_key_for
from tests.operators.factories import bookable_experience, bookable_stay
from tests.packages.conftest import day, trip  # noqa: F401 - fixtures
from tests.packages.factories import DepartureFactory

pytestmark = pytest.mark.django_db

LANGUAGES = ["it", "en", "de", "fr"]


@pytest.fixture
def partner_client(api_client):
    partner = OrganisationFactory(name="Tuscany Tours", kind="trade", subkind="tour_operator")
    _key, raw = api_key_for(partner)
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return api_client


def _hold(client, language, *, lines=(), packages=()):
    body = {
        "contact_name": "Hans Müller",
        "contact_email": "hans@example.de",
        "lines": list(lines),
        "packages": list(packages),
        "accept_package_terms": True,
    }
    return client.post("/api/v1/bookings/", body, format="json", HTTP_ACCEPT_LANGUAGE=language)


def _answers(client, **request):
    """(status, code, field) for the request in each language, and the messages."""
    seen, messages = set(), set()
    for language in LANGUAGES:
        response = _hold(client, language, **request)
        error = response.json()["error"]
        seen.add((response.status_code, error["code"], error["field"]))
        messages.add(error["message"])
    return seen, messages


def test_a_sold_out_stay_is_409_sold_out_in_every_language(partner_client):
    hotel, unit_type, start = bookable_stay(units=1, nights=3)
    NightInventory.objects.filter(unit_type=unit_type, date=start + timedelta(days=1)).update(
        sold=1
    )
    line = {
        "product": hotel.slug,
        "date": start.isoformat(),
        "unit_type": unit_type.pk,
        "check_out": (start + timedelta(days=3)).isoformat(),
        "adults": 2,
    }
    seen, messages = _answers(partner_client, lines=[line])
    assert seen == {(409, "sold_out", None)}
    assert len(messages) > 1, "the message is translated, the code is not"
    assert not Booking.objects.exists()


def test_a_stay_the_property_cannot_take_is_400_with_its_own_code(partner_client):
    hotel, unit_type, start = bookable_stay(units=2, nights=3, min_stay=3)
    line = {
        "product": hotel.slug,
        "date": start.isoformat(),
        "unit_type": unit_type.pk,
        "check_out": (start + timedelta(days=1)).isoformat(),
        "adults": 2,
    }
    seen, _messages = _answers(partner_client, lines=[line])
    assert seen == {(400, "min_stay", "date")}


def test_bad_pax_is_400_on_the_field_in_every_language(partner_client):
    product, slot = bookable_experience(capacity=10)
    line = {"product": product.slug, "date": slot.date.isoformat(), "slot": slot.pk, "adults": 0}
    seen, _messages = _answers(partner_client, lines=[line])
    assert len(seen) == 1
    status, code, field = seen.pop()
    assert status == 400 and code != "sold_out" and field == "pax"


def test_a_full_fixed_departure_is_409_sold_out_in_every_language(partner_client, trip, day):  # noqa: F811
    package = trip["package"]
    package.departure_mode = "fixed"
    package.save()
    DepartureFactory(package=package, date=day, capacity=2)
    item = {"package": package.slug, "date": day.isoformat(), "adults": 3}
    seen, _messages = _answers(partner_client, packages=[item])
    assert seen == {(409, "sold_out", None)}
    assert not Booking.objects.exists()


def test_too_many_participants_is_400_not_sold_out(partner_client, trip, day):  # noqa: F811
    package = trip["package"]
    package.departure_mode = "fixed"
    package.max_pax = 4
    package.save()
    DepartureFactory(package=package, date=day, capacity=2)
    item = {"package": package.slug, "date": day.isoformat(), "adults": 5}
    seen, _messages = _answers(partner_client, packages=[item])
    assert seen == {(400, "invalid", "package")}


def test_taking_places_on_a_full_departure_raises_sold_out(trip, day):  # noqa: F811
    departure = DepartureFactory(package=trip["package"], date=day, capacity=2)
    with pytest.raises(DepartureFull) as caught:
        departure_take_pax(departure=departure, pax=3)
    assert (caught.value.code, caught.value.api_status) == ("sold_out", 409)
    assert Departure.objects.get(pk=departure.pk).booked_pax == 0


def test_the_violated_constraint_is_read_from_the_driver_not_the_message():
    _product, slot = bookable_experience(capacity=2)
    with pytest.raises(IntegrityError) as caught, transaction.atomic():
        Slot.objects.filter(pk=slot.pk).update(held=3)
    assert violated_constraint(caught.value) == "slot_not_oversold"
