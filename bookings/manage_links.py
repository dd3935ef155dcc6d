"""The signed "manage my booking" link a guest buyer gets in every booking email: the
booking's reference signed with its own salt, no expiry (the link is the guest's key, like
the reference printed on the voucher). A tampered or foreign token finds nothing."""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.urls import reverse

from .models import Booking

SALT = "bookings.manage-my-booking"


def manage_token(booking: Booking) -> str:
    return signing.Signer(salt=SALT).sign(booking.reference)


def manage_path(booking: Booking) -> str:
    return reverse("bookings:guest_detail", args=[manage_token(booking)])


def manage_url(booking: Booking) -> str:
    return settings.SITE_URL + manage_path(booking)


def booking_for_token(token: str) -> Booking | None:
    """The booking a token names, or None if the signature does not match."""
    try:
        reference = signing.Signer(salt=SALT).unsign(token)
    except signing.BadSignature:
        return None
    return Booking.objects.filter(reference=reference).first()
