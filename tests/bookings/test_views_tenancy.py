"""Every booking page with an id or reference answers 404 to the other tenants (operators,
trade partners, travellers, non-DMC users), for GET and POST, and changes nothing."""

import pytest
from django.urls import reverse

from bookings import services
from bookings.models import Booking, BookingEvent, Participant
from tests.bookings.factories import hold_experience
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db


def booking_patterns():
    from bookings.urls import urlpatterns

    return urlpatterns


@pytest.fixture
def foreign():
    """A confirmed booking of another trade partner, supplied by another operator, bought
    by another traveller, with a participant."""
    partner = OrganisationFactory(kind="trade", subkind="tour_operator")
    booking = hold_experience(buyer_organisation=partner, channel="trade")
    Booking.objects.filter(pk=booking.pk).update(buyer_user=UserFactory())
    booking = services.booking_confirm(booking=booking)
    participant = Participant.objects.create(booking=booking, first_name="A", last_name="B")
    return booking, participant


def kwargs_for(pattern, booking, participant):
    line = booking.lines.get()
    # A guest's manage pages are reached by a signed link, not by a login: a forged one is 404.
    values = {
        "reference": booking.reference,
        "pk": participant.pk,
        "line": line.pk,
        "token": f"{booking.reference}:forged-signature",
    }
    if "slot" in pattern.name or "manifest" in pattern.name:
        values["pk"] = line.slot_id
    return {k: values[k] for k in pattern.pattern.regex.groupindex}


def tenants():
    operator = MembershipFactory(organisation=OrganisationFactory(kind="operator")).user
    trade = MembershipFactory(
        organisation=OrganisationFactory(kind="trade", subkind="travel_agency")
    ).user
    return {"operator": operator, "trade": trade, "traveller": UserFactory()}


def test_every_booking_url_with_an_id_is_404_for_other_tenants(client, foreign):
    booking, participant = foreign
    events = BookingEvent.objects.filter(booking=booking).count()
    patterns = [p for p in booking_patterns() if p.pattern.regex.groupindex]
    assert len(patterns) >= 18
    checked = 0
    for role, user in tenants().items():
        client.force_login(user)
        for pattern in patterns:
            url = reverse(
                f"bookings:{pattern.name}", kwargs=kwargs_for(pattern, booking, participant)
            )
            for method in ("get", "post"):
                response = getattr(client, method)(url)
                assert response.status_code in (404, 405), (role, url, method, response.status_code)
                checked += response.status_code == 404
    assert checked >= 3 * len(patterns)
    booking.refresh_from_db()
    assert booking.status == "confirmed"
    assert BookingEvent.objects.filter(booking=booking).count() == events
    assert Participant.objects.filter(pk=participant.pk).exists()


def test_the_owners_do_reach_the_same_urls(client, foreign):
    """The 404s above are about tenancy, not broken URLs."""
    booking, participant = foreign
    line = booking.lines.get()
    client.force_login(MembershipFactory(organisation=booking.buyer_organisation).user)
    assert client.get(reverse("bookings:trade_detail", args=[booking.reference])).status_code == 200
    edit = reverse("bookings:trade_participant_edit", args=[booking.reference, participant.pk])
    assert client.get(edit).status_code == 200
    client.force_login(MembershipFactory(organisation=line.supplier).user)
    manifest = reverse("bookings:operator_manifest", args=[line.slot_id])
    assert client.get(manifest).status_code == 200
    client.force_login(booking.buyer_user)
    assert (
        client.get(reverse("bookings:account_detail", args=[booking.reference])).status_code == 200
    )


def test_list_pages_show_nothing_of_other_tenants(client, foreign):
    booking, _participant = foreign
    for role, user in tenants().items():
        client.force_login(user)
        for name in ("operator_lines", "trade_list", "account_list", "backoffice_list"):
            response = client.get(reverse(f"bookings:{name}"))
            assert response.status_code in (200, 404), (role, name)
            assert booking.reference not in response.content.decode(), (role, name)
