"""Amendments: a line's dates, party or units changed, priced and checked against inventory."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import Q
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
    Booking,
    BookingLine,
    BookingStatus,
    CancelReason,
    LineKind,
    LineStatus,
)
from .allotment_hooks import draw_from_partner_allotment, partner_reserved_places
from .cancellation import CancellationResult, booking_cancel, cancellation_preview
from .common import _after_commit, _locked_booking, _notify, _recompute_totals
from .errors import BookingError, InvalidTransition, SoldOut
from .inventory import _MODEL_OF, _allocation_need, _lock_rows, _move, _Need, _run_locked, _take
from .planning import TRAVELLER_HOLD, ZERO, LineRequest, _plan, _record
from .terms import option_latest_expiry

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
        planned = _plan(
            _amended_request(line, **changes),
            timezone.localdate(),
            own=_held_by(line),
            buyer=booking.buyer_organisation,
            priced_with=line.partner_pricing,
        )
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
    own = _held_by(line)
    reserved = partner_reserved_places(
        organisation=line.booking.buyer_organisation, requests=[request]
    )
    for key, places in reserved.items():
        own[key] = own.get(key, 0) + places
    planned = _plan(
        request,
        timezone.localdate(),
        own=own,
        buyer=line.booking.buyer_organisation,
        priced_with=line.partner_pricing,
    )

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
        _take(
            draw_from_partner_allotment(booking=booking, needs=planned.needs, as_state=state),
            as_state=state,
        )
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
        current.public_amount = getattr(planned.quote, "public_total", planned.quote.retail_total)
        current.partner_pricing = getattr(planned.quote, "terms", {})
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


def _check_expected(expected_total, new_total) -> None:
    if expected_total is not None and money(expected_total) != money(new_total):
        raise BookingError(
            {
                "expected_total": _("The price changed to %(total)s: review the change again.")
                % {"total": money(new_total)}
            }
        )


def _line_state(booking: Booking) -> str:
    """Inventory of a confirmed booking is sold; of an option or a pending payment, held."""
    return "sold" if booking.status == BookingStatus.CONFIRMED else "held"


def _write_amendment(booking, *, actor, old_total, description, data) -> Amendment:
    """The amendment row, its event, the notification and the event the other apps follow
    (payables, schedule, refunds, invoices), after the lines changed."""
    _recompute_totals(booking)
    amendment = Amendment.objects.create(
        booking=booking,
        actor=actor if getattr(actor, "pk", None) else None,
        description=description,
        old_total=old_total,
        new_total=booking.total_retail,
        data=data,
    )
    _record(
        booking,
        action="amend",
        actor=actor,
        data={"amendment": amendment.pk, "difference": str(amendment.difference)},
    )
    _notify("amended", booking)
    _after_commit("amended", booking.pk)
    return amendment


# --- adding lines to a booking ----------------------------------------------------------------


def _plan_additions(booking, lines, package_lines, today):
    if not lines and not package_lines:
        raise BookingError({"lines": _("Add at least one item to book.")})
    reserved = partner_reserved_places(
        organisation=booking.buyer_organisation, requests=list(lines or ())
    )
    planned = [
        _plan(request, today, own=reserved, buyer=booking.buyer_organisation)
        for request in lines or ()
    ]
    planned_packages = [
        pkg.plan(today, buyer=booking.buyer_organisation) for pkg in package_lines or ()
    ]
    added = sum((p.quote.retail_total for p in planned), ZERO) + sum(
        (pkg.quote.retail_total for pkg in planned_packages), ZERO
    )
    return planned, planned_packages, money(added)


def add_lines_preview(
    *, booking: Booking, lines=(), package_lines=(), today=None
) -> AmendmentPreview:
    """What the booking would cost with the new lines, or why they cannot be added."""
    try:
        planned, _packages, added = _plan_additions(
            booking, lines, package_lines, today or timezone.localdate()
        )
    except (ValidationError, SoldOut) as exc:
        message = exc.message if isinstance(exc, SoldOut) else "; ".join(exc.messages)
        return AmendmentPreview(booking.total_retail, booking.total_retail, message)
    problem = _needs_problem([n for p in planned for n in p.needs], own=[])
    if not booking.is_active:
        problem = _("This booking is no longer active.")
    if problem:
        return AmendmentPreview(booking.total_retail, booking.total_retail, problem)
    return AmendmentPreview(booking.total_retail, money(booking.total_retail + added))


def booking_add_lines(
    *,
    booking: Booking,
    lines: list[LineRequest] | None = None,
    package_lines: list | None = None,
    actor=None,
    expected_total: Decimal | None = None,
    today=None,
) -> Amendment:
    """Add products and/or packages to an existing booking (an option, a pending payment or
    a confirmed booking): priced and their inventory taken in one transaction, held for an
    option, sold for a confirmed booking. The amendment that records it makes payments and
    invoices follow (a new balance instalment, payables, a supplementary invoice).
    `expected_total` is the booking's new total the user was shown."""
    today = today or timezone.localdate()
    planned, planned_packages, added = _plan_additions(booking, lines, package_lines, today)

    def write():
        from .holds import _create_line

        locked = _locked_booking(booking)
        if not locked.is_active:
            raise InvalidTransition(_("This booking is no longer active."))
        old_total = locked.total_retail
        _check_expected(expected_total, old_total + added)
        state = _line_state(locked)
        needs = [n for p in planned for n in p.needs]
        needs += [n for pkg in planned_packages for n in pkg.needs]
        _take(
            draw_from_partner_allotment(booking=locked, needs=needs, as_state=state),
            as_state=state,
        )
        position = max((ln.position for ln in locked.lines.filter(parent__isnull=True)), default=0)
        new_lines = []
        for p in planned:
            position += 1
            new_lines.append(_create_line(locked, p, position, locked.buyer_organisation))
        for pkg in planned_packages:
            position += 1
            new_lines.append(pkg.create_lines(locked, position))
        if state == "sold":
            Allocation.objects.filter(Q(line__in=new_lines) | Q(line__parent__in=new_lines)).update(
                state=AllocationState.SOLD
            )
        if locked.status != BookingStatus.CONFIRMED and locked.expires_at:
            latest = option_latest_expiry(
                [(p.request.product.organisation_id, p.request.day, p.start_time) for p in planned]
                + [
                    (
                        ln.organisation_id,
                        ln.date,
                        timezone.localtime(ln.starts_at).time() if ln.starts_at else None,
                    )
                    for pkg in planned_packages
                    for ln in pkg.quote.lines
                ]
            )
            if latest is not None and latest < locked.expires_at:
                locked.expires_at = max(latest, timezone.now() + TRAVELLER_HOLD)
        titles = ", ".join(ln.title for ln in new_lines)
        return _write_amendment(
            locked,
            actor=actor,
            old_total=old_total,
            description=_("Added: %(lines)s") % {"lines": titles},
            data={"added": [ln.pk for ln in new_lines]},
        )

    return _run_locked(write)


# --- removing a line ----------------------------------------------------------------------------


def line_removal_preview(*, line: BookingLine, waive_penalty: bool = False) -> Decimal:
    """The penalty that removing the line would keep (its cancellation tiers today)."""
    return cancellation_preview(
        booking=line.booking, line_ids=[line.pk], waive_penalty=waive_penalty
    )


def booking_remove_line(
    *,
    line: BookingLine,
    actor=None,
    reason: str = CancelReason.BUYER,
    waive_penalty: bool = False,
    note: str = "",
) -> CancellationResult:
    """Remove one line from a booking: the line is cancelled with its penalty (unless the
    DMC waives it), its inventory released, the rest refunded; removing the last line
    cancels the booking. The same path as a partial cancellation, so that credit notes,
    refunds and payables follow."""
    if line.parent_id:
        raise BookingError({"line": _("Remove the package, not one of its components.")})
    return booking_cancel(
        booking=line.booking,
        reason=reason,
        actor=actor,
        line_ids=[line.pk],
        waive_penalty=waive_penalty,
        note=note,
    )


# --- amending a package line --------------------------------------------------------------------


def _package_held_by(line: BookingLine) -> dict[tuple[str, int], int]:
    """What a package line holds now: its components' rows and its places on the departure."""
    mine: dict[tuple[str, int], int] = {}
    for allocation in Allocation.objects.filter(
        line__parent=line, state__in=(AllocationState.HELD, AllocationState.SOLD)
    ):
        need = _allocation_need(allocation)
        mine[(need.kind, need.pk)] = mine.get((need.kind, need.pk), 0) + need.quantity
    if line.package_departure_id:
        mine[("departure", line.package_departure_id)] = line.quantity
    return mine


def _package_request(line: BookingLine, *, start_date=None, pax=None, rooms=None):
    """The package request of an amended package line: the same package and extras."""
    from packages.models import Package

    from ..package_lines import PackageLineRequest

    if line.kind != LineKind.PACKAGE or line.parent_id:
        raise BookingError({"line": _("This line is not a package.")})
    package = Package.objects.filter(slug=line.package_slug).first()
    if package is None:
        raise BookingError({"package": _("This package is no longer offered.")})
    extras = [c["component_id"] for c in line.price_breakdown if not c.get("required", True)]
    return PackageLineRequest(
        package=package,
        start_date=start_date or line.service_date,
        pax=pax or PaxMix.of(**line.pax),
        extras=extras,
        rooms=rooms or None,
        terms_accepted=True,  # accepted when the package was booked
    )


def package_amendment_preview(
    *, line: BookingLine, start_date=None, pax=None, rooms=None, today=None
) -> AmendmentPreview:
    """What the booking would cost with the package line changed (date, party, rooms),
    checked against what the line already holds plus what is free (no writes)."""
    booking = line.booking
    try:
        request = _package_request(line, start_date=start_date, pax=pax, rooms=rooms)
        request.plan(
            today or timezone.localdate(),
            own=_package_held_by(line),
            buyer=booking.buyer_organisation,  # a partner's allotment places are free for it
        )
    except (ValidationError, SoldOut) as exc:
        message = exc.message if isinstance(exc, SoldOut) else "; ".join(exc.messages)
        return AmendmentPreview(booking.total_retail, booking.total_retail, message)
    new_total = booking.total_retail - line.retail_amount + request.priced_for(line).retail_total
    return AmendmentPreview(booking.total_retail, money(new_total))


def booking_amend_package(
    *,
    line: BookingLine,
    actor=None,
    expected_total: Decimal | None = None,
    start_date=None,
    pax=None,
    rooms: dict | None = None,
    today=None,
) -> Amendment:
    """Change a package line's start date (departure), party or rooms: every component is
    re-quoted against what the line holds plus what is free, the old inventory and
    departure places released and the new ones taken, in one transaction."""
    from packages.models import Departure
    from packages.services import departure_release_pax, departure_take_pax

    request = _package_request(line, start_date=start_date, pax=pax, rooms=rooms)
    request.plan(
        today or timezone.localdate(),
        own=_package_held_by(line),
        buyer=line.booking.buyer_organisation,  # a partner's allotment places are free for it
    )

    def write():
        locked = _locked_booking(line.booking)
        if not locked.is_active:
            raise InvalidTransition(_("This booking is no longer active."))
        current = BookingLine.objects.get(pk=line.pk, booking=locked)
        if current.status != LineStatus.ACTIVE or current.kind != LineKind.PACKAGE:
            raise BookingError({"line": _("This line cannot be amended.")})
        old_total = locked.total_retail
        _check_expected(
            expected_total,
            old_total - current.retail_amount + request.priced_for(current).retail_total,
        )
        old_allocations = list(
            Allocation.objects.filter(
                line__parent=current, state__in=(AllocationState.HELD, AllocationState.SOLD)
            )
        )
        everything = [_allocation_need(a) for a in old_allocations] + request.needs
        for kind, model in _MODEL_OF.items():
            _lock_rows(model, [n.pk for n in everything if n.kind == kind])
        for state in (AllocationState.HELD, AllocationState.SOLD):
            subset = [a for a in old_allocations if a.state == state]
            if subset:
                _move(subset, from_state=state, to_state=None)
        state = _line_state(locked)
        # Drawn first from the partner's allotments (as booking_hold does), the rest taken.
        _take(
            draw_from_partner_allotment(booking=locked, needs=request.needs, as_state=state),
            as_state=state,
        )
        before = _package_snapshot(current)
        if current.package_departure_id:
            departure_release_pax(
                departure=Departure.objects.get(pk=current.package_departure_id),
                pax=current.quantity,
            )
        if request.quote.departure_id:
            departure_take_pax(
                departure=Departure.objects.get(pk=request.quote.departure_id),
                pax=request.pax.seats,
            )
        request.update_lines(
            current,
            state=AllocationState.SOLD if state == "sold" else AllocationState.HELD,
        )
        return _write_amendment(
            locked,
            actor=actor,
            old_total=old_total,
            description=_("%(line)s changed") % {"line": current.title},
            data={"line": current.pk, "before": before, "after": _package_snapshot(current)},
        )

    return _run_locked(write)


def _package_snapshot(line: BookingLine) -> dict:
    return {
        "date": line.service_date.isoformat(),
        "pax": line.pax,
        "departure": line.package_departure_id,
        "rooms": {
            str(c["component_id"]): c["units"]
            for c in line.price_breakdown
            if c.get("unit_type_id")
        },
        "retail": str(line.retail_amount),
    }


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
