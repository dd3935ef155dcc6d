"""The booking horizon and bulk edits of nights and slots over any range.

The DMC sets how far ahead inventory is open (`INVENTORY_HORIZON_DAYS`, at least two years, for
group allotments); the roll-forward task keeps nights and slots generated up to it. A bulk edit
opens the nights it needs inside the horizon and reports exactly what it changed and which
days it could not change, and why."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .models import NightInventory, Product, Slot, SlotStatus, UnitType

MIN_HORIZON_DAYS = 731  # two years, leap day included


def horizon_days() -> int:
    """How many days ahead nights and slots are open (the DMC's setting, at least 2 years)."""
    return max(int(getattr(settings, "INVENTORY_HORIZON_DAYS", MIN_HORIZON_DAYS)), MIN_HORIZON_DAYS)


def horizon_end(today: date | None = None) -> date:
    return (today or timezone.localdate()) + timedelta(days=horizon_days())


@dataclass
class Skipped:
    reason: str
    days: list[date]

    def describe(self) -> str:
        first, last = self.days[0], self.days[-1]
        span = (
            date_format(first, "SHORT_DATE_FORMAT")
            if first == last
            else f"{date_format(first, 'SHORT_DATE_FORMAT')} – "
            f"{date_format(last, 'SHORT_DATE_FORMAT')}"
        )
        return ngettext(
            "%(n)s day not changed (%(span)s): %(reason)s",
            "%(n)s days not changed (%(span)s): %(reason)s",
            len(self.days),
        ) % {"n": len(self.days), "span": span, "reason": self.reason}


@dataclass
class BulkResult:
    """What a bulk edit did: rows changed, nights opened for it, and the days left alone."""

    changed: int = 0
    opened: int = 0
    noun: str = "nights"
    skipped: list[Skipped] = field(default_factory=list)

    def message(self) -> str:
        if self.noun == "slots":
            text = ngettext("%(n)s slot changed.", "%(n)s slots changed.", self.changed)
        else:
            text = ngettext("%(n)s night changed.", "%(n)s nights changed.", self.changed)
        parts = [text % {"n": self.changed}]
        if self.opened:
            parts.append(
                ngettext("%(n)s of them newly opened.", "%(n)s of them newly opened.", self.opened)
                % {"n": self.opened}
            )
        parts += [s.describe() + "." for s in self.skipped]
        return " ".join(parts)


def _days(start: date, end: date, weekdays: str) -> list[date]:
    wanted = {int(d) for d in (weekdays or "1234567")}
    out, day = [], start
    while day <= end:
        if day.isoweekday() in wanted:
            out.append(day)
        day += timedelta(days=1)
    return out


def _split(product: Product, days: list[date]) -> tuple[list[date], list[Skipped]]:
    """The days a bulk edit may touch, and the others grouped by the reason they are not."""
    today, limit = timezone.localdate(), horizon_end()
    past, beyond, outside, ok = [], [], [], []
    for day in days:
        if day < today:
            past.append(day)
        elif day > limit:
            beyond.append(day)
        elif (product.available_from and day < product.available_from) or (
            product.available_until and day > product.available_until
        ):
            outside.append(day)
        else:
            ok.append(day)
    skipped = []
    if past:
        skipped.append(Skipped(_("in the past"), past))
    if outside:
        skipped.append(Skipped(_("outside the listing's bookable dates"), outside))
    if beyond:
        skipped.append(
            Skipped(
                _("beyond the booking horizon set by the DMC (until %(date)s)")
                % {"date": date_format(limit, "SHORT_DATE_FORMAT")},
                beyond,
            )
        )
    return ok, skipped


def _check_range(start: date, end: date) -> None:
    if end < start:
        raise ValidationError({"end": _("The end date is before the start date.")})
    if (end - start).days > 366 * 12:
        raise ValidationError({"end": _("Choose a range of at most twelve years.")})


NIGHT_FIELDS = frozenset(
    {
        "units",
        "closed",
        "closed_to_arrival",
        "closed_to_departure",
        "min_stay",
        "price_override",
        "net_override",
    }
)


@transaction.atomic
def nights_bulk_update(
    *,
    unit_type: UnitType,
    start: date,
    end: date,
    changes: dict,
    weekdays: str = "1234567",
) -> BulkResult:
    """Apply the same changes to the unit type's nights in [start, end] on the weekdays given,
    opening missing nights inside the horizon. Units below what is booked on any night refuse
    the whole edit (nothing changes); days in the past, outside the bookable dates or beyond
    the horizon are reported, not changed."""
    from .rates import commission_below_contract, net_from_retail

    _check_range(start, end)
    unknown = set(changes) - NIGHT_FIELDS
    if unknown:
        raise ValidationError({sorted(unknown)[0]: _("This field cannot be bulk edited.")})
    changes = dict(changes)
    product = unit_type.product
    if "units" in changes:
        units = changes["units"]
        if isinstance(units, bool) or not isinstance(units, int) or units < 0:
            raise ValidationError({"units": _("Units must be a whole number ≥ 0.")})
    price, net = changes.get("price_override"), changes.get("net_override")
    if price is not None and net is not None and net > price:
        raise ValidationError({"net_override": _("The net price cannot be above the price.")})
    if price is not None:
        if net is None:
            changes["net_override"] = net_from_retail(
                organisation=product.organisation, retail=price
            )
        elif commission_below_contract(organisation=product.organisation, retail=price, net=net):
            raise ValidationError(
                {
                    "net_override": ValidationError(
                        _(
                            "This net leaves the DMC less than the contract's commission: "
                            "set it as a price for the DMC to approve."
                        ),
                        code="commission_below_contract",
                    )
                }
            )
    days, skipped = _split(product, _days(start, end, weekdays))
    result = BulkResult(noun="nights", skipped=skipped)
    if not days:
        return result
    existing = set(
        NightInventory.objects.filter(unit_type=unit_type, date__in=days).values_list(
            "date", flat=True
        )
    )
    missing = [NightInventory(unit_type=unit_type, date=d, units=unit_type.units) for d in days]
    missing = [n for n in missing if n.date not in existing]
    NightInventory.objects.bulk_create(missing, batch_size=1000, ignore_conflicts=True)
    result.opened = len(missing)
    nights = list(
        NightInventory.objects.select_for_update()
        .filter(unit_type=unit_type, date__in=days)
        .order_by("pk")
    )
    if "units" in changes:
        over = [n for n in nights if n.sold + n.held > changes["units"]]
        if over:
            worst = max(over, key=lambda n: n.sold + n.held)
            raise ValidationError(
                {
                    "units": ngettext(
                        "%(taken)s unit is already booked or held on %(date)s: "
                        "the units cannot go below that.",
                        "%(taken)s units are already booked or held on %(date)s: "
                        "the units cannot go below that.",
                        worst.sold + worst.held,
                    )
                    % {"taken": worst.sold + worst.held, "date": worst.date.isoformat()}
                    + " "
                    + _("Nights concerned: %(dates)s. Nothing was changed.")
                    % {"dates": ", ".join(n.date.isoformat() for n in over[:20])}
                }
            )
    result.changed = NightInventory.objects.filter(pk__in=[n.pk for n in nights]).update(**changes)
    return result


@transaction.atomic
def slots_bulk_update(
    *,
    product: Product,
    start: date,
    end: date,
    weekdays: str = "1234567",
    capacity: int | None = None,
    status: str | None = None,
) -> BulkResult:
    """Change capacity and/or status of the product's slots in [start, end] on the weekdays
    given; refuse (changing nothing) to go below what is booked on any of them. Days in the
    past or beyond the horizon are reported, not changed."""
    _check_range(start, end)
    if capacity is not None and (
        isinstance(capacity, bool) or not isinstance(capacity, int) or capacity < 0
    ):
        raise ValidationError(
            {"capacity": _("Give a whole number of at least %(min)s.") % {"min": 0}}
        )
    if status is not None and status not in SlotStatus.values:
        raise ValidationError({"status": _("Unknown slot status.")})
    days, skipped = _split(product, _days(start, end, weekdays))
    result = BulkResult(noun="slots", skipped=skipped)
    slots = list(
        Slot.objects.select_for_update().filter(product=product, date__in=days).order_by("pk")
    )
    empty = sorted(set(days) - {s.date for s in slots})
    if empty:
        result.skipped.append(Skipped(_("no slot on these days"), empty))
    if capacity is not None:
        worst = max(slots, key=lambda s: s.sold + s.held, default=None)
        if worst is not None and worst.sold + worst.held > capacity:
            raise ValidationError(
                {
                    "capacity": _(
                        "%(taken)s places are already booked or held on %(when)s: "
                        "the capacity cannot go below that."
                    )
                    % {
                        "taken": worst.sold + worst.held,
                        "when": timezone.localtime(worst.starts_at).strftime("%Y-%m-%d %H:%M"),
                    }
                }
            )
    changes = {}
    if capacity is not None:
        changes["capacity"] = capacity
    if status is not None:
        changes["status"] = status
    if changes:
        result.changed = Slot.objects.filter(pk__in=[s.pk for s in slots]).update(**changes)
    return result
