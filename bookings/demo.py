"""Demo bookings (bookings/demo_data/bookings.yaml) made through the booking services: holds,
confirmations, amendments, cancellations, redemptions, no-shows, as the platform's users
would; plus the tourist-tax rules and the trade partners' contracts of that file.
Idempotent: each demo booking is recognised by its `notes` key and made once."""

from __future__ import annotations

from datetime import date, time, timedelta
from decimal import Decimal

from django.db.models import F
from django.utils import timezone, translation

from accounts.models import Organisation, User
from marketplace.demo_data import demo_data
from operators import services as operator_services
from operators.availability import stay_problem
from operators.models import CancellationPolicy, Product, Slot, UnitType
from operators.pricing import PaxMix
from places.models import Comune

from . import services
from .models import Booking, Participant, TouristTaxRule, TradeContract
from .notifications import notifications_muted


def _tax_rules(data: list[dict]) -> None:
    for block in data:
        comune = Comune.objects.get(name=block["comune"])
        for rule in block["rates"]:
            TouristTaxRule.objects.update_or_create(
                comune=comune,
                categories=rule["categories"],
                valid_from=block["valid_from"],
                defaults={
                    "rate_per_night": Decimal(rule["rate"]),
                    "max_nights": block["max_nights"],
                    "exempt_under_age": block["exempt_under_age"],
                    "residents_exempt": True,
                    "note": block["note"],
                },
            )


def _contracts(data: list[dict]) -> dict[str, Organisation]:
    strict = CancellationPolicy.objects.filter(organisation__isnull=True).order_by("pk").first()
    partners = {}
    for contract in data:
        organisation = Organisation.objects.get(slug=contract["partner"])
        TradeContract.objects.update_or_create(
            organisation=organisation,
            defaults={
                "option_days": contract["option_days"],
                "on_account": contract["on_account"],
                "credit_limit": Decimal(contract["credit_limit"]),
                "cancellation_policy": strict,
            },
        )
        partners[contract["partner"]] = organisation
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


def _line(spec: dict, today: date) -> services.LineRequest:
    day = today + timedelta(days=spec["in_days"])
    pax = spec.get("pax") or {}
    if "experience" in spec:
        return _experience(spec["experience"], day, **pax)
    if "per_unit" in spec:
        return _per_unit(spec["per_unit"], day, spec["units"])
    if "stay" in spec:
        return _stay(spec["stay"], spec["unit"], day, spec["nights"], spec["units"], **pax)
    return _goods(spec["goods"], day, spec["quantity"])


def _hold(spec: dict, contact: dict, *, users, partners, today) -> tuple[Booking, bool]:
    key = spec["key"]
    existing = Booking.objects.filter(notes=f"demo:{key}").first()
    if existing:
        return existing, False
    booked_on = today - timedelta(days=spec.get("booked_days_ago", 0))
    extra = {"hold_for": timedelta(hours=spec["hold_hours"])} if "hold_hours" in spec else {}
    # The lines keep the service's title in the booking's language, as a real sale would
    # (seed_demo otherwise runs in Italian and an English-speaking partner reads Italian titles).
    with translation.override(contact["language"]):
        booking = services.booking_hold(
            lines=[_line(line, today) for line in spec["lines"]],
            channel=spec["channel"],
            contact_name=contact["name"],
            contact_email=contact["email"],
            language=contact["language"],
            buyer_user=users.get(contact["email"]) if contact.get("user") else None,
            buyer_organisation=partners.get(contact.get("partner")),
            buyer_reference=spec.get("buyer_reference", ""),
            notes=f"demo:{key}",
            today=booked_on if spec.get("booked_days_ago") else None,
            **extra,
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


def _step(booking: Booking, name: str, value, *, dmc_actor) -> None:
    """One thing that happens to a demo booking, through the booking services."""
    if name == "confirm":
        services.booking_confirm(booking=booking, via=value)
    elif name == "request_payment":
        services.booking_request_payment(booking=booking)
    elif name == "amend":
        line = booking.lines.filter(parent__isnull=True).order_by("position", "pk")[value["line"]]
        later = _slot(
            line.product,
            line.service_date + timedelta(days=value.get("shift_days", 0)),
            seats=value.get("units", 1),
        )
        services.booking_amend(
            line=line,
            day=later.date,
            slot=later,
            units=value.get("units", line.quantity),
            pax=PaxMix.of(**value["pax"]),
            actor=dmc_actor,
        )
    elif name == "cancel":
        line_ids = None
        if value.get("line_kind"):
            line_ids = [booking.lines.get(kind=value["line_kind"], parent__isnull=True).pk]
        services.booking_cancel(
            booking=booking,
            reason=value["reason"],
            line_ids=line_ids,
            note=value.get("note", ""),
            actor=dmc_actor if value.get("by_dmc") else None,
        )
    elif name == "participants":
        _group(booking, value)
    elif name == "expire":
        Booking.objects.filter(pk=booking.pk).update(expires_at=timezone.now() - timedelta(hours=1))
        services.holds_release_expired()
    elif name == "redeem":
        services.voucher_redeem(
            organisation=booking.lines.get().supplier,
            actor=None,
            raw=booking.reference,
            method="code",
            now=timezone.now() - timedelta(days=value["days_ago"]),
        )
    elif name == "no_show":
        services.booking_complete(booking=booking, no_show=True, actor=dmc_actor)
    elif name == "complete":
        services.booking_complete(booking=booking)
    else:
        raise ValueError(f"unknown demo step {name!r}")


def seed(context: dict) -> None:
    data = demo_data("bookings", "bookings")
    _tax_rules(data["tourist_tax_rules"])
    partners = _contracts(data["contracts"])
    if not Product.objects.filter(slug=data["requires_product"]).exists():
        print("  bookings: the demo products are missing; no demo bookings")
        return
    today = timezone.localdate()
    contacts = data["contacts"]
    users = {
        user.email: user
        for user in User.objects.filter(
            email__in=[c["email"] for c in contacts.values() if c.get("user")]
        )
    }
    dmc_actor = User.objects.get(email=data["dmc_actor"])
    with notifications_muted():
        for spec in data["bookings"]:
            booking, new = _hold(
                spec, contacts[spec["contact"]], users=users, partners=partners, today=today
            )
            if not new:
                continue
            for step in spec.get("then", []):
                [(name, value)] = step.items()
                booking.refresh_from_db()
                _step(booking, name, value, dmc_actor=dmc_actor)
    context["bookings"] = Booking.objects.filter(notes__startswith="demo:").count()
