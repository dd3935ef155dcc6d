from datetime import timedelta

import pytest
from django.urls import reverse

from bookings.models import Booking, BookingStatus
from marketplace.errors import WORDING
from tests.factories import UserFactory
from tests.operators.factories import bookable_experience, bookable_stay

pytestmark = pytest.mark.django_db


def _search(slot_date, **extra):
    return {
        "start": slot_date.isoformat(),
        "end": (slot_date + timedelta(days=1)).isoformat(),
        "adults": 2,
        **extra,
    }


def test_search_finds_bookable_products_and_hides_sold_out_ones(client):
    product, slot = bookable_experience(capacity=10)
    full, full_slot = bookable_experience(capacity=1)
    response = client.get(reverse("discover"), _search(slot.date))
    assert response.status_code == 200
    found = [item.product for item in response.context["results"]]
    assert product in found
    assert full not in found  # a party of 2 does not fit in a slot of 1


def test_search_form_errors_are_shown_not_500(client):
    response = client.get(
        reverse("discover"),
        {"start": "2020-01-01", "end": "2020-01-02", "adults": 2, "children_ages": "x"},
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert "start" in form.errors and "children_ages" in form.errors


def test_product_page_prices_the_options_for_the_party(client):
    product, slot = bookable_experience(capacity=10)
    from django.utils import translation

    with translation.override("it"):
        url = reverse("discover_product", args=[product.slug])
    response = client.get(url, _search(slot.date))
    assert response.status_code == 200
    option = response.context["availability"].slots[0]
    assert option.quote.retail_total == 60  # 2 adults x 30
    assert "60,00" in response.content.decode()  # Italian formatting by default


def test_unpublished_products_are_not_shown(client):
    product, _slot = bookable_experience(status="draft")
    assert client.get(reverse("discover_product", args=[product.slug])).status_code == 404


def test_booking_holds_the_places_for_a_logged_in_traveller(client):
    traveller = UserFactory()
    client.force_login(traveller)
    product, slot = bookable_experience(capacity=10)
    response = client.post(
        reverse("discover_book", args=[product.slug]),
        {
            **_search(slot.date),
            "slot": slot.pk,
            "units": 2,
            "contact_name": "Anna Rossi",
            "contact_email": "anna@example.com",
        },
    )
    assert response.status_code == 302
    booking = Booking.objects.get()
    assert booking.status == BookingStatus.HELD
    assert booking.buyer_user == traveller
    assert booking.channel == "web"
    slot.refresh_from_db()
    assert slot.held == 2


def test_booking_a_stay(client):
    hotel, unit_type, start = bookable_stay(units=2)
    response = client.post(
        reverse("discover_book", args=[hotel.slug]),
        {
            "start": start.isoformat(),
            "end": (start + timedelta(days=2)).isoformat(),
            "adults": 2,
            "unit_type": unit_type.pk,
            "units": 1,
            "contact_name": "Emily Clarke",
            "contact_email": "emily@example.co.uk",
        },
    )
    assert response.status_code == 302
    booking = Booking.objects.get()
    assert booking.lines.get().allocations.count() == 2


def test_a_sold_out_option_is_a_message_and_holds_nothing(client):
    product, slot = bookable_experience(capacity=1)
    response = client.post(
        reverse("discover_book", args=[product.slug]),
        {
            **_search(slot.date),
            "slot": slot.pk,
            "contact_name": "Anna",
            "contact_email": "anna@example.com",
        },
        follow=True,
    )
    assert response.status_code == 200
    assert not Booking.objects.exists()
    # Told by the error's code (issue 10 item 10), not by the engine's message text.
    assert [str(m) for m in response.context["messages"]] == [str(WORDING["sold_out"])]


def test_booking_a_package_requires_the_pre_contract_acceptance(client):
    from tests.packages.factories import ComponentFactory, PackageFactory

    package = PackageFactory()
    tour, slot = bookable_experience(capacity=10)
    ComponentFactory(package=package, product=tour, day_offset=0)
    url = reverse("discover_package", args=[package.slug])
    body = {
        "start": slot.date.isoformat(),
        "adults": 2,
        "contact_name": "Anna",
        "contact_email": "anna@example.com",
    }
    refused = client.post(url, body)
    assert refused.status_code == 200
    assert "accept_terms" in refused.context["form"].errors
    assert not Booking.objects.exists()
    booked = client.post(url, {**body, "accept_terms": "on"})
    assert booked.status_code == 302
    booking = Booking.objects.get()
    assert booking.package_terms_accepted_at is not None
    assert booking.lines.get(parent__isnull=True).kind == "package"


def test_an_iat_agent_books_through_the_iat_channel(client):
    from accounts.models import Role
    from tests.factories import MembershipFactory, OrganisationFactory

    desk = OrganisationFactory(kind="iat", subkind="")
    agent = MembershipFactory(organisation=desk, role=Role.STAFF).user
    client.force_login(agent)
    product, slot = bookable_experience(capacity=10)
    client.post(
        reverse("discover_book", args=[product.slug]),
        {
            **_search(slot.date),
            "slot": slot.pk,
            "units": 2,
            "contact_name": "Visitor",
            "contact_email": "visitor@example.com",
        },
    )
    assert Booking.objects.get().channel == "iat"


@pytest.mark.parametrize(
    "language, more_than, exact",
    [
        ("en", "More than 12 offers available", "13 offers available"),
        ("it", "Più di 12 offerte disponibili", "13 offerte disponibili"),
        ("de", "Mehr als 12 Angebote", "13 Angebote"),
        ("fr", "Plus de 12 offres disponibles", "13 offres disponibles"),
    ],
)
def test_a_full_page_says_more_than_and_the_last_page_says_how_many(
    client, language, more_than, exact
):
    """Nothing is counted beyond the page: page 1 of 13 matches says "more than 12", the last
    page knows the total, in every language of the portal."""
    from django.utils import translation

    for i in range(13):
        _product, slot = bookable_experience(title=f"Walk {i:02}")
    with translation.override(language):
        url = reverse("discover")
    first = client.get(url, _search(slot.date))
    body = first.content.decode()
    assert more_than in body and exact not in body
    assert (first.context["total"], first.context["at_least"], first.context["has_next"]) == (
        12,
        True,
        True,
    )
    assert len(first.context["results"]) == 12
    last = client.get(url, _search(slot.date, page=2)).content.decode()
    assert exact in last and more_than not in last
