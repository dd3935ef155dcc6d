"""Every change to allotments: create, resize, close, release, and the three hooks the booking
engine calls (places reserved for a partner, draw on booking, give back on cancellation).

Lock order everywhere, as in the booking engine: the inventory rows first (slots, then nights,
each by pk), then the allotment days by pk. Until released, an allotment day keeps
`allotted - used` places in the `held` counter of its row, so that general sale cannot take
them; a partner's booking moves places from the day to its own allocation (the counter does
not change for a held booking), a cancellation moves them back."""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import replace
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import F, Q
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from bookings.services.errors import Busy
from bookings.services.inventory import _run_locked
from marketplace.queries import FixedRead
from operators.models import NightInventory, Product, ProductKind, Slot, SlotStatus, UnitType
from outbox.services import outbox_publish

from .errors import AllotmentClosed, AllotmentOverInventory
from .models import (
    Allotment,
    AllotmentDay,
    AllotmentDraw,
    AllotmentEvent,
    AllotmentStatus,
)

logger = logging.getLogger(__name__)

RELEASED_TOPIC = "allotments.released"
MAX_DAYS = 400
_MODEL_OF = {"slot": Slot, "night": NightInventory}


def _day_label(day: date) -> str:
    return formats.date_format(day, "SHORT_DATE_FORMAT")


def _row_label(kind: str, row) -> str:
    if kind == "slot":
        return f"{_day_label(row.date)} {formats.time_format(row.start_time, 'TIME_FORMAT')}"
    return _day_label(row.date)


# The race test's canary switches this off to show that it would see an oversell.
LOCKING_ENABLED = True


def _race_window():
    """A hook the canary test uses to widen the read-then-write window of a draw."""


def _lock(model, pks) -> dict:
    """Lock inventory rows in the engine's order (by pk) and return them by pk."""
    rows = model.objects.filter(pk__in=sorted(set(pks))).order_by("pk")
    if LOCKING_ENABLED:
        rows = rows.select_for_update()
    return {row.pk: row for row in rows}


def _free(kind: str, row) -> int:
    if kind == "slot":
        return 0 if row.status != SlotStatus.OPEN else row.capacity - row.sold - row.held
    return 0 if row.closed else row.units - row.sold - row.held


def _record(allotment, action, actor=None, **data) -> None:
    AllotmentEvent.objects.create(
        allotment=allotment,
        action=action,
        actor=actor if getattr(actor, "pk", None) else None,
        data=data,
    )


def _kind_of(product: Product) -> str:
    return "night" if product.kind == ProductKind.ACCOMMODATION else "slot"


def _validate(*, partner, product, unit_type, start_date, end_date, quantity, release_days, today):
    errors = {}
    if partner is None or partner.kind != "trade":
        errors["partner"] = _("Choose a trade partner.")
    if product is None:
        errors["product"] = _("Choose a product.")
    elif product.kind == ProductKind.GOODS:
        errors["product"] = _("Goods have stock, not nights or slots: no allotment for them.")
    elif product.kind == ProductKind.ACCOMMODATION:
        if unit_type is None or unit_type.product_id != product.pk:
            errors["unit_type"] = _("Choose a room or unit type of this property.")
    elif unit_type is not None:
        errors["unit_type"] = _("Only stays have room or unit types.")
    if start_date is None or end_date is None:
        errors["start_date"] = _("Give the first and the last day.")
    elif end_date < start_date:
        errors["end_date"] = _("The last day comes before the first.")
    elif start_date < today:
        errors["start_date"] = _("The first day is in the past.")
    elif (end_date - start_date).days >= MAX_DAYS:
        errors["end_date"] = _("An allotment covers at most %(n)s days.") % {"n": MAX_DAYS}
    if quantity is None or quantity < 1:
        errors["quantity"] = _("Reserve at least one place.")
    if release_days is None or release_days < 0:
        errors["release_days"] = _("Give the release period in days (0 or more).")
    if errors:
        raise ValidationError(errors)


def allotment_create(
    *,
    partner,
    product: Product,
    unit_type: UnitType | None = None,
    start_date: date,
    end_date: date,
    quantity: int,
    release_days: int,
    notes: str = "",
    overrides: dict[date, int] | None = None,
    actor=None,
    today: date | None = None,
) -> Allotment:
    """Reserve `quantity` places per night (or per slot) for the partner, with per-day
    `overrides`, taken from free inventory under row locks. If a day has fewer free places,
    nothing is taken and AllotmentOverInventory lists every such day."""
    today = today or timezone.localdate()
    _validate(
        partner=partner,
        product=product,
        unit_type=unit_type,
        start_date=start_date,
        end_date=end_date,
        quantity=quantity,
        release_days=release_days,
        today=today,
    )
    overrides = dict(overrides or {})
    outside = [d for d in overrides if not start_date <= d <= end_date]
    if outside:
        raise ValidationError(
            {"overrides": _("%(day)s is outside the dates.") % {"day": _day_label(outside[0])}}
        )
    if any(q < 0 for q in overrides.values()):
        raise ValidationError({"overrides": _("A day's places cannot be negative.")})
    kind = _kind_of(product)

    def wanted(day: date) -> int:
        return overrides.get(day, quantity)

    def write():
        problems = []
        if kind == "night":
            pks = NightInventory.objects.filter(
                unit_type=unit_type, date__range=(start_date, end_date)
            ).values_list("pk", flat=True)
            rows = sorted(_lock(NightInventory, pks).values(), key=lambda r: r.date)
            have = {r.date for r in rows}
            day = start_date
            while day <= end_date:
                if wanted(day) and day not in have:
                    problems.append(
                        _("%(day)s: no rooms on sale for that night.") % {"day": _day_label(day)}
                    )
                day += timedelta(days=1)
        else:
            pks = Slot.objects.filter(
                product=product, date__range=(start_date, end_date)
            ).values_list("pk", flat=True)
            rows = sorted(_lock(Slot, pks).values(), key=lambda r: r.starts_at)
            if not rows:
                problems.append(_("There are no time slots of this product in these dates."))
        rows = [r for r in rows if wanted(r.date) > 0]
        for row in rows:
            free = _free(kind, row)
            if free < wanted(row.date):
                problems.append(
                    _("%(when)s: %(free)s free, %(asked)s asked.")
                    % {
                        "when": _row_label(kind, row),
                        "free": max(free, 0),
                        "asked": wanted(row.date),
                    }
                )
        if problems:
            raise AllotmentOverInventory(problems)
        allotment = Allotment(
            partner=partner,
            product=product,
            unit_type=unit_type,
            start_date=start_date,
            end_date=end_date,
            quantity=quantity,
            release_days=release_days,
            notes=notes,
            created_by=actor if getattr(actor, "pk", None) else None,
        )
        allotment.full_clean()
        allotment.save()
        AllotmentDay.objects.bulk_create(
            [
                AllotmentDay(
                    allotment=allotment,
                    date=row.date,
                    allotted=wanted(row.date),
                    release_on=allotment.release_on(row.date),
                    **{f"{kind}_id": row.pk},
                )
                for row in rows
            ]
        )
        for row in rows:
            _MODEL_OF[kind].objects.filter(pk=row.pk).update(held=F("held") + wanted(row.date))
        _record(
            allotment,
            "created",
            actor,
            places=sum(wanted(r.date) for r in rows),
            start=start_date.isoformat(),
            end=end_date.isoformat(),
        )
        return allotment

    return _run_locked(write)


def _locked_days(allotment: Allotment):
    """Lock the allotment's inventory rows, then its days; return (kind, rows by pk, days)."""
    kind = _kind_of(allotment.product)
    field = f"{kind}_id"
    row_pks = allotment.days.values_list(field, flat=True)
    rows = _lock(_MODEL_OF[kind], row_pks)
    days = list(AllotmentDay.objects.select_for_update().filter(allotment=allotment).order_by("pk"))
    return kind, rows, days


def allotment_update(
    *,
    allotment: Allotment,
    quantities: dict[date, int] | None = None,
    release_days: int | None = None,
    notes: str | None = None,
    actor=None,
    today: date | None = None,
) -> Allotment:
    """Shrink or enlarge the places of some days (for experiences: of every slot of that day),
    change the release period or the notes. Enlarging takes free inventory; shrinking gives it
    back, never below what the partner already booked. All days or none."""
    quantities = dict(quantities or {})
    if any(q is None or q < 0 for q in quantities.values()):
        raise ValidationError({"quantities": _("A day's places cannot be negative.")})
    if release_days is not None and release_days < 0:
        raise ValidationError({"release_days": _("Give the release period in days (0 or more).")})

    def write():
        locked = Allotment.objects.select_for_update().get(pk=allotment.pk)
        if locked.status != AllotmentStatus.ACTIVE:
            raise AllotmentClosed()
        kind, rows, days = _locked_days(locked)
        field = f"{kind}_id"
        problems, changes = [], []
        known = {d.date for d in days}
        for day in quantities:
            if day not in known:
                problems.append(
                    _("%(day)s is not a day of this allotment.") % {"day": _day_label(day)}
                )
        for day in days:
            if day.date not in quantities or quantities[day.date] == day.allotted:
                continue
            new = quantities[day.date]
            row = rows[getattr(day, field)]
            label = _row_label(kind, row)
            if day.released_at:
                problems.append(_("%(when)s: already released to general sale.") % {"when": label})
            elif new < day.used:
                problems.append(
                    _("%(when)s: %(used)s places already booked by the partner.")
                    % {"when": label, "used": day.used}
                )
            elif new - day.allotted > _free(kind, row):
                problems.append(
                    _("%(when)s: %(free)s free, %(asked)s more asked.")
                    % {
                        "when": label,
                        "free": max(_free(kind, row), 0),
                        "asked": new - day.allotted,
                    }
                )
            else:
                changes.append((day, new - day.allotted))
        if problems:
            raise AllotmentOverInventory(problems)
        for day, delta in changes:
            AllotmentDay.objects.filter(pk=day.pk).update(allotted=F("allotted") + delta)
            _MODEL_OF[kind].objects.filter(pk=getattr(day, field)).update(held=F("held") + delta)
        fields = []
        if release_days is not None and release_days != locked.release_days:
            locked.release_days = release_days
            fields.append("release_days")
            for day in days:
                if not day.released_at:
                    day.release_on = locked.release_on(day.date)
            AllotmentDay.objects.bulk_update([d for d in days if not d.released_at], ["release_on"])
        if notes is not None and notes != locked.notes:
            locked.notes = notes
            fields.append("notes")
        if fields:
            locked.save(update_fields=[*fields, "updated_at"])
        if changes or fields:
            _record(
                locked,
                "changed",
                actor,
                days={d.date.isoformat(): delta for d, delta in changes},
                fields=fields,
            )
        return locked

    return _run_locked(write)


def _release(allotment: Allotment, days: list[AllotmentDay], kind: str, now) -> int:
    """Give the unsold places of these (locked, unreleased) days back to general sale."""
    field = f"{kind}_id"
    places = 0
    for day in days:
        unsold = day.allotted - day.used
        if unsold:
            _MODEL_OF[kind].objects.filter(pk=getattr(day, field)).update(held=F("held") - unsold)
        day.released = unsold
        day.released_at = now
        places += unsold
    AllotmentDay.objects.bulk_update(days, ["released", "released_at"])
    return places


def _publish_released(allotment: Allotment) -> None:
    outbox_publish(
        topic=RELEASED_TOPIC,
        payload={"allotment_id": allotment.pk, "partner_id": allotment.partner_id},
    )


def allotment_close(*, allotment: Allotment, actor=None, now=None) -> Allotment:
    """End the allotment now: every unsold place of days not yet released returns to general
    sale; what the partner booked stays booked."""
    now = now or timezone.now()

    def write():
        locked = Allotment.objects.select_for_update().get(pk=allotment.pk)
        if locked.status != AllotmentStatus.ACTIVE:
            return locked
        kind, _rows, days = _locked_days(locked)
        pending = [d for d in days if d.released_at is None]
        places = _release(locked, pending, kind, now)
        locked.status = AllotmentStatus.CLOSED
        locked.save(update_fields=["status", "updated_at"])
        _record(locked, "closed", actor, days=len(pending), places=places)
        if pending:
            _publish_released(locked)
        return locked

    return _run_locked(write)


def allotments_release_due(*, now=None) -> int:
    """Release every day whose release date has come (periodic task, idempotent): its unsold
    places return to general sale and `allotments.released` is published per allotment.
    Returns the number of days released."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    due = (
        AllotmentDay.objects.filter(
            released_at__isnull=True,
            release_on__lte=today,
            allotment__status=AllotmentStatus.ACTIVE,
        )
        .values_list("allotment_id", flat=True)
        .distinct()
    )
    released = 0
    for allotment_id in sorted(set(due)):
        try:
            released += _release_due_of(allotment_id, today, now)
        except Busy:
            logger.info("allotment %s busy, its release is retried later", allotment_id)
    return released


def _release_due_of(allotment_id: int, today: date, now) -> int:
    def write():
        allotment = Allotment.objects.select_related("product").get(pk=allotment_id)
        kind = _kind_of(allotment.product)
        field = f"{kind}_id"
        candidates = AllotmentDay.objects.filter(
            allotment=allotment, released_at__isnull=True, release_on__lte=today
        )
        _lock(_MODEL_OF[kind], candidates.values_list(field, flat=True))
        days = list(candidates.select_for_update().order_by("pk"))
        if not days:
            return 0
        places = _release(allotment, days, kind, now)
        _record(
            allotment,
            "released",
            None,
            days=[d.date.isoformat() for d in days],
            places=places,
        )
        _publish_released(allotment)
        return len(days)

    return _run_locked(write)


# --- hooks of the booking engine (registered in AllotmentsConfig.ready) ----------------------


def _open_days(organisation_id):
    return AllotmentDay.objects.filter(
        allotment__partner_id=organisation_id,
        allotment__status=AllotmentStatus.ACTIVE,
        released_at__isnull=True,
        used__lt=F("allotted"),
    )


def allotment_reserved_places(*, organisation, requests) -> dict[tuple[str, int], int]:
    """{(kind, row pk): places} the partner's open allotments keep on the requests' rows."""
    slot_ids = [r.slot.pk for r in requests if getattr(r, "slot", None) is not None]
    stays = [r for r in requests if getattr(r, "unit_type", None) is not None]
    if _slots_in_fixed_sql(requests):  # fixed SQL, no queryset
        return _reserved_on_slots(organisation.pk, slot_ids)
    condition = Q(slot_id__in=slot_ids) if slot_ids else Q()
    for request in stays:
        stay = Q(
            night__unit_type_id=request.unit_type.pk,
            date__gte=request.day,
            date__lte=request.check_out or request.day,
        )
        condition = (condition | stay) if condition else stay
    if not condition:
        return {}
    places: dict[tuple[str, int], int] = defaultdict(int)
    for slot_id, night_id, allotted, used in (
        _open_days(organisation.pk)
        .filter(condition)
        .values_list("slot_id", "night_id", "allotted", "used")
    ):
        key = ("slot", slot_id) if slot_id else ("night", night_id)
        places[key] += allotted - used
    return dict(places)


def allotment_reserved_reads(*, organisation, requests) -> list:
    """The fixed-SQL read `allotment_reserved_places` makes for these requests, if it makes
    one (slots only, PostgreSQL), as (query, values)."""
    if not _slots_in_fixed_sql(requests):
        return []
    slot_ids = [r.slot.pk for r in requests if getattr(r, "slot", None) is not None]
    return [(RESERVED_ON_SLOTS, reserved_on_slots_values(organisation.pk, slot_ids))]


def _slots_in_fixed_sql(requests) -> bool:
    """Whether the places are read with RESERVED_ON_SLOTS: slots and no stay, PostgreSQL."""
    return (
        connection.vendor == "postgresql"
        and any(getattr(r, "slot", None) is not None for r in requests)
        and not any(getattr(r, "unit_type", None) is not None for r in requests)
    )


def _reserved_on_slots(organisation_id, slot_ids) -> dict[tuple[str, int], int]:
    """`allotment_reserved_places` for slots only, as the same query in fixed SQL (it runs on
    every hold a partner makes, mostly to find nothing)."""
    rows = RESERVED_ON_SLOTS.all(**reserved_on_slots_values(organisation_id, slot_ids))
    return {("slot", slot_id): int(places) for slot_id, places in rows}


def reserved_on_slots_values(organisation_id, slot_ids) -> dict:
    """The values of RESERVED_ON_SLOTS for a partner and slots (a hold reads it ahead with
    its other reads: marketplace.queries.read_together)."""
    return {
        "partner": organisation_id,
        "status": AllotmentStatus.ACTIVE.value,
        "slots": list(slot_ids),
    }


RESERVED_ON_SLOTS = FixedRead(
    f'SELECT d.slot_id, SUM(d.allotted - d.used) FROM "{AllotmentDay._meta.db_table}" d '  # noqa: S608
    f'JOIN "{Allotment._meta.db_table}" a ON a.id = d.allotment_id '
    "WHERE a.partner_id = %s AND a.status = %s AND d.released_at IS NULL "
    "AND d.used < d.allotted AND d.slot_id = ANY(%s) GROUP BY d.slot_id"
)


def allotment_draw(*, booking, needs: list, as_state: str) -> list:
    """Take what the booking needs from its partner's open allotments first (the oldest
    allotment first); return the needs left for general sale. The allotted places are already
    in the counters' `held`: a held booking changes nothing there, a sold one moves them to
    `sold`."""
    slot_pks = sorted({n.pk for n in needs if n.kind == "slot"})
    night_pks = sorted({n.pk for n in needs if n.kind == "night"})
    if not slot_pks and not night_pks:
        return needs
    candidates = list(
        _open_days(booking.buyer_organisation_id)
        .filter(Q(slot_id__in=slot_pks) | Q(night_id__in=night_pks))
        .values_list("pk", flat=True)
    )
    if not candidates:
        return needs
    _lock(Slot, slot_pks)  # inventory rows first, as _take does, then the days
    _lock(NightInventory, night_pks)
    days = AllotmentDay.objects.filter(pk__in=candidates, released_at__isnull=True).order_by("pk")
    days = list(days.select_for_update() if LOCKING_ENABLED else days)
    by_row: dict[tuple[str, int], list[AllotmentDay]] = defaultdict(list)
    for day in sorted(days, key=lambda d: (d.allotment_id, d.pk)):
        by_row[("slot", day.slot_id) if day.slot_id else ("night", day.night_id)].append(day)
    left_over, draws = [], []
    taken: dict[AllotmentDay, int] = defaultdict(int)
    for need in needs:
        wanted = need.quantity
        for day in by_row.get((need.kind, need.pk), ()):
            take = min(wanted, day.allotted - day.used - taken[day])
            if take <= 0:
                continue
            taken[day] += take
            wanted -= take
            draws.append(AllotmentDraw(day=day, booking=booking, quantity=take))
            if not wanted:
                break
        if wanted:
            left_over.append(replace(need, quantity=wanted))
    for day, quantity in taken.items():
        if LOCKING_ENABLED:
            AllotmentDay.objects.filter(pk=day.pk).update(used=F("used") + quantity)
        else:  # the unsafe read-then-write path, only for the canary test
            _race_window()
            AllotmentDay.objects.filter(pk=day.pk).update(used=day.used + quantity)
        if as_state == "sold":
            kind, pk = ("slot", day.slot_id) if day.slot_id else ("night", day.night_id)
            _MODEL_OF[kind].objects.filter(pk=pk).update(
                held=F("held") - quantity, sold=F("sold") + quantity
            )
    AllotmentDraw.objects.bulk_create(draws)
    return left_over


def allotment_give_back(*, allocations: list) -> None:
    """Released allocations (their counters already decremented) that came from an
    allotment: before the day's release the places return to the allotment (held again for
    the partner), after it they stay in general sale."""
    from bookings.models import BookingLine

    line_ids = {a.line_id for a in allocations}
    outstanding = AllotmentDraw.objects.filter(
        booking__lines__in=line_ids, quantity__gt=F("returned") + F("freed")
    )
    draw_pks = list(outstanding.values_list("pk", flat=True).distinct())
    if not draw_pks:
        return
    booking_of = dict(BookingLine.objects.filter(pk__in=line_ids).values_list("pk", "booking_id"))
    draws = list(
        AllotmentDraw.objects.select_for_update()
        .filter(pk__in=draw_pks)
        .select_related("day")
        .order_by("day_id", "pk")
    )
    days = {
        d.pk: d
        for d in AllotmentDay.objects.select_for_update()
        .filter(pk__in={d.day_id for d in draws})
        .order_by("pk")
    }
    for allocation in allocations:
        if allocation.slot_id:
            key = ("slot", allocation.slot_id)
        elif allocation.night_id:
            key = ("night", allocation.night_id)
        else:
            continue
        quantity = allocation.quantity
        for draw in draws:
            day = days[draw.day_id]
            row = ("slot", day.slot_id) if day.slot_id else ("night", day.night_id)
            if draw.booking_id != booking_of.get(allocation.line_id) or row != key:
                continue
            give = min(draw.outstanding, quantity)
            if give <= 0:
                continue
            quantity -= give
            if day.released_at is None:
                draw.returned += give
                day.used -= give
                AllotmentDay.objects.filter(pk=day.pk).update(used=F("used") - give)
                _MODEL_OF[row[0]].objects.filter(pk=row[1]).update(held=F("held") + give)
            else:
                draw.freed += give
            if not quantity:
                break
    AllotmentDraw.objects.bulk_update(draws, ["returned", "freed"])
