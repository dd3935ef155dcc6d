"""Manage my booking without an account: the page behind the signed link in every booking
email (booking, vouchers, cancel with the penalty shown before confirming) and the "find my
booking" form that emails that link to the booking's contact address."""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache
from django.core.mail import send_mail
from django.http import Http404
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from . import selectors
from .forms import FindBookingForm
from .manage_links import booking_for_token, manage_url
from .models import Booking
from .money import booking_refund_view
from .views import VOUCHER_STATUSES, CancelFlowMixin, voucher_response

FIND_LIMIT = 5
FIND_WINDOW = 15 * 60  # seconds


class GuestLinkMixin:
    """The booking named by the signed token in the URL; a bad token is a 404."""

    staff = False

    def dispatch(self, request, *args, **kwargs):
        self.booking = booking_for_token(str(kwargs["token"]))
        if self.booking is None:
            response = render(request, "bookings/guest/invalid.html", status=404)
        else:
            response = super().dispatch(request, *args, **kwargs)
        # the token is the guest's key: never sent on to other sites, never indexed
        response["Referrer-Policy"] = "same-origin"
        response["X-Robots-Tag"] = "noindex, nofollow"
        return response

    def get_booking(self) -> Booking:
        return Booking.objects.get(pk=self.booking.pk)

    def detail_url(self, booking) -> str:
        return reverse("bookings:guest_detail", args=[self.kwargs["token"]])


class GuestBookingDetailView(GuestLinkMixin, TemplateView):
    template_name = "bookings/guest/detail.html"

    def get_context_data(self, **kwargs):
        found = self.get_booking()
        booking = selectors.booking_detail(
            Booking.objects.filter(pk=found.pk), reference=found.reference
        )
        context = super().get_context_data(**kwargs)
        context.update(
            booking=booking,
            token=self.kwargs["token"],
            refund=booking_refund_view(booking),
            lines=booking.top_lines,
            participants=[p for p in booking.participants.all() if not p.cancelled],
            has_voucher=booking.status in VOUCHER_STATUSES,
            can_cancel=booking.is_active,
        )
        return context


class GuestCancelView(GuestLinkMixin, CancelFlowMixin, View):
    pass


class GuestVoucherView(GuestLinkMixin, View):
    def get(self, request, token):
        booking = self.get_booking()
        if booking.status not in VOUCHER_STATUSES:
            raise Http404
        return voucher_response(booking)


def _client_address(request) -> str:
    """The client's address as allauth's login throttle sees it (its trusted-proxy
    settings decide whether X-Forwarded-For counts)."""
    from allauth.account.adapter import get_adapter
    from django.core.exceptions import PermissionDenied

    try:
        return get_adapter(request).get_client_ip(request)
    except PermissionDenied:
        return "unknown"


def find_attempt_allowed(request) -> bool:
    """A fixed window of FIND_LIMIT tries per client address, counted in the cache."""
    key = f"bookings:find:{_client_address(request)}"
    cache.add(key, 0, FIND_WINDOW)
    try:
        tries = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, FIND_WINDOW)
        tries = 1
    return tries <= FIND_LIMIT


def send_manage_link(booking: Booking) -> None:
    with translation.override(booking.language or settings.LANGUAGE_CODE):
        context = {"booking": booking, "manage_url": manage_url(booking)}
        send_mail(
            _("Booking %(ref)s: your link to manage it") % {"ref": booking.reference},
            render_to_string("bookings/email/manage_link.txt", context),
            settings.DEFAULT_FROM_EMAIL,
            [booking.contact_email],
        )


class FindBookingView(View):
    """Reference + email. The answer is the same whether the pair exists or not; only the
    booking's own contact address ever receives the link."""

    template_name = "bookings/guest/find.html"

    def get(self, request):
        return render(request, self.template_name, {"form": FindBookingForm()})

    def post(self, request):
        if not find_attempt_allowed(request):
            return render(
                request,
                self.template_name,
                {"form": FindBookingForm(), "throttled": True},
                status=429,
            )
        form = FindBookingForm(request.POST)
        if not form.is_valid():
            return render(request, self.template_name, {"form": form}, status=400)
        booking = Booking.objects.filter(
            reference=form.cleaned_data["reference"],
            contact_email__iexact=form.cleaned_data["email"],
            buyer_organisation__isnull=True,
        ).first()
        if booking is not None:
            send_manage_link(booking)
        return render(request, self.template_name, {"form": FindBookingForm(), "sent": True})
