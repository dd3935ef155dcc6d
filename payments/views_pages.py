"""The traveller's checkout: booking summary with the total they saw, Stripe's Card Element,
and the return page that re-reads the intent. Reachable by the buyer only: the signed-in
buyer, or anyone holding the signed link sent to a guest."""

from __future__ import annotations

import json
import logging

import stripe
from django.conf import settings
from django.contrib import messages
from django.core import signing
from django.core.exceptions import ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from bookings.models import Booking, BookingStatus

from . import services
from .gateway import is_local_stripe, stripe_client, stripe_js_url
from .models import Payment, PaymentStatus
from .schedule import schedule_plan

logger = logging.getLogger(__name__)

TOKEN_SALT = "payments.checkout"
TOKEN_MAX_AGE = 60 * 60 * 24 * 30


def checkout_token(booking: Booking) -> str:
    return signing.dumps(booking.reference, salt=TOKEN_SALT)


def checkout_url(booking: Booking) -> str:
    """The link for a guest buyer (e.g. in the hold email)."""
    return (
        reverse("payments_pages:checkout", kwargs={"reference": booking.reference})
        + f"?t={checkout_token(booking)}"
    )


class BuyerBookingMixin:
    """The booking of the URL, if the request is its buyer; 404 otherwise."""

    def get_booking(self) -> Booking:
        booking = get_object_or_404(
            Booking.objects.select_related("buyer_organisation"),
            reference=self.kwargs["reference"],
        )
        token = self.request.GET.get("t") or self.request.POST.get("t") or ""
        user = self.request.user
        if user.is_authenticated and booking.buyer_user_id == user.pk:
            self.token = token
            return booking
        try:
            reference = signing.loads(token, salt=TOKEN_SALT, max_age=TOKEN_MAX_AGE)
        except signing.BadSignature:
            reference = None
        if reference != booking.reference:
            raise Http404("Not your booking")
        self.token = token
        return booking

    def base_context(self, booking: Booking) -> dict:
        return {
            "booking": booking,
            "lines": booking.lines.filter(parent__isnull=True).order_by("position"),
            "token": self.token,
            "schedule": list(booking.payment_schedule.order_by("position"))
            or schedule_plan(booking),
            "invoice_form": _invoice_form(booking),
        }


def _invoice_form(booking: Booking, data=None):
    """The optional "I want an invoice" form: travellers only (a trade booking is invoiced
    to the agency), filled with what they already asked for."""
    from invoices.models import InvoiceRequest
    from invoices.views_traveller import InvoiceRequestForm

    if booking.buyer_organisation_id:
        return None
    if data is not None:
        return InvoiceRequestForm(data, prefix="invoice")
    instance = InvoiceRequest.objects.filter(booking=booking).first()
    return InvoiceRequestForm(instance=instance, initial={"country": "IT"}, prefix="invoice")


def _option_expired(booking: Booking) -> bool:
    """Held past its expiry, not yet released by the periodic job: it cannot be paid."""
    return (
        booking.status in (BookingStatus.HELD, BookingStatus.PENDING_PAYMENT)
        and booking.expires_at is not None
        and booking.expires_at <= timezone.now()
    )


class CheckoutView(BuyerBookingMixin, View):
    template_name = "payments/checkout.html"

    def get(self, request, reference):
        booking = self.get_booking()
        context = self.base_context(booking)
        if _option_expired(booking):
            context.update({"closed": True, "expired": True})
            return render(request, self.template_name, context)
        if booking.status not in (
            BookingStatus.HELD,
            BookingStatus.PENDING_PAYMENT,
            BookingStatus.CONFIRMED,
        ):
            context["closed"] = True
            return render(request, self.template_name, context)
        item, due = services.amount_due_now(booking)
        context.update({"item": item, "due": due, "schedule": list(booking.payment_schedule.all())})
        return render(request, self.template_name, context)

    def post(self, request, reference):
        """Create or reuse the intent for the amount the buyer saw, then show the card form."""
        booking = self.get_booking()
        context = self.base_context(booking)
        try:
            payment, intent = services.payment_intent_for_booking(
                booking=booking,
                expected_amount=request.POST.get("expected_amount", ""),
                actor=request.user if request.user.is_authenticated else None,
            )
        except ValidationError as exc:
            item, due = services.amount_due_now(booking)
            context.update({"item": item, "due": due, "errors": exc.messages})
            return render(request, self.template_name, context, status=400)
        except (stripe.StripeError, Exception) as exc:
            if not isinstance(exc, stripe.StripeError):
                from bookings.services import InvalidTransition

                if not isinstance(exc, InvalidTransition):
                    raise
            logger.warning("checkout %s: %s", booking.reference, exc)
            booking.refresh_from_db()
            if _option_expired(booking) or booking.status == BookingStatus.CANCELLED:
                # Say what the booking's state is, and offer nothing to pay.
                context.update({"booking": booking, "closed": True})
                context["expired"] = _option_expired(booking)
                return render(request, self.template_name, context, status=409)
            item, due = services.amount_due_now(booking)
            context.update(
                {"item": item, "due": due, "errors": [getattr(exc, "message", None) or str(exc)]}
            )
            return render(request, self.template_name, context, status=409)
        context.update(
            {
                "payment": payment,
                "due": payment.amount,
                "client_secret": intent["client_secret"],
                "publishable_key": settings.STRIPE_PUBLISHABLE_KEY,
                "stripe_js": stripe_js_url(),
                "local_stripe": is_local_stripe(),
                "pay_url": reverse("payments_pages:checkout_pay", kwargs={"reference": reference}),
                "return_url": reverse(
                    "payments_pages:checkout_return", kwargs={"reference": reference}
                )
                + f"?t={self.token}",
                "schedule": list(booking.payment_schedule.all()),
            }
        )
        return render(request, "payments/checkout_card.html", context)


class CheckoutInvoiceView(BuyerBookingMixin, View):
    """The checkout's "I want an invoice" section: the traveller's name, codice fiscale and
    address, saved by `invoices.traveller.invoice_request_save` (nothing written on error)."""

    def post(self, request, reference):
        from invoices.traveller import invoice_request_save

        booking = self.get_booking()
        if booking.buyer_organisation_id:
            raise Http404("A trade booking is invoiced to the agency")
        form = _invoice_form(booking, data=request.POST)
        if form.is_valid():
            try:
                invoice_request_save(
                    booking=booking,
                    data=form.cleaned_data,
                    actor=request.user if request.user.is_authenticated else None,
                )
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                messages.success(request, _("Your invoice details are saved."))
                url = reverse("payments_pages:checkout", kwargs={"reference": booking.reference})
                return redirect(f"{url}?t={self.token}" if self.token else url)
        context = self.base_context(booking)
        context["invoice_form"] = form
        context["invoice_open"] = True
        if not _option_expired(booking) and booking.status in (
            BookingStatus.HELD,
            BookingStatus.PENDING_PAYMENT,
            BookingStatus.CONFIRMED,
        ):
            item, due = services.amount_due_now(booking)
            context.update({"item": item, "due": due})
        else:
            context["closed"] = True
            context["expired"] = _option_expired(booking)
        return render(request, CheckoutView.template_name, context, status=400)


class CheckoutPayView(BuyerBookingMixin, View):
    """With the local Stripe server: the page tokenised the card with Stripe.js; the server
    attaches it to the intent and confirms; the page then completes 3-D Secure if asked."""

    def post(self, request, reference):
        booking = self.get_booking()
        try:
            data = json.loads(request.body or b"{}")
        except ValueError:
            data = {}
        payment = (
            Payment.objects.filter(booking=booking, pk=data.get("payment"))
            .exclude(stripe_payment_intent_id=None)
            .first()
        )
        if payment is None:
            return JsonResponse({"error": _("Unknown payment.")}, status=404)
        renewed = {}
        try:
            if payment.status == PaymentStatus.FAILED:
                # A declined card retried on the same page: the instalment's next attempt (a new
                # intent for the same amount; the declined one stays as it is).
                payment, fresh = services.payment_intent_for_booking(
                    booking=booking,
                    expected_amount=str(payment.amount),
                    actor=request.user if request.user.is_authenticated else None,
                )
                renewed = {"payment": payment.pk, "client_secret": fresh["client_secret"]}
            intent = services.payment_confirm_card(payment=payment, card=str(data.get("card", "")))
        except ValidationError as exc:
            return JsonResponse({"error": " ".join(exc.messages)}, status=400)
        except stripe.StripeError as exc:
            logger.warning("checkout pay %s: %s", booking.reference, exc)
            return JsonResponse({"error": _("The payment could not be processed.")}, status=402)
        error = services._obj_get(
            services._obj_get(intent, "last_payment_error", {}), "message", ""
        )
        return JsonResponse({"status": intent["status"], "error": error, **renewed})


class CheckoutReturnView(BuyerBookingMixin, View):
    """Where Stripe.js sends the buyer: re-read the intent and confirm if it succeeded (the
    webhook may not have arrived yet; whichever comes first confirms)."""

    def get(self, request, reference):
        booking = self.get_booking()
        payment = booking.payments.exclude(stripe_payment_intent_id=None).order_by("-pk").first()
        status = None
        if payment is not None:
            try:
                intent = stripe_client().v1.payment_intents.retrieve(
                    payment.stripe_payment_intent_id
                )
                services.payment_sync_intent(intent=intent)
                status = intent["status"]
            except stripe.StripeError as exc:
                logger.warning("return page %s: %s", booking.reference, exc)
            payment.refresh_from_db()
        booking.refresh_from_db()
        context = self.base_context(booking)
        context.update({"payment": payment, "intent_status": status})
        return render(request, "payments/checkout_return.html", context)


def checkout_redirect(request, reference):
    return redirect("payments_pages:checkout", reference=reference)
