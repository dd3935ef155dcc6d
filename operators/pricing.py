"""Prices of a product for a pax mix on a date: the one function every channel uses.

Money is Decimal EUR quantized to cents with `money()`; never float."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from marketplace.queries import CompiledQuery

from .models import PaxCategory, PricingUnit, Product, ProductKind, Rate, UnitType

CENT = Decimal("0.01")
INFANT_MAX_AGE = 1  # children of 0-1 years are infants unless a child rate covers them


def money(value) -> Decimal:
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class PaxMix:
    """Who travels: adults, seniors, children with their ages, infants."""

    adults: int = 0
    seniors: int = 0
    children_ages: tuple[int, ...] = ()
    infants: int = 0

    def __post_init__(self):
        if min(self.adults, self.seniors, self.infants) < 0:
            raise ValidationError({"pax": _("Pax counts cannot be negative.")})
        if any(age is None or age < 0 or age > 17 for age in self.children_ages):
            raise ValidationError({"children_ages": _("Every child needs an age from 0 to 17.")})

    @classmethod
    def of(cls, adults=0, seniors=0, children_ages=(), infants=0) -> PaxMix:
        if any(age is None or str(age).strip() == "" for age in children_ages):
            raise ValidationError({"children_ages": _("Every child needs an age from 0 to 17.")})
        return cls(int(adults), int(seniors), tuple(int(a) for a in children_ages), int(infants))

    @property
    def children(self) -> int:
        return len(self.children_ages)

    @property
    def seats(self) -> int:
        """Places taken in a slot: infants sit on a lap."""
        return self.adults + self.seniors + self.children

    @property
    def persons(self) -> int:
        return self.seats + self.infants

    def as_dict(self) -> dict:
        return {
            "adults": self.adults,
            "seniors": self.seniors,
            "children_ages": list(self.children_ages),
            "infants": self.infants,
        }


@dataclass
class PriceLine:
    category: str
    label: str
    quantity: int
    unit_retail: Decimal
    unit_net: Decimal
    date: date | None = None

    @property
    def retail(self) -> Decimal:
        return money(self.unit_retail * self.quantity)

    @property
    def net(self) -> Decimal:
        return money(self.unit_net * self.quantity)


@dataclass
class PriceQuote:
    product_id: int
    vat_rate: Decimal
    lines: list[PriceLine] = field(default_factory=list)
    free_places: int = 0

    @property
    def retail_total(self) -> Decimal:
        return money(sum((line.retail for line in self.lines), Decimal("0")))

    @property
    def net_total(self) -> Decimal:
        return money(sum((line.net for line in self.lines), Decimal("0")))

    @property
    def commission(self) -> Decimal:
        return self.retail_total - self.net_total

    def as_dict(self) -> dict:
        return {
            "retail_total": str(self.retail_total),
            "net_total": str(self.net_total),
            "commission": str(self.commission),
            "vat_rate": str(self.vat_rate),
            "free_places": self.free_places,
            "lines": [
                {
                    "category": ln.category,
                    "label": ln.label,
                    "quantity": ln.quantity,
                    "unit_retail": str(ln.unit_retail),
                    "unit_net": str(ln.unit_net),
                    "retail": str(ln.retail),
                    "net": str(ln.net),
                    "date": ln.date.isoformat() if ln.date else None,
                }
                for ln in self.lines
            ],
        }


class NoRate(ValidationError):
    pass


def _season_of(rate: Rate, day: date) -> bool:
    if rate.season_id is None:
        return True
    return rate.season.start_date <= day <= rate.season.end_date


def _rate_for(
    rates: list[Rate], *, category: str, day: date, group: int, unit_type_id=None, age=None
) -> Rate | None:
    """The most specific rate: in a season over all-year, the narrowest group band,
    the fewest weekdays."""
    weekday = str(day.isoweekday())
    candidates = [
        r
        for r in rates
        if r.pax_category == category
        and r.unit_type_id == unit_type_id
        and weekday in r.weekdays
        and _season_of(r, day)
        and r.min_group <= group
        and (r.max_group is None or group <= r.max_group)
        and (
            age is None
            or (r.age_min is None or r.age_min <= age)
            and (r.age_max is None or age <= r.age_max)
        )
    ]
    if not candidates:
        return None
    return max(
        candidates,
        key=lambda r: (r.season_id is not None, r.min_group, -len(r.weekdays), -r.pk),
    )


def _rates(product: Product) -> list[Rate]:
    cache = getattr(product, "_prefetched_objects_cache", {})
    if "rates" in cache:
        return list(cache["rates"])
    # Which rate applies never depends on their order (`_rate_for` ranks them on a full key):
    # ordered by pk, not by the model's ordering, whose joins cost more than the rates. Read on
    # every hold and quote: compiled once per process.
    rates = _PRODUCT_RATES.all(product_id=product.pk)
    for rate in rates:  # as `product.rates` would: the rate knows its product
        rate._state.fields_cache["product"] = product
    return rates


def rates_reads(products) -> list:
    """The reads `_rates` will make for these products, as (query, values), for a caller
    that sends them together (marketplace.queries.read_together)."""
    wanted = {
        product.pk
        for product in products
        if "rates" not in getattr(product, "_prefetched_objects_cache", {})
    }
    return [(_PRODUCT_RATES, {"product_id": pk}) for pk in sorted(wanted)]


_PRODUCT_RATES = CompiledQuery(
    lambda product_id: (
        Rate.objects.select_related("season").filter(product_id=product_id).order_by("pk")
    ),
    product_id=-1,
)


def _person_lines(product, rates, *, day, pax: PaxMix, unit_type_id=None, group=None):
    """Lines for each person of the mix, by category, on one day."""
    group = group if group is not None else pax.seats
    lines: list[PriceLine] = []

    def add(category, label, quantity, rate):
        if quantity:
            lines.append(
                PriceLine(category, label, quantity, rate.retail_price, rate.net_price, day)
            )

    adult = _rate_for(
        rates, category=PaxCategory.ADULT, day=day, group=group, unit_type_id=unit_type_id
    )
    if (pax.adults or pax.seniors or pax.children) and adult is None:
        raise NoRate({"date": _("No price is set for %(date)s.") % {"date": day.isoformat()}})
    add(PaxCategory.ADULT, _("Adult"), pax.adults, adult)
    if pax.seniors:
        senior = (
            _rate_for(
                rates, category=PaxCategory.SENIOR, day=day, group=group, unit_type_id=unit_type_id
            )
            or adult
        )
        add(PaxCategory.SENIOR, _("Senior"), pax.seniors, senior)
    by_rate: dict[int, tuple[Rate, int]] = {}
    for age in pax.children_ages:
        child = (
            _rate_for(
                rates,
                category=PaxCategory.CHILD,
                day=day,
                group=group,
                unit_type_id=unit_type_id,
                age=age,
            )
            or adult
        )
        rate, n = by_rate.get(child.pk, (child, 0))
        by_rate[child.pk] = (rate, n + 1)
    for rate, n in by_rate.values():
        label = (
            _("Child %(low)s-%(high)s") % {"low": rate.age_min, "high": rate.age_max}
            if rate.pax_category == PaxCategory.CHILD
            else _("Child (adult rate)")
        )
        add(PaxCategory.CHILD, label, n, rate)
    if pax.infants:
        infant = _rate_for(
            rates, category=PaxCategory.INFANT, day=day, group=group, unit_type_id=unit_type_id
        )
        if infant is not None:
            add(PaxCategory.INFANT, _("Infant"), pax.infants, infant)
    return lines


def _apply_free_places(quote: PriceQuote, every: int | None, paying: int, day) -> None:
    """One free place every N paying (group leaders): N paying + 1 free."""
    if not every or paying <= every:
        return
    free = paying // (every + 1)
    adult_lines = [ln for ln in quote.lines if ln.category == PaxCategory.ADULT]
    if not free or not adult_lines:
        return
    cheapest = min(adult_lines, key=lambda ln: ln.unit_retail)
    quote.free_places = free
    quote.lines.append(
        PriceLine(
            "free_place",
            _("Free places (group leaders)"),
            free,
            -cheapest.unit_retail,
            -cheapest.unit_net,
            day,
        )
    )


def price_slot_product(
    product: Product, *, day: date, pax: PaxMix | None = None, units: int = 0
) -> PriceQuote:
    """Experience or service on a day: per person, or per unit for per-unit services."""
    rates = _rates(product)
    quote = PriceQuote(product_id=product.pk, vat_rate=product.vat_rate)
    if product.pricing_unit == PricingUnit.PER_UNIT:
        if units < 1:
            raise ValidationError({"units": _("Say how many units.")})
        rate = _rate_for(rates, category=PaxCategory.UNIT, day=day, group=units)
        if rate is None:
            raise NoRate({"date": _("No price is set for %(date)s.") % {"date": day.isoformat()}})
        quote.lines.append(
            PriceLine(PaxCategory.UNIT, _("Unit"), units, rate.retail_price, rate.net_price, day)
        )
        return quote
    quote.lines = _person_lines(product, rates, day=day, pax=pax)
    _apply_free_places(quote, product.free_place_every, pax.seats, day)
    return quote


def price_goods(product: Product, *, quantity: int, day: date) -> PriceQuote:
    rates = _rates(product)
    rate = _rate_for(rates, category=PaxCategory.UNIT, day=day, group=quantity) or _rate_for(
        rates, category=PaxCategory.ADULT, day=day, group=quantity
    )
    if rate is None:
        raise NoRate({"product": _("No price is set for this product.")})
    quote = PriceQuote(product_id=product.pk, vat_rate=product.vat_rate)
    quote.lines.append(
        PriceLine(PaxCategory.UNIT, _("Item"), quantity, rate.retail_price, rate.net_price, day)
    )
    return quote


def price_stay(
    unit_type: UnitType,
    *,
    check_in: date,
    check_out: date,
    units: int,
    pax: PaxMix,
    nights_by_date: dict | None = None,
) -> PriceQuote:
    """A stay: per unit per night (a night's price override wins), plus supplements for
    persons beyond the standard occupancy."""
    product = unit_type.product
    rates = _rates(product)
    quote = PriceQuote(product_id=product.pk, vat_rate=product.vat_rate)
    nights_by_date = nights_by_date or {}
    extra = max(pax.persons - pax.infants - unit_type.standard_occupancy * units, 0)
    day = check_in
    while day < check_out:
        night = nights_by_date.get(day)
        rate = _rate_for(
            rates, category=PaxCategory.UNIT, day=day, group=units, unit_type_id=unit_type.pk
        )
        if night is not None and night.price_override is not None:
            net = night.net_override
            if net is None:
                # An override without a net keeps the rate's share, never the rate's amount.
                share = (
                    rate.net_price / rate.retail_price
                    if rate and rate.retail_price
                    else Decimal("0.8")
                )
                net = money(night.price_override * share)
            quote.lines.append(
                PriceLine(PaxCategory.UNIT, unit_type.name, units, night.price_override, net, day)
            )
        elif rate is not None:
            quote.lines.append(
                PriceLine(
                    PaxCategory.UNIT, unit_type.name, units, rate.retail_price, rate.net_price, day
                )
            )
        else:
            raise NoRate(
                {
                    "date": _("No price is set for the night of %(date)s.")
                    % {"date": day.isoformat()}
                }
            )
        if extra:
            supplement = _rate_for(
                rates, category=PaxCategory.ADULT, day=day, group=units, unit_type_id=unit_type.pk
            )
            if supplement is not None:
                quote.lines.append(
                    PriceLine(
                        PaxCategory.ADULT,
                        _("Extra person"),
                        extra,
                        supplement.retail_price,
                        supplement.net_price,
                        day,
                    )
                )
        day += timedelta(days=1)
    return quote


def price_product(
    product: Product,
    *,
    day: date,
    pax: PaxMix | None = None,
    units: int = 0,
    unit_type: UnitType | None = None,
    check_out: date | None = None,
    quantity: int = 0,
    nights_by_date=None,
) -> PriceQuote:
    if product.kind == ProductKind.ACCOMMODATION:
        if unit_type is None or check_out is None:
            raise ValidationError({"unit_type": _("Choose a unit type and the dates.")})
        return price_stay(
            unit_type,
            check_in=day,
            check_out=check_out,
            units=max(units, 1),
            pax=pax or PaxMix(),
            nights_by_date=nights_by_date,
        )
    if product.kind == ProductKind.GOODS:
        return price_goods(product, quantity=quantity, day=day)
    return price_slot_product(product, day=day, pax=pax, units=units)
