"""Demo bookings over the last and the next weeks, in every state and channel, plus the
tourist-tax rules of Lucca and Capannori and the trade partners' contracts. Idempotent: each
demo booking is recognised by its `notes` key and made once."""

from __future__ import annotations

from datetime import date, time, timedelta
from decimal import Decimal

from django.db.models import F
from django.utils import timezone

from accounts.models import Organisation, User
from operators import services as operator_services
from operators.availability import stay_problem
from operators.models import CancellationPolicy, Product, Slot, UnitType
from operators.pricing import PaxMix
from places.models import Comune

from . import services
from .models import Booking, Participant, TouristTaxRule, TradeContract
from .notifications import notifications_muted

LUCCA_RULES = [  # from 2025-04-01 (DOMAIN.md); age exemption threshold unverified: 12
    ("hotel_1,hotel_2,hotel_3", "3.50"),
    ("hotel_4", "4.50"),
    ("hotel_5", "5.00"),
    ("campsite,hostel", "3.00"),
    ("", "3.50"),
]
CAPANNORI_RULES = [  # planned from 2026-04-01 (unverified)
    ("hotel_1,hotel_2,hotel_3", "2.50"),
    ("hotel_4,hotel_5", "3.00"),
    ("campsite,hostel", "1.50"),
    ("", "2.00"),
]


def _tax_rules() -> None:
    for comune_name, start, rules in (
        ("Lucca", date(2025, 4, 1), LUCCA_RULES),
        ("Capannori", date(2026, 4, 1), CAPANNORI_RULES),
    ):
        comune = Comune.objects.get(name=comune_name)
        for categories, rate in rules:
            TouristTaxRule.objects.update_or_create(
                comune=comune,
                categories=categories,
                valid_from=start,
                defaults={
                    "rate_per_night": Decimal(rate),
                    "max_nights": 3,
                    "exempt_under_age": 12,
                    "residents_exempt": True,
                    "note": "Demo rule from DOMAIN.md"
                    + ("" if comune_name == "Lucca" else " (unverified)"),
                },
            )


def _contracts() -> dict[str, Organisation]:
    strict = CancellationPolicy.objects.filter(organisation__isnull=True).order_by("pk").first()
    partners = {}
    for slug, option_days, on_account, credit in (
        ("tuscany-discovery-tours", 5, True, "25000.00"),
        ("viaggi-del-giglio", 3, True, "8000.00"),
        ("heritage-journeys", 3, False, "0.00"),
    ):
        organisation = Organisation.objects.get(slug=slug)
        TradeContract.objects.update_or_create(
            organisation=organisation,
            defaults={
                "option_days": option_days,
                "on_account": on_account,
                "credit_limit": Decimal(credit),
                "cancellation_policy": strict,
            },
        )
        partners[slug] = organisation
    return partners


def _slot(product: Product, day: date, at: time = time(10), seats: int = 1) -> Slot:
    """The product's first open slot on or after `day` with room for `seats` (the demo
    calendars have closures); for past days, a slot made for the history."""
    if day < timezone.localdate():
        slot = product.slots.filter(date=day).order_by("starts_at").first()
        return slot or operator_services.slot_create(
            product=product, day=day, start_time=at, capacity=25
        )
    return (
        product.slots.filter(
            date__gte=day, status="open", capacity__gte=F("sold") + F("held") + seats
        )
        .order_by("starts_at")
        .first()
    )


def _past_nights(unit_type: UnitType, start: date, days: int) -> None:
    operator_services.nights_generate(unit_type=unit_type, start=start, horizon_days=days)


def _experience(slug, day, **pax):
    product = Product.objects.get(slug=slug)
    party = PaxMix.of(**pax)
    slot = _slot(product, day, seats=party.seats)
    return services.LineRequest(product=product, day=slot.date, slot=slot, pax=party)


def _per_unit(slug, day, units):
    product = Product.objects.get(slug=slug)
    slot = _slot(product, day, seats=units)
    return services.LineRequest(
        product=product, day=slot.date, slot=slot, units=units, pax=PaxMix.of(adults=units)
    )


def _stay(slug, unit_name, day, nights, units, **pax):
    """A stay from `day`, or from the first later day the property can take it (the demo
    calendars have closures and minimum stays)."""
    product = Product.objects.get(slug=slug)
    unit_type = product.unit_types.get(name_en=unit_name)
    if day < timezone.localdate():
        _past_nights(unit_type, day, nights + 1)
    party = PaxMix.of(**pax)
    start = day
    for shift in range(60):
        start = day + timedelta(days=shift)
        if (
            stay_problem(
                unit_type,
                check_in=start,
                check_out=start + timedelta(days=nights),
                units=units,
                pax=party,
            )
            is None
        ):
            break
    return services.LineRequest(
        product=product,
        day=start,
        unit_type=unit_type,
        check_out=start + timedelta(days=nights),
        units=units,
        pax=party,
    )


def _goods(slug, day, quantity):
    return services.LineRequest(product=Product.objects.get(slug=slug), day=day, quantity=quantity)


def _hold(key, lines, *, channel, contact, user=None, partner=None, today=None, **kwargs):
    existing = Booking.objects.filter(notes=f"demo:{key}").first()
    if existing:
        return existing, False
    booking = services.booking_hold(
        lines=lines,
        channel=channel,
        contact_name=contact[0],
        contact_email=contact[1],
        language=contact[2],
        buyer_user=user,
        buyer_organisation=partner,
        notes=f"demo:{key}",
        today=today,
        **kwargs,
    )
    return booking, True


def _group(booking: Booking, size: int, leader=True) -> None:
    first = [
        "Hans",
        "Greta",
        "Klaus",
        "Ute",
        "Jürgen",
        "Petra",
        "Stefan",
        "Anke",
        "Dieter",
        "Monika",
        "Uwe",
        "Sabine",
    ]
    last = ["Müller", "Schmidt", "Weber", "Fischer", "Wagner", "Becker", "Hoffmann", "Koch"]
    Participant.objects.bulk_create(
        [
            Participant(
                booking=booking,
                first_name=first[i % len(first)],
                last_name=last[i % len(last)],
                nationality="DE",
                room=f"{101 + i // 2}",
                is_leader=leader and i == 0,
                dietary_needs="vegetarian" if i % 7 == 3 else "",
            )
            for i in range(size)
        ]
    )


def seed(context: dict) -> None:
    _tax_rules()
    partners = _contracts()
    if not Product.objects.filter(slug="lucca-walls-guided-tour").exists():
        print("  bookings: the demo products are missing; no demo bookings")
        return
    today = timezone.localdate()
    anna = User.objects.get(email="anna.rossi@example.com")
    emily = User.objects.get(email="emily.clarke@example.co.uk")
    jonas = User.objects.get(email="jonas.weber@example.de")
    dmc_admin = User.objects.get(email="admin@pianadilucca.example")
    tdt, giglio, heritage = (
        partners["tuscany-discovery-tours"],
        partners["viaggi-del-giglio"],
        partners["heritage-journeys"],
    )
    anna_c = ("Anna Rossi", anna.email, "it")
    emily_c = ("Emily Clarke", emily.email, "en")
    jonas_c = ("Jonas Weber", jonas.email, "en")

    with notifications_muted():
        # Travellers on the website
        booking, new = _hold(
            "walls-family",
            [
                _experience(
                    "lucca-walls-guided-tour",
                    today + timedelta(days=10),
                    adults=2,
                    children_ages=[8],
                )
            ],
            channel="web",
            contact=anna_c,
            user=anna,
        )
        if new:
            services.booking_confirm(booking=booking, via="card")
        booking, new = _hold(
            "wine-tasting-checkout",
            [_experience("montecarlo-wine-tasting", today + timedelta(days=5), adults=2)],
            channel="web",
            contact=emily_c,
            user=emily,
            hold_for=timedelta(hours=2),
        )
        if new:
            services.booking_request_payment(booking=booking)
        booking, new = _hold(
            "ebike-amended",
            [_per_unit("francigena-ebike-rental", today + timedelta(days=8), 2)],
            channel="web",
            contact=jonas_c,
            user=jonas,
        )
        if new:
            services.booking_confirm(booking=booking, via="card")
            line = booking.lines.get()
            later = _slot(line.product, line.service_date + timedelta(days=1), seats=3)
            services.booking_amend(
                line=line,
                day=later.date,
                slot=later,
                units=3,
                pax=PaxMix.of(adults=3),
                actor=dmc_admin,
            )
        # Trade partners: a German group on option with its rooming list
        booking, new = _hold(
            "tdt-group-lucca",
            [
                _experience("lucca-walls-guided-tour", today + timedelta(days=30), adults=24),
                _stay(
                    "hotel-san-frediano",
                    "Double room",
                    today + timedelta(days=30),
                    2,
                    12,
                    adults=24,
                ),
            ],
            channel="trade",
            contact=("Hans Müller", "booking@tuscany-discovery-tours.example", "en"),
            partner=tdt,
            buyer_reference="TDT-2026-118",
        )
        if new:
            _group(booking, 24)
        # An Italian school group, confirmed on account through the API
        booking, new = _hold(
            "giglio-school-oil",
            [
                _experience(
                    "compitese-olive-mill-visit",
                    today + timedelta(days=20),
                    adults=2,
                    children_ages=[10] * 18,
                )
            ],
            channel="api",
            contact=("Paola Landucci", "booking@viaggi-del-giglio.example", "it"),
            partner=giglio,
            buyer_reference="GIGLIO-SC-07",
        )
        if new:
            services.booking_confirm(booking=booking, via="on_account")
        # A British couple: two lines, one cancelled later
        booking, new = _hold(
            "heritage-montecarlo",
            [
                _stay(
                    "agriturismo-colle-verde",
                    "Double room",
                    today + timedelta(days=45),
                    3,
                    1,
                    adults=2,
                ),
                _experience("montecarlo-wine-tasting", today + timedelta(days=46), adults=2),
            ],
            channel="trade",
            contact=("Emma Hughes", "booking@heritage-journeys.example", "en"),
            partner=heritage,
            buyer_reference="HJ-5521",
        )
        if new:
            services.booking_confirm(booking=booking, via="card")
            tasting = booking.lines.get(kind="experience")
            services.booking_cancel(booking=booking, reason="buyer", line_ids=[tasting.pk])
        # The IAT desk sells local products
        booking, new = _hold(
            "iat-buccellato",
            [
                _goods("buccellato-di-lucca", today, 2),
                _goods("compitese-extra-virgin-olive-oil", today, 1),
            ],
            channel="iat",
            contact=("Visitatore IAT", "desk@example.com", "it"),
        )
        if new:
            services.booking_confirm(booking=booking, via="desk")
        # The back office books a stay, cancelled free of charge by the DMC
        booking, new = _hold(
            "villa-flood",
            [
                _stay(
                    "villa-camelie-country-house",
                    "Double room",
                    today + timedelta(days=60),
                    2,
                    1,
                    adults=2,
                )
            ],
            channel="backoffice",
            contact=anna_c,
            user=anna,
        )
        if new:
            services.booking_confirm(booking=booking, via="backoffice")
            services.booking_cancel(
                booking=booking,
                reason="extraordinary",
                note="Road closed by a landslide",
                actor=dmc_admin,
            )
        # An option that expired
        booking, new = _hold(
            "heritage-expired",
            [_experience("puccini-lucca-walk", today + timedelta(days=15), adults=12)],
            channel="trade",
            contact=("Emma Hughes", "booking@heritage-journeys.example", "en"),
            partner=heritage,
        )
        if new:
            Booking.objects.filter(pk=booking.pk).update(
                expires_at=timezone.now() - timedelta(hours=1)
            )
            services.holds_release_expired()
        # History: served, redeemed, no-show
        booking, new = _hold(
            "past-walls",
            [_experience("lucca-walls-guided-tour", today - timedelta(days=10), adults=2)],
            channel="web",
            contact=emily_c,
            user=emily,
            today=today - timedelta(days=20),
        )
        if new:
            services.booking_confirm(booking=booking, via="card")
            operator = booking.lines.get().supplier
            services.voucher_redeem(  # scanned on the service day
                organisation=operator,
                actor=None,
                raw=booking.reference,
                method="code",
                now=timezone.now() - timedelta(days=10),
            )
        booking, new = _hold(
            "past-puccini-noshow",
            [_experience("puccini-lucca-walk", today - timedelta(days=5), adults=3)],
            channel="web",
            contact=jonas_c,
            user=jonas,
            today=today - timedelta(days=12),
        )
        if new:
            services.booking_confirm(booking=booking, via="card")
            services.booking_complete(booking=booking, no_show=True, actor=dmc_admin)
        booking, new = _hold(
            "past-hotel",
            [
                _stay(
                    "hotel-san-frediano", "Double room", today - timedelta(days=20), 4, 1, adults=2
                )
            ],
            channel="trade",
            contact=("Paola Landucci", "booking@viaggi-del-giglio.example", "it"),
            partner=giglio,
            today=today - timedelta(days=40),
        )
        if new:
            services.booking_confirm(booking=booking, via="on_account")
            services.booking_complete(booking=booking)
    context["bookings"] = Booking.objects.filter(notes__startswith="demo:").count()
