"""The cart (items held together, a countdown, remove) and its checkout (participants,
pre-contract information of packages, terms and privacy), before the one card payment of
`payments` for the whole booking."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from bookings.models import BookingStatus, LineStatus
from bookings.rooming import rooming_limits
from bookings.services import Busy
from bookings.services.cart import (
    CartClosed,
    CartExpired,
    CheckoutDetails,
    cart_checkout_save,
    cart_is_expired,
    cart_line_remove,
    cart_release_if_expired,
)
from portal.cart import cart_booking, cart_forget


class ParticipantForm(forms.Form):
    first_name = forms.CharField(label=gettext_lazy("First name"), max_length=100, required=False)
    last_name = forms.CharField(label=gettext_lazy("Last name"), max_length=100, required=False)
    dietary_needs = forms.CharField(
        label=gettext_lazy("Dietary needs"), max_length=200, required=False
    )
    accessibility_needs = forms.CharField(
        label=gettext_lazy("Accessibility needs"), max_length=200, required=False
    )

    def clean(self):
        cleaned = super().clean()
        named = bool(cleaned.get("first_name")) + bool(cleaned.get("last_name"))
        others = cleaned.get("dietary_needs") or cleaned.get("accessibility_needs")
        if named == 1 or (others and not named):
            raise ValidationError(_("Give both the first and the last name."), code="name")
        return cleaned


class CheckoutForm(forms.Form):
    accept_terms = forms.BooleanField(
        label=gettext_lazy("I accept the terms and conditions of sale."), required=False
    )
    accept_privacy = forms.BooleanField(
        label=gettext_lazy("I have read the privacy notice."), required=False
    )
    accept_package_terms = forms.BooleanField(
        label=gettext_lazy(
            "I have read the pre-contract information of the package travel and accept its "
            "conditions."
        ),
        required=False,
    )


def _participant_forms(persons: int, data=None, initial=None):
    initial = initial or []
    return [
        ParticipantForm(
            data,
            prefix=f"p{index}",
            initial=initial[index] if index < len(initial) else None,
        )
        for index in range(max(persons, 1))
    ]


def _lines(booking):
    return list(
        booking.lines.filter(parent__isnull=True, status=LineStatus.ACTIVE)
        .prefetch_related("components")
        .order_by("position", "pk")
    )


def _state(request):
    """(booking, state): state is "empty", "expired", "paid", "closed" or "open"."""
    booking = cart_booking(request)
    if booking is None:
        return None, "empty"
    if cart_is_expired(booking):
        cart_release_if_expired(booking=booking)
        cart_forget(request)
        return booking, "expired"
    if booking.status == BookingStatus.CANCELLED:
        cart_forget(request)
        return booking, ("expired" if booking.cancel_reason == "expired" else "empty")
    if booking.status in (BookingStatus.CONFIRMED, BookingStatus.COMPLETED):
        cart_forget(request)
        return booking, "paid"
    if booking.status == BookingStatus.PENDING_PAYMENT:
        return booking, "paying"
    return booking, "open"


def _countdown(booking) -> dict:
    seconds = max(int((booking.expires_at - timezone.now()).total_seconds()), 0)
    return {
        "expires_at": booking.expires_at,
        "seconds_left": seconds,
        "minutes_left": seconds // 60,
    }


def _payment_url(booking) -> str:
    from payments.views_pages import checkout_url

    return checkout_url(booking)


def cart_page(request):
    booking, state = _state(request)
    context = {"booking": booking, "state": state}
    if state in ("open", "paying"):
        context.update(_countdown(booking))
        context["lines"] = _lines(booking)
        context["payment_url"] = _payment_url(booking)
    elif state == "paid":
        context["payment_url"] = _payment_url(booking)
    response = render(request, "portal/cart.html", context)
    response["Cache-Control"] = "no-store"
    return response


@require_POST
def cart_remove(request, line_id):
    booking, state = _state(request)
    if state == "open":
        try:
            cart_line_remove(
                booking=booking,
                line_id=line_id,
                actor=request.user if request.user.is_authenticated else None,
            )
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        except (CartClosed, CartExpired, Busy) as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("The item was removed and its places released."))
    return redirect("cart")


def cart_checkout(request):
    booking, state = _state(request)
    if state == "paying":
        return redirect(_payment_url(booking))
    if state != "open":
        return redirect("cart")
    lines = _lines(booking)
    persons = rooming_limits(booking).persons
    existing = [
        {
            "first_name": p.first_name,
            "last_name": p.last_name,
            "dietary_needs": p.dietary_needs,
            "accessibility_needs": p.accessibility_needs,
        }
        for p in booking.participants.filter(cancelled=False).order_by("pk")
    ]
    if not existing:
        first, _sep, last = booking.contact_name.partition(" ")
        existing = [{"first_name": first, "last_name": last}]
    data = request.POST if request.method == "POST" else None
    participant_forms = _participant_forms(persons, data, existing)
    form = CheckoutForm(data)
    packages = [ln for ln in lines if ln.kind == "package"]
    status = 200
    if data is not None:
        valid = form.is_valid() & all(f.is_valid() for f in participant_forms)
        if valid:
            people = [f.cleaned_data for f in participant_forms if f.cleaned_data.get("first_name")]
            try:
                cart_checkout_save(
                    booking=booking,
                    details=CheckoutDetails(
                        participants=people,
                        terms_accepted=form.cleaned_data["accept_terms"],
                        privacy_accepted=form.cleaned_data["accept_privacy"],
                        package_terms_accepted=form.cleaned_data["accept_package_terms"],
                    ),
                    actor=request.user if request.user.is_authenticated else None,
                )
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    if field in form.fields:
                        form.add_error(field, errors)
                    elif field == "participants":
                        participant_forms[0].add_error(None, errors)
                    else:
                        form.add_error(None, errors)
            except (CartClosed, CartExpired, Busy) as exc:
                messages.error(request, exc.message)
                return redirect("cart")
            else:
                return redirect(_payment_url(booking))
        status = 400
    context = {
        "booking": booking,
        "lines": lines,
        "packages": packages,
        "form": form,
        "participant_forms": participant_forms,
        "other_persons": len(participant_forms) - 1,
        **_countdown(booking),
    }
    response = render(request, "portal/cart_checkout.html", context, status=status)
    response["Cache-Control"] = "no-store"
    return response


def terms_page(request):
    from portal.legal import legal_page

    return legal_page(request, "terms")


def privacy_page(request):
    from portal.legal import legal_page

    return legal_page(request, "privacy")
