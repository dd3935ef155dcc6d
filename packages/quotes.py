"""The quote of a package for a start date and a pax mix: the one function that storefront,
trade portal, API and booking engine use.

Inventory and rates are loaded once for the whole date window (one query for slots, one for
nights, one for stock, one for departures) and the days are then priced in memory, so the
number of queries does not grow with the days or the components; the month calendar reuses
the same loaded window for every day."""

from __future__ import annotations

import copy
import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import ROUND_CEILING, Decimal

from django.core.exceptions import ValidationError
from django.db.models import Prefetch, prefetch_related_objects
from django.utils.translation import gettext as _

from operators.availability import stay_problem
from operators.models import (
    GoodsStock,
    NightInventory,
    PricingUnit,
    Product,
    ProductKind,
    ProductStatus,
    Rate,
    Slot,
    SlotStatus,
    UnitType,
)
from operators.partner_places import partner_places
from operators.pricing import NoRate, PaxMix, money, price_product

from .models import (
    Component,
    Departure,
    DepartureMode,
    DepartureStatus,
    MarkupKind,
    Package,
    PackageStatus,
    PricingMode,
    QuantityRule,
    SlotRule,
)

VAT_REGIME = "margin_74ter"
# Ordinary VAT rate applied to the DMC margin under art. 74-ter (VAT is inside the margin).
MARGIN_VAT_RATE = Decimal("22")
ZERO = Decimal("0")


@dataclass
class ComponentAllocation:
    """What one component takes on the quoted trip: the product actually used (the
    alternative when it replaced the first), its slot or nights, and its amounts."""

    component_id: int
    product_id: int
    product_slug: str
    product_title: str
    organisation_id: int
    organisation_name: str
    kind: str
    date: date
    required: bool = True
    is_alternative: bool = False
    slot_id: int | None = None
    starts_at: datetime | None = None
    slot_choices: list[int] = field(default_factory=list)
    unit_type_id: int | None = None
    unit_type_name: str = ""
    check_in: date | None = None
    check_out: date | None = None
    units: int = 0
    quantity: int = 0
    seats: int = 0
    retail: Decimal = ZERO
    net: Decimal = ZERO
    vat_rate: Decimal = ZERO
    problem: str = ""
    # Why the component cannot be had, as a code: "no_departures" (no slot that day),
    # "closed" (a night closed or not loaded), "sold_out" (there, but full).
    problem_code: str = ""

    def as_dict(self) -> dict:
        return {
            "component_id": self.component_id,
            "product_id": self.product_id,
            "product_slug": self.product_slug,
            "product_title": self.product_title,
            "organisation": {"id": self.organisation_id, "name": self.organisation_name},
            "kind": self.kind,
            "date": self.date.isoformat(),
            "required": self.required,
            "is_alternative": self.is_alternative,
            "slot_id": self.slot_id,
            "starts_at": self.starts_at.isoformat() if self.starts_at else None,
            "slot_choices": self.slot_choices,
            "unit_type_id": self.unit_type_id,
            "unit_type_name": self.unit_type_name,
            "check_in": self.check_in.isoformat() if self.check_in else None,
            "check_out": self.check_out.isoformat() if self.check_out else None,
            "units": self.units,
            "quantity": self.quantity,
            "seats": self.seats,
            "retail": str(self.retail),
            "net": str(self.net),
            "problem": self.problem,
            "problem_code": self.problem_code,
        }


@dataclass
class PackageQuote:
    package_id: int
    start_date: date
    end_date: date
    pax: PaxMix
    available: bool = True
    problems: list[str] = field(default_factory=list)
    # The problems above that are missing places (a full departure), not a wrong request.
    sold_out_problems: list[str] = field(default_factory=list)
    pricing_mode: str = PricingMode.COMPUTED
    components_retail: Decimal = ZERO
    retail_total: Decimal = ZERO
    per_person: Decimal = ZERO
    net_total: Decimal = ZERO
    margin: Decimal = ZERO
    margin_vat: Decimal = ZERO
    vat_regime: str = VAT_REGIME
    free_places: int = 0
    single_supplements: int = 0
    departure_id: int | None = None
    lines: list[ComponentAllocation] = field(default_factory=list)

    @property
    def operators(self) -> list[dict]:
        """Each operator's net, for the DMC's breakdown."""
        nets: dict[int, dict] = {}
        for line in self.lines:
            entry = nets.setdefault(
                line.organisation_id,
                {"id": line.organisation_id, "name": line.organisation_name, "net": ZERO},
            )
            entry["net"] += line.net
        return sorted(nets.values(), key=lambda e: e["name"])

    @property
    def margin_percent(self) -> Decimal:
        if not self.retail_total:
            return ZERO
        return money(self.margin * 100 / self.retail_total)

    def as_dict(self) -> dict:
        return {
            "package_id": self.package_id,
            "start_date": self.start_date.isoformat(),
            "end_date": self.end_date.isoformat(),
            "pax": self.pax.as_dict(),
            "available": self.available,
            "problems": self.problems,
            "pricing_mode": self.pricing_mode,
            "retail_total": str(self.retail_total),
            "per_person": str(self.per_person),
            "net_total": str(self.net_total),
            "margin": str(self.margin),
            "margin_percent": str(self.margin_percent),
            "margin_vat": str(self.margin_vat),
            "vat_regime": self.vat_regime,
            "components_retail": str(self.components_retail),
            "free_places": self.free_places,
            "single_supplements": self.single_supplements,
            "departure_id": self.departure_id,
            "operators": [
                {"id": o["id"], "name": o["name"], "net": str(o["net"])} for o in self.operators
            ],
            "lines": [line.as_dict() for line in self.lines],
        }


def round_up(value: Decimal, step: Decimal) -> Decimal:
    """Round a price up to the next multiple of `step` (e.g. 1.00 or 5.00 EUR)."""
    if not step or step <= 0:
        return money(value)
    return money((value / step).to_integral_value(rounding=ROUND_CEILING) * step)


# --- loading --------------------------------------------------------------------------------


def _rates_prefetch(path: str) -> Prefetch:
    # No ORDER BY: `_rate_for` picks the rate by its own total key, so the model's ordering
    # (which joins the product and the unit type only to sort) buys nothing here.
    return Prefetch(path, queryset=Rate.objects.select_related("season").order_by())


def _components():
    """The components with their products, suppliers, unit types and rates joined."""
    return Component.objects.select_related(
        "product__organisation",
        "unit_type",
        "alternative_product__organisation",
        "alternative_unit_type",
    ).prefetch_related(
        _rates_prefetch("product__rates"), _rates_prefetch("alternative_product__rates")
    )


def _components_prefetch() -> Prefetch:
    return Prefetch("components", queryset=_components().order_by("day_offset", "position", "pk"))


# What a quote reads of a component's product and its supplier (`title` with its languages).
_PRODUCT_FIELDS = (
    "organisation__name",
    "kind",
    "status",
    "slug",
    "title",
    *(f"title_{code}" for code in ("it", "en", "de", "fr")),
    "vat_rate",
    "available_from",
    "available_until",
    "pricing_unit",
    "free_place_every",
)
_COMPONENT_FIELDS = (
    "package_id",
    "position",
    "day_offset",
    "nights",
    "slot_rule",
    "time",
    "quantity_rule",
    "quantity",
    "room_occupancy",
    "required",
    "unit_type",
    "alternative_unit_type",
    *(f"product__{name}" for name in _PRODUCT_FIELDS),
    *(f"alternative_product__{name}" for name in _PRODUCT_FIELDS),
)


def _quote_components_prefetch() -> Prefetch:
    """The components as a quote reads them: only the columns it uses (a product has 65,
    most of them translated texts) and no ORDER BY (Django resolves the ordering against
    every selected column; `_ordered` sorts the five rows instead)."""
    return Prefetch("components", queryset=_components().only(*_COMPONENT_FIELDS).order_by())


def _ordered(package: Package) -> list[Component]:
    """The itinerary's order: day, position, then creation."""
    return sorted(package.components.all(), key=lambda c: (c.day_offset, c.position, c.pk))


def _needs(package: Package) -> set[str]:
    """What a quote of this package reads: fixed prices and child reductions only when the
    package is priced per person from its season prices."""
    if package.pricing_mode == PricingMode.FIXED:
        return {"components", "season_prices", "child_reductions"}
    return {"components"}


def _loaded(package: Package) -> Package:
    """The package with what a quote reads prefetched. The caller's instance is not re-read
    (one query less) and is left as it was: the prefetch goes on a copy, so a later quote of
    the same instance reads components and rates afresh."""
    cache = getattr(package, "_prefetched_objects_cache", {})
    missing = _needs(package) - set(cache)
    if not missing:
        return package
    loaded = copy.copy(package)
    loaded._prefetched_objects_cache = dict(cache)
    prefetch_related_objects(
        [loaded],
        *(
            _quote_components_prefetch() if name == "components" else name
            for name in sorted(missing)
        ),
    )
    return loaded


def package_for_quote(pk: int) -> Package:
    """A package with its components, products, unit types, rates and fixed prices."""
    return Package.objects.prefetch_related(
        _components_prefetch(), "season_prices", "child_reductions"
    ).get(pk=pk)


@dataclass
class _Window:
    """Inventory of every component product in a date window, loaded in constant queries."""

    slots: dict = field(default_factory=lambda: defaultdict(list))  # (product_id, date) -> slots
    nights: dict = field(default_factory=lambda: defaultdict(dict))  # unit_type_id -> {date: n}
    stock: dict = field(default_factory=dict)  # product_id -> available
    departures: dict = field(default_factory=dict)  # date -> Departure


def _candidates(component: Component) -> list[tuple[Product, UnitType | None, bool]]:
    out = [(component.product, component.unit_type, False)]
    if component.alternative_product_id:
        out.append((component.alternative_product, component.alternative_unit_type, True))
    return out


def load_window(package: Package, components: list[Component], start: date, end: date) -> _Window:
    window = _Window()
    slot_products, unit_types, goods = set(), set(), set()
    for component in components:
        for product, unit_type, _alt in _candidates(component):
            if product.kind == ProductKind.ACCOMMODATION:
                if unit_type is not None:
                    unit_types.add(unit_type.pk)
            elif product.kind == ProductKind.GOODS:
                goods.add(product.pk)
            else:
                slot_products.add(product.pk)
    if slot_products:
        for slot in Slot.objects.filter(
            product_id__in=slot_products, date__gte=start, date__lte=end, status=SlotStatus.OPEN
        ).order_by("starts_at"):
            window.slots[(slot.product_id, slot.date)].append(slot)
    if unit_types:
        for night in NightInventory.objects.filter(
            unit_type_id__in=unit_types, date__gte=start, date__lte=end
        ).order_by("date"):
            window.nights[night.unit_type_id][night.date] = night
    if goods:
        window.stock = {
            s.product_id: s.available for s in GoodsStock.objects.filter(product_id__in=goods)
        }
    if package.departure_mode == DepartureMode.FIXED:
        window.departures = {
            d.date: d
            for d in Departure.objects.filter(package=package, date__gte=start, date__lte=end)
        }
    return window


# --- allocation -----------------------------------------------------------------------------


def _nights_of(package: Package, component: Component) -> int:
    return component.nights or max(package.duration_nights - component.day_offset, 1)


def _units_needed(component: Component, pax: PaxMix, unit_type: UnitType | None, rooms) -> int:
    if rooms and component.pk in rooms:
        return int(rooms[component.pk])
    if component.quantity_rule == QuantityRule.PER_GROUP:
        return component.quantity
    if component.quantity_rule == QuantityRule.PER_ROOM:
        occupancy = component.room_occupancy or (unit_type.standard_occupancy if unit_type else 2)
        return max(math.ceil(pax.seats / occupancy), 1)
    return component.quantity * pax.seats


def _allocate(
    package: Package,
    component: Component,
    product: Product,
    unit_type: UnitType | None,
    is_alternative: bool,
    start: date,
    pax: PaxMix,
    rooms: dict | None,
    window: _Window,
) -> ComponentAllocation:
    """Allocate one candidate product; `problem` says why it cannot be used."""
    day = start + timedelta(days=component.day_offset)
    alloc = ComponentAllocation(
        component_id=component.pk,
        product_id=product.pk,
        product_slug=product.slug,
        product_title=product.title,
        organisation_id=product.organisation_id,
        organisation_name=product.organisation.name,
        kind=product.kind,
        date=day,
        required=component.required,
        is_alternative=is_alternative,
        vat_rate=product.vat_rate,
    )
    if product.status != ProductStatus.PUBLISHED:
        alloc.problem = _("%(product)s is no longer on sale.") % {"product": product.title}
        return alloc
    if (product.available_from and day < product.available_from) or (
        product.available_until and day > product.available_until
    ):
        alloc.problem = _("%(product)s is not offered on %(date)s.") % {
            "product": product.title,
            "date": day.isoformat(),
        }
        return alloc
    try:
        if product.kind == ProductKind.ACCOMMODATION:
            _allocate_stay(package, component, product, unit_type, pax, rooms, window, alloc)
        elif product.kind == ProductKind.GOODS:
            _allocate_goods(component, product, pax, window, alloc)
        else:
            _allocate_slot(component, product, pax, window, alloc)
    except NoRate as exc:
        alloc.problem = _("%(product)s: %(reason)s") % {
            "product": product.title,
            "reason": " ".join(exc.messages),
        }
    return alloc


def _allocate_slot(component, product, pax, window, alloc):
    per_unit = product.pricing_unit == PricingUnit.PER_UNIT
    units = _units_needed(component, pax, None, None) if per_unit else 0
    seats = units if per_unit else pax.seats
    alloc.units, alloc.quantity, alloc.seats = units, units or seats, seats
    quote = price_product(product, day=alloc.date, pax=pax, units=units)
    alloc.retail, alloc.net = quote.retail_total, quote.net_total
    that_day = list(window.slots.get((product.pk, alloc.date), ()))
    slots = [s for s in that_day if s.available >= seats]
    wanted = component.time
    if component.slot_rule == SlotRule.FIXED_TIME and wanted is not None:
        slots = [s for s in slots if s.start_time == wanted]
    elif component.slot_rule == SlotRule.FIRST_AFTER and wanted is not None:
        slots = [s for s in slots if s.start_time >= wanted]
    if not that_day:
        alloc.problem_code = "no_departures"
        alloc.problem = _("%(product)s has no departures on %(date)s.") % {
            "product": product.title,
            "date": alloc.date.isoformat(),
        }
        return
    if not slots:
        alloc.problem_code = "sold_out"
        alloc.problem = _("%(product)s is sold out on %(date)s.") % {
            "product": product.title,
            "date": alloc.date.isoformat(),
        }
        return
    alloc.slot_id, alloc.starts_at = slots[0].pk, slots[0].starts_at
    if component.slot_rule == SlotRule.TRAVELLER_CHOOSES:
        alloc.slot_choices = [s.pk for s in slots]


def _allocate_stay(package, component, product, unit_type, pax, rooms, window, alloc):
    if unit_type is None:
        alloc.problem = _("%(product)s has no unit type chosen.") % {"product": product.title}
        return
    unit_type.product = product  # priced with the prefetched rates, no query
    nights = _nights_of(package, component)
    check_in = alloc.date
    check_out = check_in + timedelta(days=nights)
    units = _units_needed(component, pax, unit_type, rooms)
    alloc.unit_type_id, alloc.unit_type_name = unit_type.pk, unit_type.name
    alloc.check_in, alloc.check_out = check_in, check_out
    alloc.units = alloc.quantity = units
    alloc.seats = pax.seats
    by_date = window.nights.get(unit_type.pk, {})
    quote = price_product(
        product,
        day=check_in,
        pax=pax,
        units=units,
        unit_type=unit_type,
        check_out=check_out,
        nights_by_date=by_date,
    )
    alloc.retail, alloc.net = quote.retail_total, quote.net_total
    problem = stay_problem(
        unit_type,
        check_in=check_in,
        check_out=check_out,
        units=units,
        pax=pax,
        nights=list(by_date.values()),
    )
    if problem:
        alloc.problem = f"{product.title}: {problem}"
        stay = [by_date.get(check_in + timedelta(days=i)) for i in range(nights)]
        if any(n is None or n.closed for n in stay):
            alloc.problem_code = "closed"
        elif any(n.units - n.sold - n.held < units for n in stay):
            alloc.problem_code = "sold_out"
        else:
            alloc.problem_code = "unavailable"  # stay rules: minimum stay, arrival days


def _allocate_goods(component, product, pax, window, alloc):
    quantity = _units_needed(component, pax, None, None)
    alloc.quantity = quantity
    quote = price_product(product, day=alloc.date, quantity=quantity)
    alloc.retail, alloc.net = quote.retail_total, quote.net_total
    if window.stock.get(product.pk, 0) < quantity:
        alloc.problem = _("%(product)s: only %(n)s left in stock.") % {
            "product": product.title,
            "n": window.stock.get(product.pk, 0),
        }


def _allocate_component(package, component, start, pax, rooms, window) -> ComponentAllocation:
    """The first candidate that works; otherwise the first one with its problem."""
    first = None
    for product, unit_type, is_alt in _candidates(component):
        alloc = _allocate(package, component, product, unit_type, is_alt, start, pax, rooms, window)
        if not alloc.problem:
            return alloc
        first = first or alloc
    return first


# --- pricing --------------------------------------------------------------------------------


def _free_places(every: int | None, paying: int) -> int:
    """One free place every N paying (group leaders): N paying + 1 free."""
    if not every or paying <= every:
        return 0
    return paying // (every + 1)


def _season_price(package: Package, day: date, group: int):
    candidates = [
        p
        for p in package.season_prices.all()
        if p.start_date <= day <= p.end_date
        and p.min_group <= group
        and (p.max_group is None or group <= p.max_group)
    ]
    return max(candidates, key=lambda p: (p.min_group, -p.pk), default=None)


def _single_supplements(lines: list[ComponentAllocation], pax: PaxMix) -> int:
    """Persons alone in a room meant for two or more: they pay the single supplement."""
    rooms = [ln for ln in lines if ln.kind == ProductKind.ACCOMMODATION and ln.units]
    if not rooms:
        return 0
    main = max(rooms, key=lambda ln: (ln.check_out - ln.check_in).days)
    persons = pax.seats
    return max(min(main.units, 2 * main.units - persons), 0)


def _price(package: Package, quote: PackageQuote, pax: PaxMix) -> None:
    paying_persons = pax.seats
    quote.components_retail = money(sum((ln.retail for ln in quote.lines), ZERO))
    quote.net_total = money(sum((ln.net for ln in quote.lines), ZERO))
    quote.free_places = _free_places(package.free_place_every, paying_persons)
    paying = paying_persons - quote.free_places
    if paying_persons < 1:
        quote.problems.append(_("Add at least one traveller."))
        return
    if package.pricing_mode == PricingMode.FIXED:
        season = _season_price(package, quote.start_date, paying_persons)
        if season is None:
            quote.problems.append(
                _("No price is set for %(date)s.") % {"date": quote.start_date.isoformat()}
            )
            return
        adult = season.price_per_person
        reductions = list(package.child_reductions.all())
        total = adult * (pax.adults + pax.seniors)
        for age in pax.children_ages:
            band = next((r for r in reductions if r.age_min <= age <= r.age_max), None)
            total += money(adult * (100 - band.reduction_percent) / 100) if band else adult
        quote.single_supplements = _single_supplements(quote.lines, pax)
        total += season.single_supplement * quote.single_supplements
        total -= adult * quote.free_places
        quote.retail_total = money(total)
        quote.per_person = money(quote.retail_total / paying) if paying else ZERO
    else:
        base = quote.components_retail
        if package.markup_kind == MarkupKind.PERCENT:
            marked = base * (100 + package.markup_value) / 100
        else:
            marked = base + package.markup_value * paying_persons
        # The free places are spread over the paying persons (as for single products the
        # leaders do not pay); the price per person is rounded up to the package's step.
        quote.per_person = round_up(marked / paying, package.rounding_step) if paying else ZERO
        quote.retail_total = money(quote.per_person * paying)
    quote.margin = money(quote.retail_total - quote.net_total)
    if quote.margin > 0:
        quote.margin_vat = money(quote.margin * MARGIN_VAT_RATE / (100 + MARGIN_VAT_RATE))
    if quote.margin < 0:
        # Partners read the problems (quote API, booking errors): no net amount in them.
        quote.problems.append(
            _("The price is below the operators' nets: this date cannot be sold.")
        )


# --- the quote ------------------------------------------------------------------------------


def _check_dates_and_pax(package: Package, start: date, pax: PaxMix, window: _Window, quote):
    if not (package.valid_from <= start <= package.valid_until):
        quote.problems.append(
            _("The package is offered from %(start)s to %(end)s.")
            % {"start": package.valid_from.isoformat(), "end": package.valid_until.isoformat()}
        )
    if pax.seats < package.min_pax:
        quote.problems.append(_("At least %(n)s participants.") % {"n": package.min_pax})
    if package.max_pax is not None and pax.seats > package.max_pax:
        quote.problems.append(_("At most %(n)s participants.") % {"n": package.max_pax})
    if package.departure_mode == DepartureMode.FIXED:
        departure = window.departures.get(start)
        if departure is None or departure.status == DepartureStatus.CANCELLED:
            quote.problems.append(
                _("There is no departure on %(date)s.") % {"date": start.isoformat()}
            )
        elif departure.available < pax.seats:
            problem = _("Only %(n)s places left on the departure of %(date)s.") % {
                "n": departure.available,
                "date": start.isoformat(),
            }
            quote.problems.append(problem)
            quote.sold_out_problems.append(problem)
            quote.departure_id = departure.pk
        else:
            quote.departure_id = departure.pk


def quote_in_window(
    package: Package,
    components: list[Component],
    window: _Window,
    *,
    start_date: date,
    pax: PaxMix,
    extras: list[int] | None = None,
    rooms: dict | None = None,
) -> PackageQuote:
    """Quote one start date from an already loaded window: no queries."""
    end_date = start_date + timedelta(days=package.duration_days - 1)
    quote = PackageQuote(
        package_id=package.pk,
        start_date=start_date,
        end_date=end_date,
        pax=pax,
        pricing_mode=package.pricing_mode,
    )
    _check_dates_and_pax(package, start_date, pax, window, quote)
    extras = set(extras or ())
    known = {c.pk for c in components}
    for extra in sorted(extras - known):
        quote.problems.append(_("Extra %(id)s is not part of this package.") % {"id": extra})
    for component in components:
        if not component.required and component.pk not in extras:
            continue
        alloc = _allocate_component(package, component, start_date, pax, rooms, window)
        quote.lines.append(alloc)
        if alloc.problem:
            quote.problems.append(alloc.problem)
    _price(package, quote, pax)
    quote.available = not quote.problems
    return quote


def _give_back(window: _Window, own: dict) -> None:
    """Count what an amended booking holds as free for it (in memory, nothing written)."""

    def release(row, quantity):
        taken_back = min(quantity, row.held)
        row.held -= taken_back
        row.sold -= min(quantity - taken_back, row.sold)

    for slots in window.slots.values():
        for slot in slots:
            if ("slot", slot.pk) in own:
                release(slot, own[("slot", slot.pk)])
    for nights in window.nights.values():
        for night in nights.values():
            if ("night", night.pk) in own:
                release(night, own[("night", night.pk)])
    stock_pks = [pk for kind, pk in own if kind == "stock"]
    for stock in GoodsStock.objects.filter(pk__in=stock_pks):
        if stock.product_id in window.stock:
            window.stock[stock.product_id] += own[("stock", stock.pk)]
    for departure in window.departures.values():
        if ("departure", departure.pk) in own:
            departure.booked_pax = max(departure.booked_pax - own[("departure", departure.pk)], 0)


def window_end(package: Package, last_start: date) -> date:
    return last_start + timedelta(days=max(package.duration_days, package.duration_nights + 1))


def partner_own_places(buyer, package: Package, start: date, end: date) -> dict:
    """{(kind, pk): places} a trade partner's own allotments keep on slots and nights of the
    window: free for that partner's quote and booking, as the booking engine counts them
    (it draws them from the allotment). {} for any other buyer."""
    places = partner_places(buyer, start=start, end=end)
    if not places:
        return {}
    own = {("slot", pk): n for pk, n in places.slots.items()}
    own.update({("night", pk): n for pk, n in places.nights.items()})
    return own


def _with_partner_places(own: dict | None, buyer, package, start_date: date) -> dict | None:
    extra = partner_own_places(buyer, package, start_date, window_end(package, start_date))
    if not extra:
        return own
    merged = dict(own or {})
    for key, places in extra.items():
        merged[key] = merged.get(key, 0) + places
    return merged


def quote_for_staff(
    package: Package,
    *,
    start_date: date,
    pax: PaxMix,
    extras: list[int] | None = None,
    rooms: dict | None = None,
    own: dict | None = None,
) -> PackageQuote:
    """A quote whatever the package's status (builder preview); constant queries. `own`
    ({(kind, pk): quantity}, kinds slot, night, stock, departure) is what the booking being
    amended already holds: it counts as free for that booking."""
    if not isinstance(start_date, date):
        raise ValidationError({"start_date": _("Give the start date.")})
    package = _loaded(package)
    components = _ordered(package)
    window = load_window(package, components, start_date, window_end(package, start_date))
    if own:
        _give_back(window, own)
    return quote_in_window(
        package, components, window, start_date=start_date, pax=pax, extras=extras, rooms=rooms
    )


def package_quote(
    *,
    package: Package,
    start_date: date,
    pax: PaxMix,
    extras: list[int] | None = None,
    rooms: dict | None = None,
    own: dict | None = None,
    buyer=None,
) -> PackageQuote:
    """The quote every channel uses: total, per person, breakdown and the exact slots and
    nights the booking would take. `rooms` maps a component id to the units to book;
    `extras` lists the ids of the optional components the buyer adds; `own` is what an
    amended booking already holds (see `quote_for_staff`); a trade partner `buyer`'s own
    allotment places count as free for it."""
    own = _with_partner_places(own, buyer, package, start_date) if buyer is not None else own
    quote = quote_for_staff(
        package, start_date=start_date, pax=pax, extras=extras, rooms=rooms, own=own
    )
    if package.status != PackageStatus.PUBLISHED:
        quote.problems.insert(0, _("This package is not on sale."))
        quote.available = False
    return quote


@dataclass
class CalendarDay:
    date: date
    in_validity: bool
    available: bool
    per_person: Decimal | None
    problems: list[str]

    codes: list[str] = field(default_factory=list)

    @property
    def state(self) -> str:
        """available; sold_out only when a component is there but full; no_departures when a
        component has no slot that day; closed when a night is closed or out of validity."""
        if not self.in_validity:
            return "closed"
        if self.available:
            return "available"
        for code in ("sold_out", "closed", "no_departures"):
            if code in self.codes:
                return code
        return "unavailable"


def package_month_availability(
    package: Package,
    *,
    month: date,
    pax: PaxMix,
    extras: list[int] | None = None,
    reprice=None,
    buyer=None,
) -> list[CalendarDay]:
    """Availability and price per person for every start date of a month, in constant
    queries (one window for the whole month). `reprice(quote) -> quote` gives the price a
    buyer pays (a trade partner's, trade.pricing.partner_package_quote); a trade partner
    `buyer`'s own allotment places count as free for it."""
    first = month.replace(day=1)
    last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    package = _loaded(package)
    components = _ordered(package)
    window = load_window(package, components, first, window_end(package, last))
    own = partner_own_places(buyer, package, first, window_end(package, last))
    if own:
        _give_back(window, own)
    days = []
    day = first
    while day <= last:
        in_validity = package.valid_from <= day <= package.valid_until
        if package.departure_mode == DepartureMode.FIXED:
            departure = window.departures.get(day)
            in_validity = in_validity and departure is not None
            in_validity = in_validity and departure.status != DepartureStatus.CANCELLED
        if in_validity:
            q = quote_in_window(package, components, window, start_date=day, pax=pax, extras=extras)
            if reprice is not None:
                q = reprice(q)
            codes = [ln.problem_code for ln in q.lines if ln.problem_code and ln.required]
            days.append(CalendarDay(day, True, q.available, q.per_person, q.problems, codes))
        else:
            days.append(CalendarDay(day, False, False, None, []))
        day += timedelta(days=1)
    return days
