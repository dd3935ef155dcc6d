"""Whether one product can be sold for a date and a pax mix, from the inventory rows.

These read-only checks tell a channel what it could book; the booking engine re-checks
under row locks when it takes the inventory."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import F, Q
from django.utils.translation import gettext as _

from .models import GoodsStock, NightInventory, Product, Slot, SlotStatus, UnitType
from .pricing import PaxMix


@dataclass
class Unavailable:
    reason: str


class StayProblem(str):
    """Why a stay cannot be sold: the translated message, with a machine code chosen where the
    problem is found. `sold_out` problems are missing inventory (a 409 for a buyer); the others
    are a request the property cannot take (a 400 on the dates or the party)."""

    code: str

    def __new__(cls, message: str, *, code: str):
        problem = super().__new__(cls, message)
        problem.code = code
        return problem

    @property
    def sold_out(self) -> bool:
        """Missing inventory (a 409 for a buyer): nights full ("sold_out") or not open for
        sale ("closed": closed by the operator or never opened)."""
        return self.code in ("sold_out", "closed")


def bookable_slots(product: Product, *, day: date, seats: int):
    """Open slots of the product on the day with at least `seats` places free."""
    return Slot.objects.filter(
        product=product,
        date=day,
        status=SlotStatus.OPEN,
        capacity__gte=F("sold") + F("held") + seats,
    ).order_by("starts_at")


def slots_between(product_ids, *, start: date, end: date, seats: int):
    """Open slots of these products in [start, end] with room for `seats`: one query."""
    return Slot.objects.filter(
        product_id__in=product_ids,
        date__gte=start,
        date__lte=end,
        status=SlotStatus.OPEN,
        capacity__gte=F("sold") + F("held") + seats,
    )


def stay_problem(
    unit_type: UnitType,
    *,
    check_in: date,
    check_out: date,
    units: int,
    pax: PaxMix,
    nights: list[NightInventory] | None = None,
) -> StayProblem | None:
    """Why this stay cannot be sold, or None if it can. One query for the nights."""
    n_nights = (check_out - check_in).days
    if n_nights < 1:
        return StayProblem(
            _("The check-out must be after the check-in."),
            code="invalid_dates",
        )
    if units < 1:
        return StayProblem(
            _("Book at least one unit."),
            code="invalid_units",
        )
    if pax.persons - pax.infants > unit_type.max_occupancy * units:
        return StayProblem(
            _("Too many guests for %(units)s × %(name)s (at most %(max)s each).")
            % {
                "units": units,
                "name": unit_type.name,
                "max": unit_type.max_occupancy,
            },
            code="too_many_guests",
        )
    if pax.children > unit_type.max_children * units:
        return StayProblem(
            _("Too many children for %(name)s.") % {"name": unit_type.name},
            code="too_many_children",
        )
    if nights is None:
        nights = list(
            NightInventory.objects.filter(
                unit_type=unit_type, date__gte=check_in, date__lte=check_out
            )
        )
    by_date = {n.date: n for n in nights}
    arrival = by_date.get(check_in)
    if arrival is None:
        return StayProblem(
            _("Not open for booking on %(date)s.") % {"date": check_in.isoformat()},
            code="closed",
        )
    if arrival.closed_to_arrival:
        return StayProblem(
            _("Arrivals are not possible on %(date)s.") % {"date": check_in.isoformat()},
            code="closed_to_arrival",
        )
    min_stay = arrival.min_stay or unit_type.min_stay
    if n_nights < min_stay:
        return StayProblem(
            _("The minimum stay from %(date)s is %(n)s nights.")
            % {
                "date": check_in.isoformat(),
                "n": min_stay,
            },
            code="min_stay",
        )
    departure = by_date.get(check_out)
    if departure is not None and departure.closed_to_departure:
        return StayProblem(
            _("Departures are not possible on %(date)s.") % {"date": check_out.isoformat()},
            code="closed_to_departure",
        )
    day = check_in
    while day < check_out:
        night = by_date.get(day)
        if night is None or night.closed:
            return StayProblem(
                _("Closed on the night of %(date)s.") % {"date": day.isoformat()},
                code="closed",
            )
        if night.units - night.sold - night.held < units:
            return StayProblem(
                _("Sold out on the night of %(date)s.") % {"date": day.isoformat()},
                code="sold_out",
            )
        day += timedelta(days=1)
    return None


def stock_problem(product: Product, *, quantity: int) -> str | None:
    if quantity < 1:
        return _("Order at least one item.")
    stock = GoodsStock.objects.filter(product=product).first()
    if stock is None or stock.available < quantity:
        return _("Only %(n)s left in stock.") % {"n": stock.available if stock else 0}
    return None


def nights_available_filter(check_in: date, check_out: date, units: int) -> Q:
    """Rows of the stay's nights that can take `units` more."""
    return Q(
        date__gte=check_in,
        date__lt=check_out,
        closed=False,
        units__gte=F("sold") + F("held") + units,
    )
