"""Checks and prices a line request before any inventory is taken; booking events and state
transitions."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Organisation
from marketplace.queries import CompiledQuery
from operators.availability import stay_problem
from operators.models import (
    CancellationTier,
    GoodsStock,
    NightInventory,
    PricingUnit,
    Product,
    ProductKind,
    ProductStatus,
    SalesModel,
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
_UNSET = object()
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
    partner_terms=_UNSET,
) -> _PlannedLine:
    """Check and price a request. `own` ({(kind, pk): quantity}) is the inventory the
    booking being amended already holds: it counts as free for the booking itself. A trade
    partner `buyer` pays its contract's price (`priced_with`: the frozen contract terms of the
    line being amended; `partner_terms`: its price terms loaded once for a new booking)."""
    own = own or {}
    terms = {"contract_version": (priced_with or {}).get("version")}
    if partner_terms is not _UNSET and not priced_with:
        terms = {"terms": partner_terms}
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


def _tiers_for(product: Product, buyer_organisation, context: _HoldContext | None = None):
    """The cancellation tiers frozen on a line: the partner's contract's, else the product's,
    else the platform's defaults (from `context` when loaded before the transaction)."""
    if context is not None:
        return context.tiers_for(product)
    contract = getattr(buyer_organisation, "trade_contract", None) if buyer_organisation else None
    if contract is not None and contract.cancellation_policy_id:
        return contract.cancellation_policy.as_tiers()
    if product.cancellation_policy_id:
        return product.cancellation_policy.as_tiers()
    return DEFAULT_CANCELLATION_TIERS


@dataclass
class _HoldContext:
    """What a new booking's lines need besides their quotes, read once before the
    transaction: the buyer's trade contract, the suppliers' booking terms and sales models,
    the cancellation tiers of the policies involved."""

    contract: TradeContract | None = None
    supplier_terms: dict = field(default_factory=dict)  # organisation id -> SupplierTerms
    sales_models: dict = field(default_factory=dict)  # organisation id -> SalesModel
    policy_tiers: dict = field(default_factory=dict)  # policy id -> tiers
    suppliers: dict = field(default_factory=dict)  # organisation id -> Organisation

    def policy_of(self, product: Product):
        if self.contract is not None and self.contract.cancellation_policy_id:
            return self.contract.cancellation_policy_id
        return product.cancellation_policy_id

    def tiers_for(self, product: Product) -> list[dict]:
        policy = self.policy_of(product)
        return self.policy_tiers.get(policy, []) if policy else DEFAULT_CANCELLATION_TIERS

    def sales_model_of(self, organisation_id) -> str:
        return self.sales_models.get(organisation_id, SalesModel.RESALE)


def trade_contract_of(organisation) -> TradeContract | None:
    """The buyer's trade contract: from the organisation's cache when its loader joined it (the
    API key's does), else one query."""
    if organisation is None:
        return None
    cache = organisation._state.fields_cache
    if "trade_contract" not in cache:
        cache["trade_contract"] = TradeContract.objects.filter(organisation=organisation).first()
    return cache["trade_contract"]


def _joined_suppliers(products) -> dict[int, object]:
    """The products' cached organisations whose loader joined their terms and contract."""
    found = {}
    for product in products:
        organisation = product._state.fields_cache.get("organisation")
        if organisation is not None and {"supplier_terms", "operator_contract"} <= set(
            organisation._state.fields_cache
        ):
            found[organisation.pk] = organisation
    return found


def _supplier_reads(organisation_ids, products=()) -> list:
    """The read `_supplier_rows` will make, as (query, values), when it makes the compiled
    one (marketplace.queries.read_together)."""
    missing = set(organisation_ids) - set(_joined_suppliers(products))
    return [(_SUPPLIER, {"pk": missing.pop()})] if len(missing) == 1 else []


def _supplier_rows(organisation_ids, products=()) -> dict[int, object]:
    """The suppliers with their booking terms and operator contract joined: taken from the
    products' cached organisations when their loader joined both, else one query."""
    wanted = set(organisation_ids)
    found = _joined_suppliers(products)
    missing = wanted - set(found)
    if len(missing) == 1:  # a hold's usual case, read on every hold: compiled once
        organisation = _SUPPLIER.first(pk=missing.pop())
        if organisation is not None:
            found[organisation.pk] = organisation
    elif missing:
        found.update(
            Organisation.objects.select_related("supplier_terms", "operator_contract").in_bulk(
                missing
            )
        )
    return found


_SUPPLIER = CompiledQuery(
    lambda pk: Organisation.objects.select_related("supplier_terms", "operator_contract").filter(
        pk=pk
    ),
    pk=-1,
)


def _hold_context(*, buyer, products, supplier_ids) -> _HoldContext:
    """Load a new booking's context (the reads `_create_line` and the option expiry need)."""
    context = _HoldContext(contract=trade_contract_of(buyer))
    for pk, organisation in _supplier_rows(supplier_ids, products).items():
        context.suppliers[pk] = organisation
        cache = organisation._state.fields_cache
        context.supplier_terms[pk] = cache.get("supplier_terms")
        contract = cache.get("operator_contract")
        context.sales_models[pk] = contract.sales_model if contract else SalesModel.RESALE
    policies = {context.policy_of(product) for product in products} - {None}
    if policies:
        for tier in CancellationTier.objects.filter(policy_id__in=policies).order_by(
            "policy_id", "-days_before"
        ):
            context.policy_tiers.setdefault(tier.policy_id, []).append(
                {
                    "days_before": tier.days_before,
                    "penalty_percent": str(tier.penalty_percent),
                    "penalty_amount": str(tier.penalty_amount),
                }
            )
    return context


def _record(booking, **fields) -> BookingEvent:
    """Insert the history event `_event` describes."""
    event = _event(booking, **fields)
    event.save(force_insert=True)
    return event


def _event(
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
    """An unsaved history event of `booking`."""
    return BookingEvent(
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


def _option_expiry(
    channel: str,
    buyer_organisation,
    hold_for: timedelta | None,
    latest=None,
    contract=_UNSET,
):
    """How long the hold lasts: the trade contract's option days (or `hold_for`), a checkout
    hold for travellers; never past `latest` (the first service minus the operator's
    cut-off), except the few minutes to confirm at once when the cut-off has already passed."""
    now = timezone.now()
    if hold_for is not None:
        expiry = now + hold_for
    elif channel in (Channel.TRADE, Channel.API, Channel.BACKOFFICE) and buyer_organisation:
        if contract is _UNSET:
            contract = TradeContract.objects.filter(organisation=buyer_organisation).first()
        days = contract.option_days if contract else DEFAULT_OPTION_DAYS
        expiry = now + timedelta(days=days)
    else:
        expiry = now + TRAVELLER_HOLD
    if latest is not None:
        expiry = min(expiry, max(latest, now + TRAVELLER_HOLD))
    return expiry


def _planned_services(planned, planned_packages) -> list[tuple]:
    """(supplier id, day, start time) of every planned line and package component: what the
    operators' option cut-offs are computed over."""
    services = [(p.request.product.organisation_id, p.request.day, p.start_time) for p in planned]
    services += [
        (
            ln.organisation_id,
            ln.date,
            timezone.localtime(ln.starts_at).time() if ln.starts_at else None,
        )
        for pkg in planned_packages
        for ln in pkg.quote.lines
    ]
    return services
