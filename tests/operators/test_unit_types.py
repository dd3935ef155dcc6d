"""Editing and removing the unit types of an accommodation from the operator's calendar."""

from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from operators import services
from operators.models import NightInventory, Rate, UnitType
from tests.operators.factories import NightFactory, RateFactory, UnitTypeFactory

pytestmark = pytest.mark.django_db


def edit_post(unit_type, **changes):
    data = {
        "form": "unit_type_edit",
        "unit_type": unit_type.pk,
        "edit-name_it": unit_type.name_it,
        "edit-name_en": unit_type.name_en,
        "edit-standard_occupancy": unit_type.standard_occupancy,
        "edit-max_occupancy": unit_type.max_occupancy,
        "edit-max_children": unit_type.max_children,
        "edit-units": unit_type.units,
        "edit-min_stay": unit_type.min_stay,
    }
    data.update({f"edit-{k}": v for k, v in changes.items()})
    return data


@pytest.fixture
def unit_type(operator_org):
    unit_type = UnitTypeFactory(product__organisation=operator_org, units=5)
    today = timezone.localdate()
    NightFactory(unit_type=unit_type, date=today - timedelta(days=2), units=5, sold=5)
    NightFactory(unit_type=unit_type, date=today + timedelta(days=3), units=5, sold=1, held=1)
    NightFactory(unit_type=unit_type, date=today + timedelta(days=4), units=2)  # hand-set
    NightFactory(unit_type=unit_type, date=today + timedelta(days=5), units=5)
    return unit_type


def test_the_calendar_shows_the_unit_type_edit_form_filled_in(owner_client, unit_type):
    response = owner_client.get(reverse("operators:calendar", args=[unit_type.product.pk]))
    assert response.status_code == 200
    form = response.context["forms"]["unit_type_edit"]
    assert form.initial["units"] == 5 and form.initial["name_en"] == "Double room"
    assert reverse("operators:unit_type_delete", args=[unit_type.pk]) in response.content.decode()


def test_editing_a_unit_type_saves_it_and_moves_the_future_nights(owner_client, unit_type):
    url = reverse("operators:calendar", args=[unit_type.product.pk])
    response = owner_client.post(url, edit_post(unit_type, name_en="Twin room", units=3))
    assert response.status_code == 302
    unit_type.refresh_from_db()
    assert (unit_type.name_en, unit_type.units) == ("Twin room", 3)
    units = dict(unit_type.nights.values_list("date", "units"))
    today = timezone.localdate()
    assert units[today - timedelta(days=2)] == 5  # the past is history
    assert units[today + timedelta(days=3)] == 3
    assert units[today + timedelta(days=4)] == 2  # a night changed by hand keeps its count
    assert units[today + timedelta(days=5)] == 3


def test_units_below_what_is_booked_on_a_future_night_are_refused(owner_client, unit_type):
    url = reverse("operators:calendar", args=[unit_type.product.pk])
    response = owner_client.post(url, edit_post(unit_type, units=1, name_en="Changed"))
    assert response.status_code == 400
    errors = str(response.context["forms"]["unit_type_edit"].errors)
    night = (timezone.localdate() + timedelta(days=3)).isoformat()
    assert "2 units are already booked or held on" in errors and night in errors
    unit_type.refresh_from_db()
    assert (unit_type.units, unit_type.name_en) == (5, "Double room")
    assert not NightInventory.objects.filter(unit_type=unit_type, units=1).exists()


def test_units_may_go_down_to_exactly_what_is_booked_ignoring_the_past(unit_type):
    services.unit_type_save(product=unit_type.product, unit_type=unit_type, data={"units": 2})
    assert UnitType.objects.get(pk=unit_type.pk).units == 2


def test_a_unit_type_without_bookings_is_removed_with_its_nights_and_prices(
    owner_client, operator_org
):
    unit_type = UnitTypeFactory(product__organisation=operator_org)
    NightFactory(unit_type=unit_type)
    RateFactory(product=unit_type.product, unit_type=unit_type, pax_category="unit")
    response = owner_client.post(reverse("operators:unit_type_delete", args=[unit_type.pk]))
    assert response.status_code == 302
    assert not UnitType.objects.filter(pk=unit_type.pk).exists()
    assert not NightInventory.objects.filter(unit_type_id=unit_type.pk).exists()
    assert not Rate.objects.filter(unit_type_id=unit_type.pk).exists()


def test_a_unit_type_with_sold_or_held_nights_is_not_removed(owner_client, operator_org):
    unit_type = UnitTypeFactory(product__organisation=operator_org)
    night = NightFactory(unit_type=unit_type, held=1)
    response = owner_client.post(reverse("operators:unit_type_delete", args=[unit_type.pk]))
    assert response.status_code == 302
    assert UnitType.objects.filter(pk=unit_type.pk).exists()
    text = " ".join(str(m) for m in get_messages(response.wsgi_request))
    assert "cannot be removed" in text and night.date.isoformat() in text
    with pytest.raises(ValidationError):
        services.unit_type_delete(unit_type=unit_type)


def test_another_operators_unit_type_is_a_404(owner_client, other_operator_org, operator_org):
    foreign = UnitTypeFactory(product__organisation=other_operator_org, units=5)
    NightFactory(unit_type=foreign, units=5)
    response = owner_client.post(reverse("operators:unit_type_delete", args=[foreign.pk]))
    assert response.status_code == 404
    # Through the own product's calendar, naming the foreign unit type.
    own = UnitTypeFactory(product__organisation=operator_org)
    url = reverse("operators:calendar", args=[own.product.pk])
    response = owner_client.post(url, edit_post(foreign, units=9))
    assert response.status_code == 404
    # Through the foreign product's calendar.
    url = reverse("operators:calendar", args=[foreign.product.pk])
    assert owner_client.post(url, edit_post(foreign, units=9)).status_code == 404
    foreign.refresh_from_db()
    assert foreign.units == 5 and UnitType.objects.filter(pk=foreign.pk).exists()
