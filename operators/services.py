"""Operators' state changes: inventory generation and capacity edits.

Taking and releasing inventory for bookings is not here: it belongs to bookings/services.py."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import GoodsStock, NightInventory, Product, ScheduleRule, Slot, UnitType

DEFAULT_HORIZON_DAYS = 365


def _aware(day: date, at) -> datetime:
    return timezone.make_aware(datetime.combine(day, at))


def slots_generate(
    *, product: Product, start: date | None = None, horizon_days: int = DEFAULT_HORIZON_DAYS
) -> int:
    """Create the slots of the product's weekly schedules for the rolling horizon.
    Existing slots (and their bookings) are left as they are; returns how many were made."""
    start = start or timezone.localdate()
    end = start + timedelta(days=horizon_days)
    if product.available_until:
        end = min(end, product.available_until)
    rules = list(product.schedules.all())
    existing = set(
        Slot.objects.filter(product=product, date__gte=start, date__lte=end).values_list(
            "starts_at", flat=True
        )
    )
    new = []
    day = max(start, product.available_from or start)
    while day <= end:
        weekday = str(day.isoweekday())
        for rule in rules:
            if weekday not in rule.weekdays or day < rule.valid_from:
                continue
            if rule.valid_until and day > rule.valid_until:
                continue
            starts_at = _aware(day, rule.start_time)
            if starts_at in existing:
                continue
            existing.add(starts_at)
            new.append(
                Slot(
                    product=product,
                    schedule=rule,
                    date=day,
                    start_time=rule.start_time,
                    starts_at=starts_at,
                    ends_at=starts_at + timedelta(minutes=rule.duration_minutes),
                    capacity=rule.capacity,
                )
            )
        day += timedelta(days=1)
    Slot.objects.bulk_create(new, batch_size=1000)
    return len(new)


def nights_generate(
    *, unit_type: UnitType, start: date | None = None, horizon_days: int = DEFAULT_HORIZON_DAYS
) -> int:
    """Create the nightly inventory rows of a unit type for the rolling horizon."""
    start = start or timezone.localdate()
    product = unit_type.product
    end = start + timedelta(days=horizon_days)
    if product.available_until:
        end = min(end, product.available_until)
    existing = set(
        NightInventory.objects.filter(
            unit_type=unit_type, date__gte=start, date__lte=end
        ).values_list("date", flat=True)
    )
    new = []
    day = max(start, product.available_from or start)
    while day <= end:
        if day not in existing:
            new.append(NightInventory(unit_type=unit_type, date=day, units=unit_type.units))
        day += timedelta(days=1)
    NightInventory.objects.bulk_create(new, batch_size=1000)
    return len(new)


def inventory_roll_forward(*, horizon_days: int = DEFAULT_HORIZON_DAYS) -> dict:
    """Keep a full year of slots and nights ahead for every active product (periodic task)."""
    made = {"slots": 0, "nights": 0}
    products = Product.objects.exclude(status="archived")
    for product in products.filter(kind__in=["experience", "service"]).prefetch_related(
        "schedules"
    ):
        made["slots"] += slots_generate(product=product, horizon_days=horizon_days)
    for unit_type in UnitType.objects.filter(product__in=products).select_related("product"):
        made["nights"] += nights_generate(unit_type=unit_type, horizon_days=horizon_days)
    return made


@transaction.atomic
def slot_set_capacity(*, slot: Slot, capacity: int) -> Slot:
    """Change a slot's capacity; refuse to go below what is already sold or held."""
    if not isinstance(capacity, int) or capacity < 0:
        raise ValidationError({"capacity": _("The capacity must be a whole number ≥ 0.")})
    slot = Slot.objects.select_for_update().get(pk=slot.pk)
    taken = slot.sold + slot.held
    if capacity < taken:
        raise ValidationError(
            {
                "capacity": _(
                    "%(taken)s places are already booked or held: "
                    "the capacity cannot go below that."
                )
                % {"taken": taken}
            }
        )
    slot.capacity = capacity
    slot.save(update_fields=["capacity"])
    return slot


@transaction.atomic
def slot_set_status(*, slot: Slot, status: str, note: str = "") -> Slot:
    slot = Slot.objects.select_for_update().get(pk=slot.pk)
    slot.status = status
    slot.note = note
    slot.save(update_fields=["status", "note"])
    return slot


@transaction.atomic
def schedule_add(*, product: Product, data: dict) -> ScheduleRule:
    rule = ScheduleRule(product=product, **data)
    rule.full_clean()
    if product.available_from and rule.valid_from < product.available_from:
        raise ValidationError(
            {"valid_from": _("The schedule starts before the product is bookable.")}
        )
    if product.available_until and (
        rule.valid_until is None or rule.valid_until > product.available_until
    ):
        raise ValidationError(
            {"valid_until": _("The schedule ends after the product is bookable.")}
        )
    rule.save()
    return rule


@transaction.atomic
def nights_bulk_update(*, unit_type: UnitType, start: date, end: date, changes: dict) -> int:
    """Apply the same changes to every night in [start, end]; refuse to lower units below what
    is booked on any of them (nothing is changed then)."""
    if end < start:
        raise ValidationError({"end": _("The end date is before the start date.")})
    allowed = {
        "units",
        "closed",
        "closed_to_arrival",
        "closed_to_departure",
        "min_stay",
        "price_override",
        "net_override",
    }
    unknown = set(changes) - allowed
    if unknown:
        raise ValidationError({sorted(unknown)[0]: _("This field cannot be bulk edited.")})
    nights = list(
        NightInventory.objects.select_for_update()
        .filter(unit_type=unit_type, date__gte=start, date__lte=end)
        .order_by("pk")
    )
    if "units" in changes:
        units = changes["units"]
        if not isinstance(units, int) or units < 0:
            raise ValidationError({"units": _("Units must be a whole number ≥ 0.")})
        worst = max(nights, key=lambda n: n.sold + n.held, default=None)
        if worst is not None and worst.sold + worst.held > units:
            raise ValidationError(
                {
                    "units": _(
                        "%(taken)s units are already booked or held on %(date)s: "
                        "the units cannot go below that."
                    )
                    % {"taken": worst.sold + worst.held, "date": worst.date.isoformat()}
                }
            )
    price, net = changes.get("price_override"), changes.get("net_override")
    if price is not None and net is not None and net > price:
        raise ValidationError({"net_override": _("The net price cannot be above the price.")})
    return NightInventory.objects.filter(pk__in=[n.pk for n in nights]).update(**changes)


@transaction.atomic
def stock_set(*, product: Product, quantity: int) -> GoodsStock:
    if not isinstance(quantity, int) or quantity < 0:
        raise ValidationError({"quantity": _("The stock must be a whole number ≥ 0.")})
    stock, _created = GoodsStock.objects.select_for_update().get_or_create(product=product)
    if quantity < stock.sold + stock.held:
        raise ValidationError(
            {
                "quantity": _(
                    "%(taken)s items are already sold or held: the stock cannot go below that."
                )
                % {"taken": stock.sold + stock.held}
            }
        )
    stock.quantity = quantity
    stock.save(update_fields=["quantity"])
    return stock
