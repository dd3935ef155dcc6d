"""Changes of an existing booking (issue 10 item 4): a package line amended against what it
already holds plus what is free, lines added to an option or a confirmed booking, a line
removed with its penalty."""

from datetime import timedelta
from decimal import Decimal

import pytest

from bookings import services
from bookings.models import Allocation, AllocationState, Amendment, BookingLine, LineStatus
from bookings.package_lines import PackageLineRequest
from operators.models import NightInventory, Slot
from operators.pricing import PaxMix
from tests.bookings.test_views_backoffice import dmc_client  # noqa: F401 - fixture
from tests.operators.factories import SlotFactory, bookable_experience
from tests.packages.conftest import day, trip  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db


def _book_package(package, start, adults):
    booking = services.booking_hold(
        lines=[],
        package_lines=[
            PackageLineRequest(
                package=package, start_date=start, pax=PaxMix.of(adults=adults), terms_accepted=True
            )
        ],
        channel="backoffice",
        contact_name="Group",
        contact_email="group@example.com",
    )
    services.booking_confirm(booking=booking)
    return booking


def _taken(trip, day):  # noqa: F811
    slot = Slot.objects.get(pk=trip["slot"].pk)
    nights = NightInventory.objects.filter(unit_type=trip["room"], date__lt=day + timedelta(2))
    return slot.sold + slot.held, sorted({n.sold + n.held for n in nights.filter(date__gte=day)})


def test_a_package_group_shrinks_in_a_full_hotel_and_a_full_tour(trip, day):  # noqa: F811
    booking = _book_package(trip["package"], day, adults=30)  # 15 rooms, 30 seats: all
    line = booking.lines.get(parent__isnull=True)
    assert _taken(trip, day) == (30, [15])
    preview = services.package_amendment_preview(line=line, pax=PaxMix.of(adults=26))
    assert preview.problem is None
    # 4 fewer seats x 30 and 2 fewer rooms x 2 nights x 120
    assert preview.difference == Decimal("-600.00")
    services.booking_amend_package(
        line=line, pax=PaxMix.of(adults=26), expected_total=preview.new_total
    )
    assert _taken(trip, day) == (26, [13])
    line.refresh_from_db()
    assert (line.persons, line.retail_amount) == (26, Decimal("3900.00"))
    stay = line.components.get(kind="accommodation")
    assert stay.quantity == 13
    assert set(
        Allocation.objects.filter(line__parent=line, state=AllocationState.SOLD).values_list(
            "quantity", flat=True
        )
    ) == {26, 13}
    assert not Allocation.objects.filter(line__parent=line, state=AllocationState.HELD).exists()
    booking.refresh_from_db()
    assert booking.total_retail == Decimal("3900.00")
    assert Amendment.objects.get(booking=booking).difference == Decimal("-600.00")


def test_a_package_line_cannot_grow_beyond_what_is_free(trip, day):  # noqa: F811
    booking = _book_package(trip["package"], day, adults=28)
    line = booking.lines.get(parent__isnull=True)
    preview = services.package_amendment_preview(line=line, pax=PaxMix.of(adults=32))
    assert preview.problem
    with pytest.raises((services.SoldOut, services.BookingError)):
        services.booking_amend_package(line=line, pax=PaxMix.of(adults=32))
    assert _taken(trip, day) == (28, [14])  # nothing moved


def test_a_package_line_takes_a_room_choice_and_a_new_date(trip, day):  # noqa: F811
    booking = _book_package(trip["package"], day, adults=2)
    line = booking.lines.get(parent__isnull=True)
    rooms = {trip["stay_component"].pk: 2}  # two singles-used doubles
    preview = services.package_amendment_preview(line=line, rooms=rooms)
    assert preview.difference == Decimal("240.00")
    services.booking_amend_package(line=line, rooms=rooms, expected_total=preview.new_total)
    assert line.components.get(kind="accommodation").quantity == 2
    assert _taken(trip, day) == (2, [2])
    # A new date where the tour has no slot is refused; a date with one is taken.
    later = day + timedelta(days=1)
    assert services.package_amendment_preview(line=line, start_date=later).problem
    SlotFactory(
        product=trip["tour"],
        date=later,
        start_time=trip["slot"].start_time,
        capacity=10,
    )
    services.booking_amend_package(line=line, start_date=later, rooms=rooms)
    line.refresh_from_db()
    assert line.service_date == later
    tour = line.components.get(kind="experience")
    assert tour.service_date == later and tour.slot.date == later
    assert Slot.objects.get(pk=trip["slot"].pk).sold == 0
    assert NightInventory.objects.get(unit_type=trip["room"], date=day).sold == 0
    assert NightInventory.objects.get(unit_type=trip["room"], date=later).sold == 2


def _experience_booking(confirm=True, adults=2):
    product, slot = bookable_experience(capacity=10, adult="40.00", net="30.00")
    booking = services.booking_hold(
        lines=[
            services.LineRequest(
                product=product, day=slot.date, slot=slot, pax=PaxMix.of(adults=adults)
            )
        ],
        channel="backoffice",
        contact_name="Anna",
        contact_email="anna@example.com",
    )
    if confirm:
        services.booking_confirm(booking=booking)
    return booking


@pytest.mark.parametrize("confirm", [True, False])
def test_a_product_is_added_to_a_booking(confirm):
    booking = _experience_booking(confirm=confirm)
    product, slot = bookable_experience(capacity=5, adult="25.00", net="20.00", days_ahead=12)
    request = services.LineRequest(
        product=product, day=slot.date, slot=slot, pax=PaxMix.of(adults=3)
    )
    preview = services.add_lines_preview(booking=booking, lines=[request])
    assert (preview.problem, preview.difference) == (None, Decimal("75.00"))
    amendment = services.booking_add_lines(
        booking=booking, lines=[request], expected_total=preview.new_total
    )
    booking.refresh_from_db()
    assert booking.total_retail == Decimal("155.00")
    assert amendment.difference == Decimal("75.00")
    added = BookingLine.objects.get(pk=amendment.data["added"][0])
    assert added.position == 2 and added.status == LineStatus.ACTIVE
    slot.refresh_from_db()
    state = "sold" if confirm else "held"
    assert getattr(slot, state) == 3
    assert added.allocations.get().state == state


def test_an_added_line_that_does_not_fit_or_a_price_not_shown_writes_nothing():
    booking = _experience_booking()
    product, slot = bookable_experience(capacity=2, adult="25.00", net="20.00")
    request = services.LineRequest(
        product=product, day=slot.date, slot=slot, pax=PaxMix.of(adults=3)
    )
    assert services.add_lines_preview(booking=booking, lines=[request]).problem
    with pytest.raises(services.SoldOut):
        services.booking_add_lines(booking=booking, lines=[request])
    fits = services.LineRequest(product=product, day=slot.date, slot=slot, pax=PaxMix.of(adults=2))
    with pytest.raises(services.BookingError) as exc:
        services.booking_add_lines(booking=booking, lines=[fits], expected_total=Decimal("80.00"))
    assert "expected_total" in exc.value.message_dict
    slot.refresh_from_db()
    assert (slot.sold, slot.held) == (0, 0)
    assert booking.lines.count() == 1 and not Amendment.objects.exists()


def test_a_package_is_added_to_a_confirmed_booking(trip, day):  # noqa: F811
    booking = _experience_booking()
    request = PackageLineRequest(
        package=trip["package"], start_date=day, pax=PaxMix.of(adults=2), terms_accepted=True
    )
    amendment = services.booking_add_lines(booking=booking, package_lines=[request])
    assert amendment.difference == Decimal("300.00")
    parent = BookingLine.objects.get(pk=amendment.data["added"][0])
    assert parent.kind == "package" and parent.components.count() == 2
    assert set(Allocation.objects.filter(line__parent=parent).values_list("state", flat=True)) == {
        "sold"
    }
    assert _taken(trip, day) == (2, [1])
    assert Slot.objects.get(pk=trip["slot"].pk).sold == 2


def test_a_cancelled_booking_takes_no_new_line():
    booking = _experience_booking()
    services.booking_cancel(booking=booking, reason="dmc", waive_penalty=True)
    product, slot = bookable_experience(capacity=5)
    request = services.LineRequest(
        product=product, day=slot.date, slot=slot, pax=PaxMix.of(adults=1)
    )
    with pytest.raises(services.InvalidTransition):
        services.booking_add_lines(booking=booking, lines=[request])
    slot.refresh_from_db()
    assert slot.held == slot.sold == 0


def test_removing_a_line_cancels_it_with_its_penalty():
    booking = _experience_booking()
    product, slot = bookable_experience(capacity=5, adult="25.00", net="20.00", days_ahead=3)
    request = services.LineRequest(
        product=product, day=slot.date, slot=slot, pax=PaxMix.of(adults=2)
    )
    amendment = services.booking_add_lines(booking=booking, lines=[request])
    line = BookingLine.objects.get(pk=amendment.data["added"][0])
    penalty = services.line_removal_preview(line=line)
    assert penalty == Decimal("25.00")  # 50% within 7 days (default tiers)
    result = services.booking_remove_line(line=line)
    assert result.penalty == penalty
    line.refresh_from_db()
    assert (line.status, line.penalty_amount) == (LineStatus.CANCELLED, penalty)
    booking.refresh_from_db()
    assert booking.status == "confirmed"
    assert booking.total_retail == Decimal("105.00")  # 80 + the penalty kept
    slot.refresh_from_db()
    assert slot.sold == 0


def test_the_back_office_adds_a_product_and_removes_a_line(dmc_client):  # noqa: F811
    from django.urls import reverse

    booking = _experience_booking()
    product, slot = bookable_experience(capacity=5, adult="25.00", net="20.00", days_ahead=12)
    url = reverse("bookings:backoffice_add_line", args=[booking.reference])
    page = dmc_client.get(url).content.decode()
    assert f'value="product:{product.pk}"' in page
    data = {
        "item": f"product:{product.pk}",
        "day": slot.date.isoformat(),
        "adults": 2,
        "seniors": 0,
        "infants": 0,
    }
    preview = dmc_client.post(url, {**data, "action": "preview"}).context["preview"]
    assert (preview.problem, preview.new_total) == (None, Decimal("130.00"))
    dmc_client.post(url, {**data, "action": "confirm", "expected_total": "999.00"})
    assert booking.lines.count() == 1  # a total nobody saw is refused
    response = dmc_client.post(url, {**data, "action": "confirm", "expected_total": "130.00"})
    assert response.status_code == 302
    added = booking.lines.get(product=product)
    amend = reverse("bookings:backoffice_amend", args=[booking.reference, added.pk])
    page = dmc_client.get(amend).content.decode()
    assert 'value="remove"' in page
    dmc_client.post(amend, {"action": "remove", "reason": "buyer", "waive_penalty": "on"})
    added.refresh_from_db()
    assert (added.status, added.penalty_amount) == (LineStatus.CANCELLED, Decimal("0"))
    # Bad input is a form error, never a 500.
    assert dmc_client.post(url, {"item": "product:999999", "day": "x"}).status_code == 200


def test_the_back_office_amends_a_package_line(dmc_client, trip, day):  # noqa: F811
    from django.urls import reverse

    booking = _book_package(trip["package"], day, adults=30)
    line = booking.lines.get(parent__isnull=True)
    url = reverse("bookings:backoffice_amend", args=[booking.reference, line.pk])
    page = dmc_client.get(url).content.decode()
    rooms_field = f"rooms_{trip['stay_component'].pk}"
    assert f'name="{rooms_field}"' in page
    data = {"day": day.isoformat(), "adults": 26, "seniors": 0, "infants": 0}
    preview = dmc_client.post(url, {**data, "action": "preview"}).context["preview"]
    assert preview.problem is None
    dmc_client.post(url, {**data, "action": "confirm", "expected_total": str(preview.new_total)})
    line.refresh_from_db()
    assert line.persons == 26
    assert _taken(trip, day) == (26, [13])


def test_another_staff_less_user_cannot_add_lines(client):
    from django.urls import reverse

    from tests.factories import MembershipFactory

    booking = _experience_booking()
    user = MembershipFactory().user
    client.force_login(user)
    url = reverse("bookings:backoffice_add_line", args=[booking.reference])
    assert client.get(url).status_code in (403, 404)
