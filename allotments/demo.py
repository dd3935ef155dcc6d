"""Demo allotments of Tuscany Discovery Tours: double rooms at Hotel San Frediano over two weeks
(with a group drawing on them), and seats on the Walls tour whose release date has passed (so
that the release report has rows). Idempotent."""

from datetime import timedelta

from django.utils import timezone, translation

from accounts.models import Organisation
from bookings import services as bookings
from bookings.notifications import notifications_muted
from operators.models import Product, Slot, UnitType
from operators.pricing import PaxMix

from . import services
from .errors import AllotmentRefused
from .models import Allotment

ROOMS_NOTE = "Demo: rooms for the Lucca & Puccini groups, summer series."
SEATS_NOTE = "Demo: seats on the Walls tour for the spring groups."


def seed(context: dict) -> None:
    partner = Organisation.objects.filter(slug="tuscany-discovery-tours").first()
    hotel = Product.objects.filter(slug="hotel-san-frediano").first()
    walls = Product.objects.filter(slug="lucca-walls-guided-tour").first()
    if partner is None or hotel is None or walls is None:
        print("  allotments: the demo partner or products are missing; no demo allotments")
        return
    today = timezone.localdate()
    made = []
    # Titles snapshotted on the lines in the partner's language (seed_demo runs in Italian).
    with notifications_muted(), translation.override(partner.language or "en"):
        if not Allotment.objects.filter(partner=partner, notes=ROOMS_NOTE).exists():
            made.append(_rooms(partner, hotel, today))
        if not Allotment.objects.filter(partner=partner, notes=SEATS_NOTE).exists():
            made.append(_seats(partner, walls, today))
        services.allotments_release_due()
    context["allotments"] = {"made": [a.reference for a in made if a]}


def _rooms(partner, hotel, today):
    double = UnitType.objects.filter(product=hotel, name__in=("Double room", "Camera doppia"))
    unit_type = double.first() or hotel.unit_types.first()
    start = today + timedelta(days=40)
    try:
        allotment = services.allotment_create(
            partner=partner,
            product=hotel,
            unit_type=unit_type,
            start_date=start,
            end_date=start + timedelta(days=13),
            quantity=4,
            release_days=21,
            overrides={start + timedelta(days=5): 6, start + timedelta(days=6): 6},
            notes=ROOMS_NOTE,
        )
    except AllotmentRefused as exc:
        print(f"  allotments: no demo room allotment ({exc.message})")
        return None
    # A group of Tuscany Discovery Tours takes three of the rooms for four nights.
    bookings.booking_hold(
        lines=[
            bookings.LineRequest(
                product=hotel,
                day=start + timedelta(days=2),
                unit_type=unit_type,
                check_out=start + timedelta(days=6),
                units=3,
                pax=PaxMix.of(adults=6),
            )
        ],
        channel="trade",
        contact_name="Jonas Weber",
        contact_email="jonas.weber@example.de",
        language="en",
        buyer_organisation=partner,
        buyer_reference="TDT-PUCCINI-07",
        notes="demo:allotment-puccini-group",
        hold_for=timedelta(days=10),
    )
    return allotment


def _seats(partner, walls, today):
    start = today + timedelta(days=3)
    end = start + timedelta(days=6)
    if not Slot.objects.filter(product=walls, date__range=(start, end)).exists():
        return None
    try:
        allotment = services.allotment_create(
            partner=partner,
            product=walls,
            start_date=start,
            end_date=end,
            quantity=4,
            release_days=7,
            notes=SEATS_NOTE,
        )
    except AllotmentRefused as exc:
        print(f"  allotments: no demo seat allotment ({exc.message})")
        return None
    slot = Slot.objects.filter(product=walls, date=start + timedelta(days=1)).first()
    if slot is not None:
        bookings.booking_hold(
            lines=[
                bookings.LineRequest(
                    product=walls, day=slot.date, slot=slot, pax=PaxMix.of(adults=3)
                )
            ],
            channel="trade",
            contact_name="Jonas Weber",
            contact_email="jonas.weber@example.de",
            language="en",
            buyer_organisation=partner,
            buyer_reference="TDT-WALLS-03",
            notes="demo:allotment-walls-group",
            hold_for=timedelta(days=2),
        )
    return allotment
