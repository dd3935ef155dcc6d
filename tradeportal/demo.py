"""Demo quotes of Tuscany Discovery Tours: one sent quote (a walking tour and two nights in
Lucca for 20) and one quote turned into an option. Idempotent: each is recognised by its
client reference and made once."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import F
from django.utils import timezone, translation

from accounts.models import Organisation, User
from bookings.notifications import notifications_muted
from operators.availability import stay_problem
from operators.models import Product
from operators.pricing import PaxMix

from . import services
from .models import Quote, QuoteStatus

PARTNER = "tuscany-discovery-tours"
MEMBER = "booking@tuscany-discovery-tours.example"


def _slot(product, day, seats):
    return (
        product.slots.filter(
            date__gte=day, status="open", capacity__gte=F("sold") + F("held") + seats
        )
        .order_by("starts_at")
        .first()
    )


def _stay_start(unit_type, day, nights, units, pax):
    for shift in range(60):
        start = day + timedelta(days=shift)
        check_out = start + timedelta(days=nights)
        if (
            stay_problem(unit_type, check_in=start, check_out=check_out, units=units, pax=pax)
            is None
        ):
            return start
    return None


def _demo_quote(organisation, user, *, key, title, day, adults, rooms) -> Quote | None:
    existing = Quote.objects.filter(organisation=organisation, client_reference=key).first()
    if existing:
        return existing
    tour = Product.objects.filter(slug="lucca-walls-guided-tour").first()
    hotel = Product.objects.filter(slug="hotel-san-frediano").first()
    if tour is None or hotel is None:
        return None
    pax = PaxMix.of(adults=adults)
    quote = services.quote_create(
        organisation=organisation,
        actor=user,
        title=title,
        client_reference=key,
        client_email="reisen@kunde.example",
        valid_until=timezone.localdate() + timedelta(days=21),
        language="en",
    )
    room = hotel.unit_types.filter(name_en="Double room").first()
    start = _stay_start(room, day, 2, rooms, pax) if room else None
    if start is not None:
        services.quote_line_add(
            quote=quote,
            product=hotel,
            day=start,
            check_out=start + timedelta(days=2),
            unit_type=room,
            units=rooms,
            pax=pax,
        )
        day = start
    slot = _slot(tour, day, adults)
    if slot is not None:
        services.quote_line_add(quote=quote, product=tour, day=slot.date, slot=slot, pax=pax)
    return quote


def seed(context: dict) -> None:
    organisation = Organisation.objects.filter(slug=PARTNER).first()
    user = User.objects.filter(email=MEMBER).first()
    if organisation is None:
        return
    today = timezone.localdate()
    # Titles snapshotted on the lines in the partner's language (seed_demo runs in Italian).
    with notifications_muted(), translation.override(organisation.language or "en"):
        sent = _demo_quote(
            organisation,
            user,
            key="TDT-DEMO-Q1",
            title="Lucca in spring: walls and two nights",
            day=today + timedelta(days=45),
            adults=20,
            rooms=10,
        )
        if sent is not None and sent.status == QuoteStatus.DRAFT and sent.lines.exists():
            sent.status = QuoteStatus.SENT
            sent.sent_at = timezone.now()
            sent.save(update_fields=["status", "sent_at", "updated_at"])
        option = _demo_quote(
            organisation,
            user,
            key="TDT-DEMO-Q2",
            title="Autumn group: Lucca walls and hotel",
            day=today + timedelta(days=60),
            adults=16,
            rooms=8,
        )
        if option is not None and option.is_open and option.lines.exists():
            try:
                services.quote_convert(
                    quote=option,
                    actor=user,
                    contact_name="Hans Müller",
                    contact_email=MEMBER,
                )
            except services.QuoteNotBookable as exc:
                print(f"  tradeportal: demo option not placed ({exc.message})")
    context["tradeportal"] = {"sent": sent, "option": option}
