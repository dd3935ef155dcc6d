"""Cancellation of bookings, departures and participants, with penalties and refunds."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from operators.models import (
    PricingUnit,
    Slot,
)
from operators.pricing import PaxMix, money
from trade.pricing import price_product_for

from ..models import (
    ACTIVE_STATUSES,
    Allocation,
    AllocationState,
    Booking,
    BookingStatus,
    CancelReason,
    LineKind,
    LineStatus,
    Participant,
)
from ..policies import penalty_for
from .common import _after_commit, _locked_booking, _notify, _recompute_totals
from .errors import BookingError, InvalidTransition
from .inventory import _move, _run_locked
from .planning import _record, _transition

logger = logging.getLogger(__name__)


@dataclass
class CancellationResult:
    booking: Booking
    penalty: Decimal
    refund_due: Decimal
    lines: list[int]


def cancellation_preview(
    *, booking: Booking, line_ids=None, waive_penalty=False, today: date | None = None
) -> Decimal:
    today = today or timezone.localdate()
    lines = [
        ln
        for ln in booking.lines.filter(parent__isnull=True, status=LineStatus.ACTIVE)
        if line_ids is None or ln.pk in line_ids
    ]
    if waive_penalty or booking.status != BookingStatus.CONFIRMED:
        return Decimal("0.00")
    return money(
        sum(
            (
                penalty_for(
                    tiers=ln.cancellation_tiers,
                    amount=ln.retail_amount,
                    service_date=ln.service_date,
                    today=today,
                )
                for ln in lines
            ),
            Decimal("0"),
        )
    )


def booking_cancel(
    *,
    booking: Booking,
    reason: str,
    actor=None,
    line_ids=None,
    waive_penalty: bool = False,
    note: str = "",
    today: date | None = None,
) -> CancellationResult:
    """Cancel the whole booking or some of its lines, releasing their inventory. Confirmed
    lines carry the penalty of their tiers (none for a departure not guaranteed, for
    extraordinary circumstances, or when the DMC waives it); the rest is refund due, which
    payments executes."""
    if reason not in CancelReason.values:
        raise BookingError({"reason": _("Unknown cancellation reason.")})
    free = waive_penalty or reason in (
        CancelReason.NOT_GUARANTEED,
        CancelReason.EXTRAORDINARY,
        CancelReason.EXPIRED,
    )
    today = today or timezone.localdate()

    def write():
        locked = _locked_booking(booking)
        if locked.status == BookingStatus.CANCELLED:
            return CancellationResult(locked, Decimal("0"), Decimal("0"), [])
        top = list(locked.lines.filter(parent__isnull=True, status=LineStatus.ACTIVE))
        if line_ids is not None:
            unknown = set(line_ids) - {ln.pk for ln in top}
            if unknown:
                raise BookingError({"lines": _("Unknown or already cancelled line.")})
            top = [ln for ln in top if ln.pk in line_ids]
        if not top:
            raise BookingError({"lines": _("Nothing left to cancel.")})
        confirmed = locked.status == BookingStatus.CONFIRMED
        penalty_total = Decimal("0")
        refund = Decimal("0")
        for line in top:
            penalty = Decimal("0")
            if confirmed and not free:
                penalty = penalty_for(
                    tiers=line.cancellation_tiers,
                    amount=line.retail_amount,
                    service_date=line.service_date,
                    today=today,
                )
            line.penalty_amount = penalty
            line.status = LineStatus.CANCELLED
            line.save(update_fields=["penalty_amount", "status"])
            line.components.update(status=LineStatus.CANCELLED)
            penalty_total += penalty
            if confirmed:
                refund += line.retail_amount - penalty
        allocations = list(
            Allocation.objects.filter(
                line__in=[*top, *[c for ln in top for c in ln.components.all()]],
                state__in=(AllocationState.HELD, AllocationState.SOLD),
            )
        )
        for state in ("held", "sold"):
            subset = [a for a in allocations if a.state == state]
            if subset:
                _move(subset, from_state=state, to_state=None)
        _release_departures(top)
        remaining = locked.lines.filter(parent__isnull=True, status=LineStatus.ACTIVE).exists()
        locked.refund_due = money(locked.refund_due + refund)
        if not remaining:
            _transition(
                locked,
                BookingStatus.CANCELLED,
                actor=actor,
                action="cancel",
                reason=note or CancelReason(reason).label,
                data={"penalty": str(penalty_total), "refund_due": str(refund)},
            )
            locked.cancel_reason = reason
            locked.cancelled_at = timezone.now()
        else:
            _record(
                locked,
                action="cancel_lines",
                actor=actor,
                reason=note,
                data={
                    "lines": [ln.pk for ln in top],
                    "penalty": str(penalty_total),
                    "refund_due": str(refund),
                },
            )
        locked.save(
            update_fields=["refund_due", "cancel_reason", "cancelled_at", "status", "updated_at"]
        )
        _recompute_totals(locked)
        if reason != CancelReason.EXPIRED:
            _notify("cancelled", locked)
        _after_commit("cancelled", locked.pk, [ln.pk for ln in top] if confirmed else None)
        return CancellationResult(
            locked, money(penalty_total), money(refund), [ln.pk for ln in top]
        )

    return _run_locked(write)


def _release_departures(lines) -> None:
    """Give back the places a package line took on a fixed departure."""
    departure_lines = [ln for ln in lines if ln.package_departure_id]
    if not departure_lines:
        return
    from packages.models import Departure
    from packages.services import departure_release_pax

    for line in departure_lines:
        departure = Departure.objects.filter(pk=line.package_departure_id).first()
        if departure is not None:
            departure_release_pax(departure=departure, pax=line.quantity)


def bookings_cancel_for_departures(*, departure_ids: list[int], actor=None) -> int:
    """Cancel, free of charge, the bookings on departures that were not guaranteed."""
    cancelled = 0
    bookings = Booking.objects.filter(
        lines__package_departure_id__in=departure_ids, status__in=ACTIVE_STATUSES
    ).distinct()
    for booking in bookings:
        lines = list(
            booking.lines.filter(
                package_departure_id__in=departure_ids, status=LineStatus.ACTIVE
            ).values_list("pk", flat=True)
        )
        booking_cancel(
            booking=booking,
            reason=CancelReason.NOT_GUARANTEED,
            line_ids=lines,
            actor=actor,
            note=_("The departure did not reach its minimum."),
        )
        cancelled += 1
    return cancelled


def participants_cancel(
    *, booking: Booking, participant_ids: list[int], actor=None, today: date | None = None
) -> CancellationResult:
    """Cancel some participants of a confirmed or held booking: their seats are released on
    per-person experience lines, lines are re-priced for the smaller group, and the penalty
    applies to the difference."""
    today = today or timezone.localdate()

    def write():
        locked = _locked_booking(booking)
        if not locked.is_active:
            raise InvalidTransition(_("This booking is no longer active."))
        people = list(
            Participant.objects.filter(booking=locked, pk__in=participant_ids, cancelled=False)
        )
        if len(people) != len(set(participant_ids)):
            raise BookingError({"participants": _("Unknown or already cancelled participant.")})
        confirmed = locked.status == BookingStatus.CONFIRMED
        penalty_total = refund = Decimal("0")
        lines = {
            ln.pk: ln for ln in locked.lines.filter(parent__isnull=True, status=LineStatus.ACTIVE)
        }
        for line in lines.values():
            leaving = [p for p in people if p.line_id in (None, line.pk)]
            per_person = line.kind in (LineKind.EXPERIENCE, LineKind.SERVICE) and (
                line.product and line.product.pricing_unit == PricingUnit.PER_PERSON
            )
            if not leaving or not per_person:
                continue
            pax = PaxMix.of(**line.pax)
            adults = max(pax.adults - len(leaving), 0)
            new_pax = PaxMix.of(
                adults=adults,
                seniors=pax.seniors,
                children_ages=pax.children_ages,
                infants=pax.infants,
            )
            if new_pax.seats < 1:
                raise BookingError(
                    {"participants": _("Cancelling everyone on a line: cancel the line instead.")}
                )
            quote = price_product_for(
                locked.buyer_organisation,
                line.product,
                day=line.service_date,
                pax=new_pax,
                contract_version=(line.partner_pricing or {}).get("version"),
            )
            diff = line.retail_amount - quote.retail_total
            penalty = (
                penalty_for(
                    tiers=line.cancellation_tiers,
                    amount=diff,
                    service_date=line.service_date,
                    today=today,
                )
                if confirmed
                else Decimal("0")
            )
            released = line.quantity - new_pax.seats
            allocation = line.allocations.filter(
                state__in=(AllocationState.HELD, AllocationState.SOLD)
            ).first()
            if allocation and released > 0:
                state = allocation.state
                Slot.objects.select_for_update().filter(pk=allocation.slot_id).first()
                Slot.objects.filter(pk=allocation.slot_id).update(**{state: F(state) - released})
                allocation.quantity -= released
                allocation.save(update_fields=["quantity"])
            line.quantity = new_pax.seats
            line.persons = new_pax.persons
            line.pax = new_pax.as_dict()
            line.retail_amount = quote.retail_total
            line.net_amount = quote.net_total
            line.commission_amount = quote.commission
            line.public_amount = getattr(quote, "public_total", quote.retail_total)
            line.penalty_amount += penalty
            line.price_breakdown = quote.as_dict()["lines"]
            line.save()
            penalty_total += penalty
            if confirmed:
                refund += diff - penalty
        Participant.objects.filter(pk__in=[p.pk for p in people]).update(cancelled=True)
        locked.refund_due = money(locked.refund_due + refund)
        locked.save(update_fields=["refund_due", "updated_at"])
        _after_commit("cancelled", locked.pk)
        _record(
            locked,
            action="cancel_participants",
            actor=actor,
            data={
                "participants": participant_ids,
                "penalty": str(penalty_total),
                "refund_due": str(refund),
            },
        )
        _recompute_totals(locked)
        _notify("amended", locked)
        return CancellationResult(locked, money(penalty_total), money(refund), [])

    return _run_locked(write)
