"""The cart: several items in one held booking, removed items give their places back, an
expired cart says so and releases everything, the checkout records participants and
consents, and the one payment of the whole cart goes through the existing checkout."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from bookings.models import Booking, BookingEvent, BookingStatus
from bookings.services.cart import CartClosed, cart_lines_add
from bookings.services.planning import LineRequest
from operators.pricing import PaxMix
from tests.operators.factories import bookable_experience, bookable_stay

pytestmark = pytest.mark.django_db

CONTACT = {"contact_name": "Emily Clarke", "contact_email": "emily@example.co.uk"}


def _add_experience(client, slot, product, adults=2):
    return client.post(
        reverse("discover_book", args=[product.slug]),
        {
            "start": slot.date.isoformat(),
            "end": (slot.date + timedelta(days=1)).isoformat(),
            "adults": adults,
            "choice": f"slot:{slot.pk}:{adults}",
            **CONTACT,
        },
    )


def _add_stay(client, hotel, unit_type, start, nights=2):
    return client.post(
        reverse("discover_book", args=[hotel.slug]),
        {
            "start": start.isoformat(),
            "end": (start + timedelta(days=nights)).isoformat(),
            "adults": 2,
            "choice": f"unit:{unit_type.pk}:1",
            **CONTACT,
        },
    )


def _nights_held(unit_type):
    return sorted(unit_type.nights.values_list("held", flat=True))


@pytest.fixture
def cart(client):
    """A cart with a guided tour (2 x 30) and a two-night stay (2 x 120)."""
    product, slot = bookable_experience(capacity=8, title_en="Walls of Lucca")
    hotel, unit_type, start = bookable_stay(units=2)
    assert _add_experience(client, slot, product).url == reverse("cart")
    assert _add_stay(client, hotel, unit_type, start).url == reverse("cart")
    return Booking.objects.get(), slot, unit_type


def test_two_items_join_one_held_booking_with_one_hold(client, cart):
    booking, slot, unit_type = cart
    assert booking.status == BookingStatus.HELD
    assert booking.lines.filter(parent__isnull=True).count() == 2
    assert booking.total_retail == 300
    slot.refresh_from_db()
    assert slot.held == 2
    assert _nights_held(unit_type).count(1) == 2
    page = client.get(reverse("cart"))
    body = page.content.decode()
    assert "Walls of Lucca" in body and "300.00" in body
    assert "Your places are held until" in body  # says the time without JavaScript
    assert 840 <= page.context["seconds_left"] <= 900
    assert BookingEvent.objects.filter(booking=booking, action="cart_add").count() == 1


def test_adding_an_item_holds_the_whole_cart_again_for_15_minutes(client):
    product, slot = bookable_experience(capacity=8)
    other, other_slot = bookable_experience(capacity=8)
    _add_experience(client, slot, product)
    booking = Booking.objects.get()
    Booking.objects.filter(pk=booking.pk).update(expires_at=timezone.now() + timedelta(minutes=2))
    _add_experience(client, other_slot, other)
    booking.refresh_from_db()
    assert booking.expires_at > timezone.now() + timedelta(minutes=14)


def test_an_item_that_does_not_fit_leaves_the_cart_as_it_was(client, cart):
    booking, slot, _unit_type = cart
    product, small = bookable_experience(capacity=1)
    response = _add_experience(client, small, product, adults=2)
    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.lines.filter(parent__isnull=True).count() == 2
    assert booking.total_retail == 300
    small.refresh_from_db()
    assert small.held == 0


def test_removing_an_item_releases_its_inventory(client, cart):
    booking, slot, unit_type = cart
    stay_line = booking.lines.get(kind="accommodation")
    client.post(reverse("cart_remove", args=[stay_line.pk]))
    booking.refresh_from_db()
    assert booking.status == BookingStatus.HELD
    assert booking.total_retail == 60
    assert _nights_held(unit_type).count(1) == 0
    tour_line = booking.lines.get()
    client.post(reverse("cart_remove", args=[tour_line.pk]))
    booking.refresh_from_db()
    slot.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED
    assert slot.held == 0
    assert "Your cart is empty" in client.get(reverse("cart")).content.decode()


def test_another_visitor_cannot_remove_an_item_of_my_cart(client, cart):
    from django.test import Client

    booking, slot, _unit_type = cart
    line = booking.lines.get(kind="experience")
    stranger = Client()
    product, other_slot = bookable_experience(capacity=8)
    _add_experience(stranger, other_slot, product)
    stranger.post(reverse("cart_remove", args=[line.pk]))
    slot.refresh_from_db()
    assert slot.held == 2
    assert booking.lines.filter(pk=line.pk).exists()


def test_an_expired_cart_says_so_and_releases_everything(client, cart):
    booking, slot, unit_type = cart
    Booking.objects.filter(pk=booking.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    page = client.get(reverse("cart"))
    assert "Your cart has expired" in page.content.decode()
    booking.refresh_from_db()
    slot.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED
    assert slot.held == 0
    assert _nights_held(unit_type).count(1) == 0
    # the checkout of an expired cart is closed too
    assert client.get(reverse("cart_checkout")).url == reverse("cart")


def _checkout(client, **extra):
    data = {
        "p0-first_name": "Emily",
        "p0-last_name": "Clarke",
        "p1-first_name": "Tom",
        "p1-last_name": "Clarke",
        "p1-dietary_needs": "vegetarian",
        **extra,
    }
    return client.post(reverse("cart_checkout"), data)


def test_checkout_needs_terms_and_privacy_then_records_participants(client, cart):
    booking, _slot, _unit_type = cart
    refused = _checkout(client)
    assert refused.status_code == 400
    errors = refused.context["form"].errors
    assert "accept_terms" in errors and "accept_privacy" in errors
    assert not booking.participants.exists()
    done = _checkout(client, accept_terms="on", accept_privacy="on")
    assert done.status_code == 302
    assert f"/checkout/{booking.reference}/" in done.url
    names = sorted(booking.participants.values_list("first_name", "dietary_needs"))
    assert names == [("Emily", ""), ("Tom", "vegetarian")]
    consent = BookingEvent.objects.get(booking=booking, action="checkout_consent")
    assert consent.data["terms"] and consent.data["privacy"]


def test_a_half_given_name_is_a_form_error(client, cart):
    response = _checkout(client, accept_terms="on", accept_privacy="on", **{"p1-last_name": ""})
    assert response.status_code == 400
    assert response.context["participant_forms"][1].non_field_errors()


def test_a_package_in_the_cart_needs_the_pre_contract_acceptance(client, cart):
    from tests.packages.factories import ComponentFactory, PackageFactory

    booking, _slot, _unit_type = cart
    package = PackageFactory()
    tour, slot = bookable_experience(capacity=10)
    ComponentFactory(package=package, product=tour, day_offset=0)
    client.post(
        reverse("discover_package", args=[package.slug]),
        {"start": slot.date.isoformat(), "adults": 2, **CONTACT, "accept_terms": "on"},
    )
    assert booking.lines.filter(parent__isnull=True).count() == 3
    page = client.get(reverse("cart_checkout"))
    assert reverse("packages:precontract", args=[package.slug]) in page.content.decode()
    refused = _checkout(client, accept_terms="on", accept_privacy="on")
    assert "accept_package_terms" in refused.context["form"].errors
    accepted = _checkout(client, accept_terms="on", accept_privacy="on", accept_package_terms="on")
    assert accepted.status_code == 302
    booking.refresh_from_db()
    assert booking.package_terms_accepted_at is not None


def test_once_the_payment_started_the_cart_is_closed_to_changes(client, cart):
    from bookings.services import booking_request_payment

    booking, _slot, _unit_type = cart
    booking_request_payment(booking=booking)
    product, slot = bookable_experience(capacity=8)
    with pytest.raises(CartClosed):
        cart_lines_add(
            booking=booking,
            lines=[LineRequest(product=product, day=slot.date, slot=slot, pax=PaxMix.of(adults=1))],
        )
    response = _add_experience(client, slot, product)
    assert response.url == reverse("cart")
    slot.refresh_from_db()
    assert slot.held == 0
    assert booking.lines.filter(parent__isnull=True).count() == 2
    page = client.get(reverse("cart")).content.decode()
    assert "Continue to payment" in page and "Remove" not in page
    # the checkout goes straight to the payment already started
    assert f"/checkout/{booking.reference}/" in client.get(reverse("cart_checkout")).url


def test_a_paid_cart_is_forgotten_and_the_next_item_starts_a_new_one(client, cart):
    from bookings.services import booking_confirm

    booking, _slot, _unit_type = cart
    booking_confirm(booking=booking)
    page = client.get(reverse("cart")).content.decode()
    assert "is paid and confirmed" in page
    product, slot = bookable_experience(capacity=8)
    _add_experience(client, slot, product)
    assert Booking.objects.count() == 2
    assert Booking.objects.exclude(pk=booking.pk).get().status == BookingStatus.HELD


def test_cart_pages_in_german(client, cart):
    page = client.get("/de/cart/")
    assert page.status_code == 200
    assert "Warenkorb" in page.content.decode()
