"""Checks and prices a line request before any inventory is taken; booking events and state
transitions."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from operators.availability import stay_problem
from operators.models import (
    GoodsStock,
    NightInventory,
    PricingUnit,
    Product,
    ProductKind,
    ProductStatus,
    Slot,
    UnitType,
)
from operators.pricing import PaxMix, PriceQuote
from trade.pricing import price_product_for

from ..models import (
    TRANSITIONS,
    Booking,
    BookingEvent,
    BookingStatus,
    Channel,
    TouristTaxRule,
    TradeContract,
)
from ..policies import TaxRuleView, tourist_tax_for_stay
from .errors import BookingError, InvalidTransition, SoldOut
from .inventory import _Need

logger = logging.getLogger(__name__)


ZERO = Decimal("0")
TRAVELLER_HOLD = timedelta(minutes=15)
DEFAULT_OPTION_DAYS = 3
DEFAULT_CANCELLATION_TIERS = [
    {"days_before": 30, "penalty_percent": "30", "penalty_amount": "0"},
    {"days_before": 7, "penalty_percent": "50", "penalty_amount": "0"},
    {"days_before": 1, "penalty_percent": "100", "penalty_amount": "0"},
]

# --- requests -------------------------------------------------------------------------------


@dataclass
class LineRequest:
    """One thing to book. Experiences and services name a slot; stays a unit type and dates;
    goods a quantity."""

    product: Product
    day: date
    pax: PaxMix = field(default_factory=PaxMix)
    slot: Slot | None = None
    unit_type: UnitType | None = None
    check_out: date | None = None
    units: int = 1
    quantity: int = 1
    residents: int = 0


# --- pricing and checks of a request ---------------------------------------------------------


def _check_product(product: Product, day: date, today: date) -> None:
    if product.status != ProductStatus.PUBLISHED:
        raise BookingError({"product": _("“%(p)s” is not on sale.") % {"p": product}})
    if day < today:
        raise BookingError({"date": _("The date %(d)s is in the past.") % {"d": day}})
    if (product.available_from and day < product.available_from) or (
        product.available_until and day > product.available_until
    ):
        raise BookingError(
            {"date": _("“%(p)s” is not available on %(d)s.") % {"p": product, "d": day}}
        )


@dataclass
class _PlannedLine:
    request: LineRequest
    kind: str
    quote: PriceQuote
    needs: list[_Need]
    quantity: int
    persons: int
    title: str
    end_date: date | None = None
    start_time: object = None
    tourist_tax: Decimal = Decimal("0")


def _tax_rules_for(comune_id) -> list[TaxRuleView]:
    return [
        TaxRuleView(
            r.category_list(),
            r.rate_per_night,
            r.valid_from,
            r.valid_until,
            r.max_nights,
            r.exempt_under_age,
            r.residents_exempt,
        )
        for r in TouristTaxRule.objects.filter(comune_id=comune_id)
    ]


def _plan(
    request: LineRequest,
    today: date,
    own: dict | None = None,
    *,
    buyer=None,
    priced_with: dict | None = None,
) -> _PlannedLine:
    """Check and price a request. `own` ({(kind, pk): quantity}) is the inventory the
    booking being amended already holds: it counts as free for the booking itself. A trade
    partner `buyer` pays its contract's price (`priced_with`: the frozen contract terms of the
    line being amended)."""
    own = own or {}
    terms = {"contract_version": (priced_with or {}).get("version")}
    product = request.product
    _check_product(product, request.day, today)
    pax = request.pax
    if product.kind in (ProductKind.EXPERIENCE, ProductKind.SERVICE):
        slot = request.slot
        if slot is None or slot.product_id != product.pk or slot.date != request.day:
            raise BookingError({"slot": _("Choose a time slot of this product on that day.")})
        per_unit = product.pricing_unit == PricingUnit.PER_UNIT
        seats = request.units if per_unit else pax.seats
        if seats < 1:
            raise BookingError({"pax": _("Book at least one person.")})
        if not per_unit:
            if seats < product.min_pax:
                raise BookingError(
                    {
                        "pax": _("This experience needs at least %(n)s people.")
                        % {"n": product.min_pax}
                    }
                )
            if product.max_pax and seats > product.max_pax:
                raise BookingError(
                    {
                        "pax": _("This experience takes at most %(n)s people.")
                        % {"n": product.max_pax}
                    }
                )
        quote = price_product_for(
            buyer, product, day=request.day, pax=pax, units=request.units, **terms
        )
        return _PlannedLine(
            request,
            product.kind,
            quote,
            [_Need("slot", slot.pk, seats)],
            seats,
            pax.persons if not per_unit else request.units,
            str(product),
            start_time=slot.start_time,
        )
    if product.kind == ProductKind.ACCOMMODATION:
        unit_type = request.unit_type
        if unit_type is None or unit_type.product_id != product.pk:
            raise BookingError({"unit_type": _("Choose a room or unit type of this property.")})
        if request.check_out is None:
            raise BookingError({"check_out": _("Give the check-out date.")})
        nights = list(
            NightInventory.objects.filter(
                unit_type=unit_type, date__gte=request.day, date__lte=request.check_out
            )
        )
        for night in nights:  # what this booking holds is free for its own amendment
            mine = own.get(("night", night.pk), 0)
            taken_back = min(mine, night.held)
            night.held -= taken_back
            night.sold -= min(mine - taken_back, night.sold)
        problem = stay_problem(
            unit_type,
            check_in=request.day,
            check_out=request.check_out,
            units=request.units,
            pax=pax,
            nights=nights,
        )
        if problem:
            if problem.sold_out:
                raise SoldOut(problem)
            raise BookingError({"date": BookingError(problem, code=problem.code)})
        by_date = {n.date: n for n in nights}
        quote = price_product_for(
            buyer,
            product,
            **terms,
            day=request.day,
            check_out=request.check_out,
            unit_type=unit_type,
            units=request.units,
            pax=pax,
            nights_by_date=by_date,
        )
        needs = [
            _Need("night", by_date[request.day + timedelta(days=i)].pk, request.units)
            for i in range((request.check_out - request.day).days)
        ]
        tax = tourist_tax_for_stay(
            rules=_tax_rules_for(product.comune_id),
            category=product.accommodation_category,
            check_in=request.day,
            check_out=request.check_out,
            adult_guests=pax.adults + pax.seniors,
            children_ages=list(pax.children_ages),
            residents=request.residents,
        )
        return _PlannedLine(
            request,
            product.kind,
            quote,
            needs,
            request.units,
            pax.persons,
            f"{product} · {unit_type.name}",
            end_date=request.check_out,
            tourist_tax=tax,
        )
    # goods
    if request.quantity < 1:
        raise BookingError({"quantity": _("Order at least one item.")})
    stock = GoodsStock.objects.filter(product=product).first()
    if stock is None:
        raise SoldOut(_("“%(p)s” is out of stock.") % {"p": product})
    quote = price_product_for(buyer, product, day=request.day, quantity=request.quantity, **terms)
    return _PlannedLine(
        request,
        product.kind,
        quote,
        [_Need("stock", stock.pk, request.quantity)],
        request.quantity,
        0,
        str(product),
    )


def _tiers_for(product: Product, buyer_organisation) -> list[dict]:
    contract = getattr(buyer_organisation, "trade_contract", None) if buyer_organisation else None
    if contract is not None and contract.cancellation_policy_id:
        return contract.cancellation_policy.as_tiers()
    if product.cancellation_policy_id:
        return product.cancellation_policy.as_tiers()
    return DEFAULT_CANCELLATION_TIERS


def _record(
    booking,
    *,
    action,
    actor=None,
    from_status="",
    to_status="",
    reason="",
    actor_label="",
    data=None,
) -> BookingEvent:
    return BookingEvent.objects.create(
        booking=booking,
        action=action,
        actor=actor if getattr(actor, "pk", None) else None,
        actor_label=actor_label or (str(actor) if actor else "system"),
        from_status=from_status,
        to_status=to_status,
        reason=reason,
        data=data or {},
    )


def _transition(booking: Booking, to_status: str, *, actor, action, reason="", data=None) -> None:
    if to_status not in TRANSITIONS[BookingStatus(booking.status)]:
        raise InvalidTransition(
            _("A booking that is %(from)s cannot become %(to)s.")
            % {"from": booking.get_status_display(), "to": BookingStatus(to_status).label}
        )
    from_status = booking.status
    booking.status = to_status
    _record(
        booking,
        action=action,
        actor=actor,
        from_status=from_status,
        to_status=to_status,
        reason=reason,
        data=data,
    )


def _option_expiry(channel: str, buyer_organisation, hold_for: timedelta | None, latest=None):
    """How long the hold lasts: the trade contract's option days (or `hold_for`), a checkout
    hold for travellers; never past `latest` (the first service minus the operator's
    cut-off), except the few minutes to confirm at once when the cut-off has already passed."""
    now = timezone.now()
    if hold_for is not None:
        expiry = now + hold_for
    elif channel in (Channel.TRADE, Channel.API, Channel.BACKOFFICE) and buyer_organisation:
        contract = TradeContract.objects.filter(organisation=buyer_organisation).first()
        days = contract.option_days if contract else DEFAULT_OPTION_DAYS
        expiry = now + timedelta(days=days)
    else:
        expiry = now + TRAVELLER_HOLD
    if latest is not None:
        expiry = min(expiry, max(latest, now + TRAVELLER_HOLD))
    return expiry
