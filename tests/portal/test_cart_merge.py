"""A guest's cart survives signing in (allauth login or signup): the same held booking, the
same countdown, now the account's; merged with a cart the account already had (its lines and
their held places move over: nothing held twice, nothing lost); what cannot be kept is
released and named."""

from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from bookings.models import Allocation, AllocationState, Booking, BookingStatus
from portal.cart import SESSION_KEY
from tests.factories import UserFactory
from tests.operators.factories import bookable_experience, bookable_stay
from tests.portal.test_cart import _add_experience, _add_stay, _nights_held

pytestmark = pytest.mark.django_db

PASSWORD = "secret-pass-123"


def _login(client, user):
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302, response.content[:500]
    return response


def _held(slot):
    slot.refresh_from_db()
    return slot.held


def _messages(response_or_client):
    return [str(m) for m in get_messages(response_or_client.wsgi_request)]


def test_the_guest_cart_is_the_accounts_cart_after_signing_in(client):
    user = UserFactory()
    product, slot = bookable_experience(capacity=8, title_en="Walls of Lucca")
    _add_experience(client, slot, product)
    booking = Booking.objects.get()
    expires = booking.expires_at
    assert booking.buyer_user is None

    _login(client, user)

    booking.refresh_from_db()
    assert client.session[SESSION_KEY] == booking.reference
    assert booking.buyer_user == user
    assert booking.status == BookingStatus.HELD
    assert booking.expires_at == expires  # the countdown is not restarted
    assert _held(slot) == 2
    page = client.get(reverse("cart"))
    assert "Walls of Lucca" in page.content.decode()


def test_signing_up_keeps_the_guest_cart(client):
    product, slot = bookable_experience(capacity=8)
    _add_experience(client, slot, product)
    booking = Booking.objects.get()
    response = client.post(
        reverse("account_signup"),
        {"email": "new.traveller@example.com", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.buyer_user.email == "new.traveller@example.com"
    assert client.session[SESSION_KEY] == booking.reference
    assert _held(slot) == 2


def test_a_cart_the_account_already_had_is_merged_without_holding_twice(client):
    user = UserFactory()
    # On another device, signed in: a stay in the account's cart.
    elsewhere = Client()
    elsewhere.force_login(user)
    hotel, unit_type, start = bookable_stay(units=2)
    _add_stay(elsewhere, hotel, unit_type, start)
    older = Booking.objects.get()
    assert older.buyer_user == user
    # Here, as a guest: a tour.
    product, slot = bookable_experience(capacity=8, title_en="Walls of Lucca")
    _add_experience(client, slot, product)
    guest = Booking.objects.exclude(pk=older.pk).get()
    expires = guest.expires_at

    response = _login(client, user)

    guest.refresh_from_db()
    older.refresh_from_db()
    assert client.session[SESSION_KEY] == guest.reference
    assert guest.expires_at == expires
    assert sorted(guest.lines.filter(parent__isnull=True).values_list("kind", flat=True)) == [
        "accommodation",
        "experience",
    ]
    assert guest.total_retail == 300
    assert older.status == BookingStatus.CANCELLED
    assert not older.lines.exists()
    # The places are held once, by the merged cart.
    assert _held(slot) == 2
    assert _nights_held(unit_type).count(1) == 2
    held = Allocation.objects.filter(state=AllocationState.HELD)
    assert {a.line.booking_id for a in held} == {guest.pk}
    assert any("1 item from your earlier cart" in m for m in _messages(response))


def test_the_accounts_cart_is_found_again_when_the_guest_had_none(client):
    user = UserFactory()
    elsewhere = Client()
    elsewhere.force_login(user)
    product, slot = bookable_experience(capacity=8)
    _add_experience(elsewhere, slot, product)
    older = Booking.objects.get()

    _login(client, user)

    assert client.session[SESSION_KEY] == older.reference
    older.refresh_from_db()
    assert older.status == BookingStatus.HELD
    assert _held(slot) == 2


def test_an_item_that_can_no_longer_be_kept_is_released_and_named(client):
    user = UserFactory()
    elsewhere = Client()
    elsewhere.force_login(user)
    old_product, old_slot = bookable_experience(capacity=8, title_en="Paper museum")
    _add_experience(elsewhere, old_slot, old_product)
    older = Booking.objects.get()
    # The earlier cart's tour has started meanwhile: it cannot be sold any more.
    older.lines.update(service_date=timezone.localdate() - timedelta(days=1))
    product, slot = bookable_experience(capacity=8)
    _add_experience(client, slot, product)
    guest = Booking.objects.exclude(pk=older.pk).get()

    response = _login(client, user)

    guest.refresh_from_db()
    older.refresh_from_db()
    assert guest.lines.filter(parent__isnull=True).count() == 1
    assert older.status == BookingStatus.CANCELLED
    assert _held(old_slot) == 0  # released, not lost in a cancelled cart
    assert _held(slot) == 2
    assert any("Paper museum" in m and "could not be kept" in m for m in _messages(response))


def test_an_account_cart_whose_payment_started_is_left_alone(client):
    user = UserFactory()
    elsewhere = Client()
    elsewhere.force_login(user)
    old_product, old_slot = bookable_experience(capacity=8)
    _add_experience(elsewhere, old_slot, old_product)
    older = Booking.objects.get()
    Booking.objects.filter(pk=older.pk).update(status=BookingStatus.PENDING_PAYMENT)
    product, slot = bookable_experience(capacity=8)
    _add_experience(client, slot, product)
    guest = Booking.objects.exclude(pk=older.pk).get()

    _login(client, user)

    older.refresh_from_db()
    assert older.status == BookingStatus.PENDING_PAYMENT
    assert older.lines.count() == 1
    assert client.session[SESSION_KEY] == guest.reference
    assert guest.lines.count() == 1


def test_another_accounts_cart_is_never_taken(client):
    stranger = UserFactory()
    user = UserFactory()
    elsewhere = Client()
    elsewhere.force_login(stranger)
    product, slot = bookable_experience(capacity=8)
    _add_experience(elsewhere, slot, product)
    theirs = Booking.objects.get()

    _login(client, user)

    assert SESSION_KEY not in client.session
    theirs.refresh_from_db()
    assert theirs.buyer_user == stranger
    assert theirs.status == BookingStatus.HELD


def test_an_expired_guest_cart_gives_way_to_the_accounts_open_cart(client):
    user = UserFactory()
    elsewhere = Client()
    elsewhere.force_login(user)
    product, slot = bookable_experience(capacity=8)
    _add_experience(elsewhere, slot, product)
    older = Booking.objects.get()
    other, other_slot = bookable_experience(capacity=8)
    _add_experience(client, other_slot, other)
    guest = Booking.objects.exclude(pk=older.pk).get()
    Booking.objects.filter(pk=guest.pk).update(expires_at=timezone.now() - timedelta(minutes=1))

    _login(client, user)

    assert client.session[SESSION_KEY] == older.reference
    older.refresh_from_db()
    assert older.status == BookingStatus.HELD and older.lines.count() == 1
    guest.refresh_from_db()
    assert guest.status == BookingStatus.CANCELLED  # released at once, not at the sweep
    assert _held(other_slot) == 0
