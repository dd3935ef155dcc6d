from types import SimpleNamespace

import pytest
from django.test import RequestFactory
from django.utils.translation import override

from bookings import nav, selectors, services
from bookings.models import Booking, BookingLine, Participant
from operators.pricing import PaxMix
from tests.bookings.factories import hold_experience
from tests.bookings.test_rooming import group_booking
from tests.factories import OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_the_back_office_list_counts_each_booking_once_with_line_filters():
    booking, _unit_type = group_booking()  # two lines, same comune
    comune_id = booking.lines.first().product.comune_id
    found = list(selectors.bookings_for_backoffice(selectors.BookingFilters(comune_id=comune_id)))
    assert [b.pk for b in found] == [booking.pk]
    assert found[0].line_count == 2


def test_the_detail_loads_in_a_fixed_number_of_queries(django_assert_num_queries):
    booking, _unit_type = group_booking()
    Participant.objects.create(booking=booking, first_name="A", last_name="B")
    services.booking_confirm(booking=booking)
    # booking, lines, components, allocations, participants, amendments, events
    with django_assert_num_queries(7):
        detail = selectors.booking_detail(Booking.objects, reference=booking.reference)
        summary = selectors.allocation_summary(detail)
        [line.title for line in detail.top_lines]
        [p.unit_type for p in detail.participants.all()]
        [(e.actor, e.action) for e in detail.events.all()]
    assert summary[0]["state"] == "sold"
    assert summary[0]["units"] == 2 * 2 + 5  # 2 rooms x 2 nights + 5 seats


def test_the_manifest_does_not_grow_with_the_bookings(django_assert_num_queries):
    supplier = OrganisationFactory()
    first = hold_experience(organisation=supplier, capacity=20)
    slot = first.lines.get().slot
    for i in range(3):
        booking = services.booking_hold(
            lines=[
                services.LineRequest(
                    product=slot.product, day=slot.date, slot=slot, pax=PaxMix.of(adults=1)
                )
            ],
            channel="web",
            contact_name=f"Guest {i}",
            contact_email="x@example.com",
        )
        Participant.objects.create(booking=booking, first_name="P", last_name=str(i))
    with django_assert_num_queries(2):
        lines = selectors.slot_manifest(slot=slot, supplier=supplier)
        names = [p.last_name for ln in lines for p in ln.booking.participants.all()]
    assert len(lines) == 4
    assert sorted(names) == ["0", "1", "2"]


def test_operator_lines_put_past_ones_last():
    supplier = OrganisationFactory()
    soon = hold_experience(organisation=supplier, days_ahead=2)
    later = hold_experience(organisation=supplier, days_ahead=9)
    BookingLine.objects.filter(booking=later).update(
        service_date=soon.lines.get().service_date.replace(year=2020)
    )
    qs = selectors.lines_for_operator(BookingLine.objects.filter(supplier=supplier))
    assert [ln.booking_id for ln in qs] == [soon.pk, later.pk]


@override("en")
def test_navigation_links_per_role():
    request = RequestFactory().get("/")
    request.user = UserFactory()
    labels = lambda org, dmc: [str(label) for label, _url in nav.items(request, org, dmc)]  # noqa: E731
    assert labels(SimpleNamespace(kind="operator"), False) == ["Bookings", "Redeem"]
    assert labels(SimpleNamespace(kind="trade"), False) == ["Bookings"]
    assert labels(SimpleNamespace(kind="dmc"), True) == ["Bookings"]
    assert labels(None, False) == ["My bookings"]
