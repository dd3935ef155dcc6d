"""The storefront's cart: the traveller's session names one held booking (its reference);
items join it through `bookings.services.cart`. Nothing here decides inventory or money."""

from __future__ import annotations

from django.contrib import messages
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from bookings import services as booking_services
from bookings.models import Booking, BookingStatus
from bookings.services.cart import (
    cart_claim_on_sign_in,
    cart_is_expired,
    cart_lines_add,
    cart_release_if_expired,
)

SESSION_KEY = "portal_cart"


def cart_booking(request) -> Booking | None:
    """The booking the session's cart names, whatever its state (the views say what it is)."""
    reference = request.session.get(SESSION_KEY)
    if not reference:
        return None
    return Booking.objects.filter(reference=reference).first()


def cart_forget(request) -> None:
    request.session.pop(SESSION_KEY, None)


def cart_add(
    request,
    *,
    lines=(),
    package_lines=(),
    contact: dict,
    channel: str,
    buyer_organisation=None,
) -> Booking:
    """Add to the session's open cart, or start a new one (a 15-minute hold) when there is
    none, or when the last one was paid, cancelled or has expired (released at once). A
    trade partner's member books for the partner (`buyer_organisation`)."""
    actor = request.user if request.user.is_authenticated else None
    current = cart_booking(request)
    if current is not None and cart_is_expired(current):
        cart_release_if_expired(booking=current)
        current = None
    if current is not None and current.status in (
        BookingStatus.HELD,
        BookingStatus.PENDING_PAYMENT,
    ):
        return cart_lines_add(
            booking=current, lines=list(lines), package_lines=list(package_lines), actor=actor
        )
    booking = booking_services.booking_hold(
        lines=list(lines),
        package_lines=list(package_lines),
        channel=channel,
        contact_name=contact["contact_name"],
        contact_email=contact["contact_email"],
        contact_phone=contact.get("contact_phone", ""),
        language=request.LANGUAGE_CODE,
        buyer_user=actor,
        buyer_organisation=buyer_organisation,
        actor=actor,
    )
    request.session[SESSION_KEY] = booking.reference
    return booking


def cart_contact(request) -> dict:
    """The contact of the open cart, to prefill the next item's form."""
    booking = cart_booking(request)
    if booking is None or booking.status != BookingStatus.HELD:
        return {}
    return {
        "contact_name": booking.contact_name,
        "contact_email": booking.contact_email,
        "contact_phone": booking.contact_phone,
    }


def cart_on_sign_in(sender, request, user, **kwargs) -> None:
    """`user_logged_in` (allauth's login and signup both send it): the guest cart becomes the
    account's, merged with the cart the account already had (see `cart_claim_on_sign_in`),
    and the traveller is told what moved and what could not be kept."""
    if request is None or not hasattr(request, "session"):
        return
    current = cart_booking(request)
    if current is not None and cart_is_expired(current):
        cart_release_if_expired(booking=current)  # its places go back now, not at the sweep
        current.refresh_from_db()
    result = cart_claim_on_sign_in(user=user, booking=current)
    if result.booking is None:
        cart_forget(request)
        return
    request.session[SESSION_KEY] = result.booking.reference
    if result.moved:
        messages.info(
            request,
            ngettext(
                "%(count)d item from your earlier cart is now in this cart: %(items)s.",
                "%(count)d items from your earlier cart are now in this cart: %(items)s.",
                len(result.moved),
            )
            % {"count": len(result.moved), "items": ", ".join(result.moved)},
        )
    if result.dropped:
        messages.warning(
            request,
            _("%(items)s could not be kept (the date has passed): released, nothing was charged.")
            % {"items": ", ".join(result.dropped)},
        )
