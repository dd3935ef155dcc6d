from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from packages.models import Component, Departure, Package
from packages.services import (
    DepartureFull,
    component_add,
    departure_create,
    departure_release_pax,
    departure_take_pax,
    departures_create_series,
    departures_process_guarantees,
    package_clone,
    package_create,
    package_publish,
    package_update,
)
from tests.operators.factories import ProductFactory, bookable_experience, bookable_stay

from .factories import ComponentFactory, DepartureFactory, PackageFactory, dmc_user

pytestmark = pytest.mark.django_db


def test_package_create_makes_a_draft_with_a_slug():
    package = package_create(
        data={
            "title_it": "Puccini e le mura",
            "title_en": "Puccini and the walls",
            "duration_days": 3,
            "duration_nights": 2,
            "valid_from": date(2027, 4, 1),
            "valid_until": date(2027, 10, 31),
        }
    )
    assert package.status == "draft" and package.slug == "puccini-and-the-walls"


def test_a_package_with_more_nights_than_days_is_refused():
    with pytest.raises(ValidationError) as exc:
        package_create(
            data={
                "title_it": "X",
                "title_en": "X",
                "duration_days": 2,
                "duration_nights": 3,
                "valid_from": date(2027, 4, 1),
                "valid_until": date(2027, 10, 31),
            }
        )
    assert "duration_nights" in exc.value.message_dict
    assert not Package.objects.exists()


@pytest.mark.parametrize("status", ["draft", "submitted", "archived"])
def test_a_component_of_an_unpublished_product_is_refused(status):
    package = PackageFactory()
    product = ProductFactory(status=status)
    with pytest.raises(ValidationError) as exc:
        component_add(package=package, data={"product": product})
    assert "only published products" in exc.value.message_dict["product"][0]
    assert not Component.objects.exists()


def test_a_day_offset_beyond_the_duration_is_refused():
    package = PackageFactory(duration_days=3, duration_nights=2)
    tour, _ = bookable_experience()
    with pytest.raises(ValidationError) as exc:
        component_add(package=package, data={"product": tour, "day_offset": 3})
    assert "beyond the package's 3 days" in exc.value.message_dict["day_offset"][0]


def test_a_stay_longer_than_the_package_is_refused():
    package = PackageFactory(duration_days=3, duration_nights=2)
    hotel, room, _ = bookable_stay()
    with pytest.raises(ValidationError) as exc:
        component_add(
            package=package,
            data={"product": hotel, "unit_type": room, "day_offset": 1, "nights": 2},
        )
    assert "nights" in exc.value.message_dict


def test_a_hotel_without_its_unit_type_and_per_room_for_a_tour_are_refused():
    package = PackageFactory()
    hotel, _room, _ = bookable_stay()
    _other_hotel, foreign_room, _ = bookable_stay()
    with pytest.raises(ValidationError) as exc:
        component_add(package=package, data={"product": hotel, "unit_type": foreign_room})
    assert "unit_type" in exc.value.message_dict
    tour, _ = bookable_experience()
    with pytest.raises(ValidationError) as exc:
        component_add(package=package, data={"product": tour, "quantity_rule": "per_room"})
    assert "quantity_rule" in exc.value.message_dict


def test_an_unpublished_or_different_kind_alternative_is_refused():
    package = PackageFactory()
    tour, _ = bookable_experience()
    hotel, _room, _ = bookable_stay()
    with pytest.raises(ValidationError) as exc:
        component_add(package=package, data={"product": tour, "alternative_product": hotel})
    assert "same kind" in exc.value.message_dict["alternative_product"][0]
    draft = ProductFactory(status="draft")
    with pytest.raises(ValidationError):
        component_add(package=package, data={"product": tour, "alternative_product": draft})


def test_a_markup_below_the_nets_is_refused_and_nothing_is_written():
    package = PackageFactory(valid_from=timezone.localdate() + timedelta(days=10))
    tour, _ = bookable_experience(adult="30.00", net="24.00")
    component_add(package=package, data={"product": tour})
    with pytest.raises(ValidationError) as exc:
        package_update(package=package, data={"markup_value": Decimal("-25")})
    assert "below the operators' nets" in exc.value.message_dict["markup_value"][0]
    package.refresh_from_db()
    assert package.markup_value == 0
    package_update(package=package, data={"markup_value": Decimal("-15")})  # 25.50 ≥ 24
    package.refresh_from_db()
    assert package.markup_value == Decimal("-15")


def test_the_component_adds_its_comune_to_the_package():
    package = PackageFactory()
    tour, _ = bookable_experience()
    component_add(package=package, data={"product": tour})
    assert list(package.comuni.all()) == [tour.comune]


def test_publish_needs_components_and_the_legal_information():
    package = PackageFactory(status="draft", insurer="")
    with pytest.raises(ValidationError) as exc:
        package_publish(package=package)
    messages = " ".join(exc.value.message_dict["status"])
    assert "at least one included component" in messages and "insurer" in messages


def test_clone_copies_components_but_not_departures():
    package = PackageFactory()
    tour, _ = bookable_experience()
    ComponentFactory(package=package, product=tour)
    DepartureFactory(package=package)
    copy = package_clone(package=package)
    assert copy.status == "draft" and copy.slug != package.slug
    assert copy.components.count() == 1 and copy.departures.count() == 0
    assert copy.title_en.endswith("(copy)")


def test_a_departure_outside_the_validity_is_refused():
    package = PackageFactory(valid_from=date(2027, 4, 1), valid_until=date(2027, 10, 31))
    with pytest.raises(ValidationError) as exc:
        departure_create(package=package, date=date(2027, 11, 6), capacity=20)
    assert "outside the package's validity" in exc.value.message_dict["date"][0]
    with pytest.raises(ValidationError):
        departures_create_series(
            package=package,
            start=date(2027, 3, 1),
            end=date(2027, 10, 31),
            weekdays="6",
            capacity=20,
        )
    assert not Departure.objects.exists()


def test_a_series_of_saturdays_with_the_guarantee_rule():
    package = PackageFactory(
        valid_from=date(2027, 4, 1),
        valid_until=date(2027, 10, 31),
        guarantee_min_pax=8,
        guarantee_cutoff_days=10,
    )
    made = departures_create_series(
        package=package, start=date(2027, 4, 1), end=date(2027, 10, 31), weekdays="6", capacity=20
    )
    saturdays = [date(2027, 4, 3) + timedelta(weeks=n) for n in range(31)]
    assert saturdays[-1] == date(2027, 10, 30)
    assert sorted(d.date for d in made) == saturdays
    assert all(d.date.isoweekday() == 6 for d in made)
    first = Departure.objects.order_by("date").first()
    assert first.date == date(2027, 4, 3)
    assert (first.min_pax, first.cutoff_date) == (8, date(2027, 3, 24))
    # idempotent: the same series again adds nothing
    assert (
        departures_create_series(
            package=package,
            start=date(2027, 4, 1),
            end=date(2027, 10, 31),
            weekdays="6",
            capacity=20,
        )
        == []
    )


def test_taking_and_releasing_places_on_a_departure():
    departure = DepartureFactory(capacity=10)
    departure = departure_take_pax(departure=departure, pax=8)
    assert departure.booked_pax == 8
    with pytest.raises(DepartureFull) as exc:
        departure_take_pax(departure=departure, pax=3)
    assert exc.value.code == "sold_out"
    departure = departure_release_pax(departure=departure, pax=5)
    assert departure.booked_pax == 3
    with pytest.raises(ValidationError):
        departure_release_pax(departure=departure, pax=4)


def test_a_fixed_departure_package_is_bookable_only_on_its_departures(trip, day):
    from operators.pricing import PaxMix
    from packages.services import package_quote

    package = trip["package"]
    package.departure_mode = "fixed"
    package.save()
    assert (
        "no departure"
        in package_quote(package=package, start_date=day, pax=PaxMix(adults=2)).problems[0]
    )
    departure = DepartureFactory(package=package, date=day, capacity=3, booked_pax=2)
    q = package_quote(package=package, start_date=day, pax=PaxMix(adults=2))
    assert not q.available and "Only 1 places left" in q.problems[0]
    departure.booked_pax = 0
    departure.save()
    q = package_quote(package=package, start_date=day, pax=PaxMix(adults=2))
    assert q.available and q.departure_id == departure.pk


def test_guarantee_processing_confirms_or_cancels_and_notifies_the_dmc(
    mailoutbox, django_capture_on_commit_callbacks
):
    dmc_user()
    today = date(2027, 5, 1)
    package = PackageFactory(valid_from=date(2027, 4, 1), valid_until=date(2027, 10, 31))
    full = DepartureFactory(
        package=package, date=date(2027, 5, 8), min_pax=6, cutoff_date=today, booked_pax=7
    )
    thin = DepartureFactory(
        package=package,
        date=date(2027, 5, 9),
        min_pax=6,
        cutoff_date=today - timedelta(days=1),
        booked_pax=2,
    )
    later = DepartureFactory(
        package=package, date=date(2027, 6, 5), min_pax=6, cutoff_date=date(2027, 5, 26)
    )
    no_rule = DepartureFactory(package=package, date=date(2027, 5, 10), cutoff_date=today)

    with django_capture_on_commit_callbacks(execute=True):
        result = departures_process_guarantees(today=today)

    assert [d.pk for d in result["guaranteed"]] == [full.pk]
    assert [d.pk for d in result["cancelled"]] == [thin.pk]
    for departure, status in (
        (full, "guaranteed"),
        (thin, "cancelled"),
        (later, "scheduled"),
        (no_rule, "scheduled"),
    ):
        departure.refresh_from_db()
        assert departure.status == status
    assert len(mailoutbox) == 2
    # The DMC reads them in Italian; one mail per decided departure, each naming its date.
    subjects = {m.subject for m in mailoutbox}
    assert any("2027-05-09" in s for s in subjects) and any("2027-05-08" in s for s in subjects)
    assert len(subjects) == 2
    cancelled_mail = next(m for m in mailoutbox if "2027-05-09" in m.subject)
    assert "2" in cancelled_mail.body and "6" in cancelled_mail.body
    assert mailoutbox[0].to == ["dmc@example.com"]
    # processing again changes nothing and sends nothing
    with django_capture_on_commit_callbacks(execute=True):
        again = departures_process_guarantees(today=today)
    assert again == {"guaranteed": [], "cancelled": []} and len(mailoutbox) == 2
