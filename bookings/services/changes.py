"""Amendments: a line's dates, party or units changed, priced and checked against inventory."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from operators.models import (
    PricingUnit,
)
from operators.pricing import PaxMix, money

from ..models import (
    Allocation,
    AllocationState,
    Amendment,
    BookingLine,
    BookingStatus,
    LineKind,
    LineStatus,
)
from .common import _after_commit, _locked_booking, _notify, _recompute_totals
from .errors import BookingError, InvalidTransition, SoldOut
from .inventory import _MODEL_OF, _allocation_need, _lock_rows, _move, _Need, _run_locked, _take
from .planning import LineRequest, _plan, _record

logger = logging.getLogger(__name__)


# --- amendments ----------------------------------------------------------------------------


@dataclass
class AmendmentPreview:
    old_total: Decimal
    new_total: Decimal
    problem: str | None = None

    @property
    def difference(self) -> Decimal:
        return self.new_total - self.old_total


def _amended_request(
    line: BookingLine,
    *,
    day=None,
    slot=None,
    pax=None,
    unit_type=None,
    check_out=None,
    units=None,
    quantity=None,
) -> LineRequest:
    pax = pax or PaxMix.of(**line.pax)
    new_day = day or line.service_date
    if line.kind == LineKind.ACCOMMODATION and day and not check_out and line.end_date:
        check_out = day + (line.end_date - line.service_date)
    return LineRequest(
        product=line.product,
        day=new_day,
        pax=pax,
        slot=slot or (line.slot if not day or day == line.service_date else None),
        unit_type=unit_type or line.unit_type,
        check_out=check_out or line.end_date,
        units=units
        or (
            line.quantity
            if line.kind == LineKind.ACCOMMODATION
            else (line.quantity if line.product.pricing_unit == PricingUnit.PER_UNIT else 1)
        ),
        quantity=quantity or line.quantity,
        residents=line.tax_exempt_residents,
    )


def amendment_preview(*, line: BookingLine, **changes) -> AmendmentPreview:
    """What the line would cost after the change, and whether it can be made (no writes)."""
    booking = line.booking
    try:
        planned = _plan(_amended_request(line, **changes), timezone.localdate(), own=_held_by(line))
    except (ValidationError, SoldOut) as exc:
        message = exc.message if isinstance(exc, SoldOut) else "; ".join(exc.messages)
        return AmendmentPreview(booking.total_retail, booking.total_retail, message)
    problem = _needs_problem(
        planned.needs,
        own=list(line.allocations.filter(state__in=(AllocationState.HELD, AllocationState.SOLD))),
    )
    new_total = booking.total_retail - line.retail_amount + planned.quote.retail_total
    return AmendmentPreview(booking.total_retail, money(new_total), problem)


def _held_by(line: BookingLine) -> dict[tuple[str, int], int]:
    """{(kind, row pk): quantity} that the line holds now (held or sold)."""
    mine: dict[tuple[str, int], int] = {}
    for allocation in line.allocations.filter(
        state__in=(AllocationState.HELD, AllocationState.SOLD)
    ):
        need = _allocation_need(allocation)
        mine[(need.kind, need.pk)] = mine.get((need.kind, need.pk), 0) + need.quantity
    return mine


def _needs_problem(needs: list[_Need], own: list[Allocation]) -> str | None:
    """Whether the needs fit in what is left, counting what the line already holds as free
    (a read without locks: the change itself re-checks under locks)."""
    mine: dict[tuple[str, int], int] = {}
    for allocation in own:
        need = _allocation_need(allocation)
        mine[(need.kind, need.pk)] = mine.get((need.kind, need.pk), 0) + need.quantity
    for kind, model in _MODEL_OF.items():
        rows = model.objects.in_bulk([n.pk for n in needs if n.kind == kind])
        for need in (n for n in needs if n.kind == kind):
            row = rows[need.pk]
            capacity = {"slot": "capacity", "night": "units", "stock": "quantity"}[kind]
            left = getattr(row, capacity) - row.sold - row.held + mine.get((kind, need.pk), 0)
            if getattr(row, "closed", False) or getattr(row, "status", "open") != "open":
                left = 0
            if left < need.quantity:
                return _("Only %(left)s left for this change.") % {"left": max(left, 0)}
    return None


def booking_amend(
    *, line: BookingLine, actor=None, expected_total: Decimal | None = None, **changes
) -> Amendment:
    """Change date, slot, pax, unit type or dates of a line: release and re-take inventory and
    re-price in one transaction. `expected_total` is what the user was shown; a different
    price refuses the change so that nobody confirms a price they did not see."""
    request = _amended_request(line, **changes)
    planned = _plan(request, timezone.localdate(), own=_held_by(line))

    def write():
        booking = _locked_booking(line.booking)
        if not booking.is_active:
            raise InvalidTransition(_("This booking is no longer active."))
        current = BookingLine.objects.get(pk=line.pk, booking=booking)
        if current.status != LineStatus.ACTIVE or current.parent_id:
            raise BookingError({"line": _("This line cannot be amended.")})
        old_total = booking.total_retail
        new_total = money(old_total - current.retail_amount + planned.quote.retail_total)
        if expected_total is not None and money(expected_total) != new_total:
            raise BookingError(
                {
                    "expected_total": _("The price changed to %(total)s: review the change again.")
                    % {"total": new_total}
                }
            )
        old_allocations = list(
            current.allocations.filter(state__in=(AllocationState.HELD, AllocationState.SOLD))
        )
        state = "sold" if booking.status == BookingStatus.CONFIRMED else "held"
        # Lock everything involved (old and new rows) in the fixed order, then move.
        everything = [_allocation_need(a) for a in old_allocations] + planned.needs
        for kind, model in _MODEL_OF.items():
            _lock_rows(model, [n.pk for n in everything if n.kind == kind])
        for allocation in old_allocations:
            _move([allocation], from_state=allocation.state, to_state=None)
        _take(planned.needs, as_state=state)
        before = {
            "date": current.service_date.isoformat(),
            "pax": current.pax,
            "slot": current.slot_id,
            "unit_type": current.unit_type_id,
            "end_date": current.end_date.isoformat() if current.end_date else None,
            "retail": str(current.retail_amount),
        }
        current.service_date = request.day
        current.end_date = planned.end_date
        current.slot = request.slot
        current.start_time = planned.start_time
        current.unit_type = request.unit_type
        current.quantity = planned.quantity
        current.persons = planned.persons
        current.pax = request.pax.as_dict()
        current.title = planned.title[:300]
        current.retail_amount = planned.quote.retail_total
        current.net_amount = planned.quote.net_total
        current.commission_amount = planned.quote.commission
        current.price_breakdown = planned.quote.as_dict()["lines"]
        current.tourist_tax = planned.tourist_tax
        if current.tax_exemptions:  # exemptions by reason recorded on the stay still apply
            from .tax_exemptions import line_tourist_tax

            exempt = min(sum(current.tax_exemptions.values()), current.persons)
            current.tourist_tax = line_tourist_tax(current, exempt)
        current.save()
        Allocation.objects.bulk_create(
            [
                Allocation(
                    line=current,
                    quantity=n.quantity,
                    state=AllocationState.SOLD if state == "sold" else AllocationState.HELD,
                    **{f"{n.kind}_id": n.pk},
                )
                for n in planned.needs
            ]
        )
        _recompute_totals(booking)
        after = {
            "date": current.service_date.isoformat(),
            "pax": current.pax,
            "slot": current.slot_id,
            "unit_type": current.unit_type_id,
            "end_date": current.end_date.isoformat() if current.end_date else None,
            "retail": str(current.retail_amount),
        }
        amendment = Amendment.objects.create(
            booking=booking,
            actor=actor if getattr(actor, "pk", None) else None,
            description=_("%(line)s changed") % {"line": current.title},
            old_total=old_total,
            new_total=booking.total_retail,
            data={"line": current.pk, "before": before, "after": after},
        )
        _record(
            booking,
            action="amend",
            actor=actor,
            data={"amendment": amendment.pk, "difference": str(amendment.difference)},
        )
        _notify("amended", booking)
        # payments follows the amended total once the amendment is committed.
        _after_commit("amended", booking.pk)
        return amendment

    return _run_locked(write)


# --- who the booking is for ----------------------------------------------------------------

_CONTACT_FIELDS = ("contact_name", "contact_email", "contact_phone", "buyer_reference", "notes")


def booking_contact_update(*, booking, actor=None, **changes):
    """Change the lead contact, the buyer's reference or the notes of an active booking (the
    OCTO channel gives the traveller's contact at confirmation). Unknown fields are refused."""
    unknown = set(changes) - set(_CONTACT_FIELDS)
    if unknown:
        raise BookingError({sorted(unknown)[0]: _("This field cannot be changed here.")})

    def write():
        locked = _locked_booking(booking)
        if not locked.is_active:
            raise InvalidTransition(_("This booking is no longer active."))
        changed = {name: value for name, value in changes.items() if getattr(locked, name) != value}
        if not changed:
            return locked
        before = {name: getattr(locked, name) for name in changed}
        for name, value in changed.items():
            setattr(locked, name, value)
        locked.full_clean(validate_unique=False)
        locked.save(update_fields=[*changed, "updated_at"])
        _record(
            locked,
            action="contact_update",
            actor=actor,
            data={"before": before, "after": changed},
        )
        return locked

    return _run_locked(write)
