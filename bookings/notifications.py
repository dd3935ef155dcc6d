"""Booking emails (HTML and text, in the recipient's language) to the buyer, each operator
concerned and the DMC. Sent by Celery tasks scheduled on commit."""

from __future__ import annotations

import contextlib
import contextvars

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from marketplace.text import render_text

from .models import Booking, LineStatus
from .money import booking_refund_view

SUBJECTS = {
    "held": lambda b: _("Booking %(ref)s: your option is held") % {"ref": b.reference},
    "confirmed": lambda b: _("Booking %(ref)s is confirmed") % {"ref": b.reference},
    "amended": lambda b: _("Booking %(ref)s was changed") % {"ref": b.reference},
    "cancelled": lambda b: _("Booking %(ref)s was cancelled") % {"ref": b.reference},
    "expired": lambda b: _("Booking %(ref)s: the option expired") % {"ref": b.reference},
}


def booking_ics(booking: Booking) -> bytes:
    from datetime import datetime, timedelta

    from icalendar import Calendar, Event

    calendar = Calendar()
    calendar.add("prodid", "-//Piana di Lucca DMC//bookings//IT")
    calendar.add("version", "2.0")
    for line in booking.lines.exclude(kind="package").exclude(status="cancelled"):
        event = Event()
        event.add("uid", f"{booking.reference}-{line.pk}@pianadilucca")
        event.add("summary", f"{line.title} ({booking.reference})")
        if line.start_time:
            start = datetime.combine(line.service_date, line.start_time)
            event.add("dtstart", start)
            event.add("dtend", start + timedelta(hours=2))
        else:
            event.add("dtstart", line.service_date)
            event.add("dtend", line.end_date or line.service_date + timedelta(days=1))
        if line.product and line.product.meeting_point:
            event.add("location", line.product.meeting_point)
        calendar.add_component(event)
    return calendar.to_ical()


def _checkout_link(booking: Booking, event: str, role: str) -> str:
    """The signed payment link for a traveller whose places are held."""
    if role != "buyer" or event != "held" or booking.buyer_organisation_id:
        return ""
    from .confirmation import checkout_url

    url = checkout_url(booking)
    return settings.SITE_URL + url if url else ""


def _manage_link(booking: Booking, role: str) -> str:
    """The signed "manage my booking" link, in every email to a traveller's contact address
    (a trade partner manages its bookings in its own account)."""
    if role != "buyer" or booking.buyer_organisation_id:
        return ""
    from .manage_links import manage_url

    return manage_url(booking)


def _recipients(booking: Booking, event: str, lines) -> list[tuple[str, str, str, object]]:
    """(email, language, role, supplier) of everyone concerned. An operator hears only of
    its own lines, and is never told "confirmed" of lines that are all cancelled."""
    people = [(booking.contact_email, booking.language, "buyer", None)]
    suppliers = {ln.supplier for ln in lines if ln.supplier_id}
    for supplier in sorted(suppliers, key=lambda s: s.pk):
        own = [ln for ln in lines if ln.supplier_id == supplier.pk]
        if event in ("confirmed", "held", "amended") and all(
            ln.status == LineStatus.CANCELLED for ln in own
        ):
            continue
        email = supplier.email or next(
            (m.user.email for m in supplier.memberships.select_related("user")), None
        )
        if email:
            people.append((email, "it", "operator", supplier))
    dmc_email = getattr(settings, "DMC_NOTIFICATION_EMAIL", "") or settings.DEFAULT_FROM_EMAIL
    people.append((dmc_email, "it", "dmc", None))
    return people


_muted = contextvars.ContextVar("booking_notifications_muted", default=False)


@contextlib.contextmanager
def notifications_muted():
    """No booking emails inside this block (loading demo data or history imports)."""
    token = _muted.set(True)
    try:
        yield
    finally:
        _muted.reset(token)


def notifications_are_muted() -> bool:
    return _muted.get()


def send_booking_notification(*, booking: Booking, event: str) -> int:
    from .vouchers import voucher_pdf_bytes

    if _muted.get():
        return 0
    sent = 0
    lines = list(
        booking.lines.exclude(kind="package")
        .select_related("product", "supplier", "unit_type")
        .prefetch_related("allocations")
        .order_by("position", "pk")
    )
    refund = booking_refund_view(booking)
    for email, language, role, supplier in _recipients(booking, event, lines):
        with translation.override(language):
            context = {
                "booking": booking,
                "event": event,
                "role": role,
                "checkout_url": _checkout_link(booking, event, role),
                "manage_url": _manage_link(booking, role),
                "lines": [ln for ln in lines if supplier is None or ln.supplier_id == supplier.pk],
                "refund": refund,
                "site_url": settings.SITE_URL,
            }
            message = EmailMultiAlternatives(
                SUBJECTS[event](booking),
                render_text("bookings/email/notification.txt", context),
                settings.DEFAULT_FROM_EMAIL,
                [email],
            )
            message.attach_alternative(
                render_to_string("bookings/email/notification.html", context), "text/html"
            )
            if event == "confirmed" and role == "buyer":
                message.attach(
                    f"voucher-{booking.reference}.pdf",
                    voucher_pdf_bytes(booking),
                    "application/pdf",
                )
                message.attach(f"{booking.reference}.ics", booking_ics(booking), "text/calendar")
            message.send()
            sent += 1
    return sent
