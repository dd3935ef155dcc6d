"""The catalogue as OCTO sees it: products, options and units, and prices in OCTO's shape.

Mapping (docs/notes/octo.md): experiences and services with time slots are START_TIME products
with one option "DEFAULT"; a stay is an OPENING_HOURS product with one option per room type
(one night per booking); goods are OPENING_HOURS products that need no availability. Units come
from the pax categories of the product's rates. Every price goes through trade.pricing (the
partner's contract): `net` is what the partner pays, `retail` and `original` the public price.
The operators' net never appears."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.utils import timezone, translation

from bookings.models import TradeContract
from bookings.services import DEFAULT_CANCELLATION_TIERS
from operators.models import (
    NightInventory,
    PaxCategory,
    PricingUnit,
    Product,
    ProductKind,
    ProductStatus,
    Rate,
    Slot,
    UnitType,
)
from operators.pricing import INFANT_MAX_AGE, PaxMix
from trade.pricing import partner_price, price_product_for, terms_for

from .errors import InvalidOptionId, InvalidProductId

CURRENCY = "EUR"
DEFAULT_OPTION = "DEFAULT"
ADULT_AGES = (18, 99)
SENIOR_AGES = (65, 99)
CHILD_AGES = (INFANT_MAX_AGE + 1, 17)
OCTO_KINDS = (
    ProductKind.EXPERIENCE,
    ProductKind.SERVICE,
    ProductKind.ACCOMMODATION,
    ProductKind.GOODS,
)


@dataclass(frozen=True)
class Unit:
    """One OCTO unit: who or what a unit item is (an adult, a child of 6-11, a room...)."""

    id: str
    type: str  # OCTO UnitType
    category: str  # operators.PaxCategory
    min_age: int
    max_age: int
    pax_count: int = 1
    age: int | None = None  # the age a child unit books with (its band's lowest)


def cents(amount: Decimal) -> int:
    return int((Decimal(amount) * 100).quantize(Decimal("1")))


def pricing_dict(public: Decimal, partner: Decimal) -> dict:
    """OCTO's Pricing: `original` and `retail` the public price, `net` what the partner pays."""
    return {
        "original": cents(public),
        "retail": cents(public),
        "net": cents(partner),
        "currency": CURRENCY,
        "currencyPrecision": 2,
        "includedTaxes": [],
    }


def is_start_time(product: Product) -> bool:
    return product.kind in (ProductKind.EXPERIENCE, ProductKind.SERVICE)


# --- reading the catalogue -------------------------------------------------------------------


def products_queryset(*, for_availability: bool = False):
    """Published products with what the catalogue reads; for availability only the rates and
    the room types (no cancellation policy)."""
    found = Product.objects.filter(
        status=ProductStatus.PUBLISHED, kind__in=OCTO_KINDS
    ).prefetch_related(
        Prefetch("rates", queryset=Rate.objects.select_related("season")),
        Prefetch("unit_types", queryset=UnitType.objects.order_by("pk")),
    )
    if not for_availability:
        found = found.select_related("cancellation_policy").prefetch_related(
            "cancellation_policy__tiers"
        )
    return found.order_by("pk")


def product_get(product_id, *, for_availability: bool = False) -> Product:
    if not isinstance(product_id, str) or not product_id:
        raise InvalidProductId(value=product_id if isinstance(product_id, str) else "")
    product = products_queryset(for_availability=for_availability).filter(slug=product_id).first()
    if product is None:
        raise InvalidProductId(value=product_id)
    return product


def option_get(product: Product, option_id) -> UnitType | None:
    """The option of a product: "DEFAULT" for slots and goods, a room type's id for stays."""
    if not isinstance(option_id, str) or not option_id:
        raise InvalidOptionId(value=option_id if isinstance(option_id, str) else "")
    if product.kind == ProductKind.ACCOMMODATION:
        for unit_type in product.unit_types.all():
            if str(unit_type.pk) == option_id:
                return unit_type
        raise InvalidOptionId(value=option_id)
    if option_id != DEFAULT_OPTION:
        raise InvalidOptionId(value=option_id)
    return None


def units_of(product: Product, unit_type: UnitType | None = None) -> list[Unit]:
    rates = list(product.rates.all())
    if product.kind == ProductKind.ACCOMMODATION:
        occupancy = unit_type.standard_occupancy if unit_type else 2
        return [Unit("room", "OTHER", PaxCategory.UNIT, 0, 99, pax_count=occupancy)]
    if product.kind == ProductKind.GOODS:
        return [Unit("item", "OTHER", PaxCategory.UNIT, 0, 99, pax_count=0)]
    if product.pricing_unit == PricingUnit.PER_UNIT:
        return [Unit("unit", "OTHER", PaxCategory.UNIT, 0, 99)]
    has_senior = any(r.pax_category == PaxCategory.SENIOR for r in rates)
    adult_max = SENIOR_AGES[0] - 1 if has_senior else ADULT_AGES[1]
    units = [Unit("adult", "ADULT", PaxCategory.ADULT, ADULT_AGES[0], adult_max)]
    if has_senior:
        units.append(Unit("senior", "SENIOR", PaxCategory.SENIOR, *SENIOR_AGES))
    bands = sorted(
        {
            (r.age_min, r.age_max)
            for r in rates
            if r.pax_category == PaxCategory.CHILD and r.age_min is not None
        }
    )
    if bands:
        units += [
            Unit(f"child_{low}_{high}", "CHILD", PaxCategory.CHILD, low, high, age=low)
            for low, high in bands
        ]
    else:
        units.append(Unit("child", "CHILD", PaxCategory.CHILD, *CHILD_AGES, age=CHILD_AGES[0]))
    units.append(Unit("infant", "INFANT", PaxCategory.INFANT, 0, INFANT_MAX_AGE, pax_count=0))
    return units


# --- prices through the partner's contract ---------------------------------------------------


def _quote_kwargs(product, unit: Unit, day: date, *, unit_type=None, night=None, count=1):
    if product.kind == ProductKind.ACCOMMODATION:
        return {
            "day": day,
            "check_out": day + timedelta(days=1),
            "unit_type": unit_type,
            "units": count,
            "pax": PaxMix(adults=unit_type.standard_occupancy * count),
            "nights_by_date": {day: night} if night is not None else None,
        }
    if product.kind == ProductKind.GOODS:
        return {"day": day, "quantity": count}
    if product.pricing_unit == PricingUnit.PER_UNIT:
        return {"day": day, "units": count}
    return {"day": day, "pax": pax_of([unit] * count)}


def pax_of(units: list[Unit]) -> PaxMix:
    return PaxMix(
        adults=sum(1 for u in units if u.category == PaxCategory.ADULT),
        seniors=sum(1 for u in units if u.category == PaxCategory.SENIOR),
        children_ages=tuple(u.age for u in units if u.category == PaxCategory.CHILD),
        infants=sum(1 for u in units if u.category == PaxCategory.INFANT),
    )


def quote_kwargs_for(product, units: list[Unit], day: date, *, unit_type=None, night=None):
    """The pricing arguments of a whole party (the units of a booking or an availability)."""
    if product.kind in (ProductKind.ACCOMMODATION, ProductKind.GOODS) or (
        product.pricing_unit == PricingUnit.PER_UNIT
    ):
        return _quote_kwargs(
            product, units[0], day, unit_type=unit_type, night=night, count=len(units)
        )
    return {"day": day, "pax": pax_of(units)}


def partner_terms(organisation):
    """The partner's contract terms of today, loaded once per request: the organisation
    object is the request's own (from its API key), so the memo lives as long as the request."""
    if organisation is None:
        return None
    memo = organisation.__dict__.setdefault("_octo_terms", {})
    today = timezone.localdate()
    if today not in memo:
        memo[today] = terms_for(organisation, as_of=today)
    return memo[today]


def party_price(organisation, product, **quote_kwargs) -> tuple[Decimal, Decimal] | None:
    """(public, partner) totals of a party on a day, or None when no price is set."""
    try:
        public = price_product_for(None, product, **quote_kwargs).retail_total
        partner = price_product_for(
            organisation, product, terms=partner_terms(organisation), **quote_kwargs
        ).retail_total
    except ValidationError:
        return None
    return public, partner


def _public_key(product, unit: Unit, day: date, night) -> tuple:
    """What the public price of a unit depends on: the weekday and the seasons covering the
    day (operators.pricing picks rates by these alone), and a night's own price."""
    seasons = frozenset(
        r.season_id
        for r in product.rates.all()
        if r.season_id is not None and r.season.start_date <= day <= r.season.end_date
    )
    override = (night.price_override, night.net_override) if night is not None else None
    return unit.id, day.isoweekday(), seasons, override


def unit_price(
    organisation, product, unit: Unit, day: date, *, unit_type=None, night=None, public_cache=None
):
    """(public, partner) price of one unit on a day, or None when no price is set. A request
    pricing many days passes `public_cache`: the public price is then computed once per
    weekday and season; the partner's price always per day (contracts have validity dates)."""
    kwargs = _quote_kwargs(product, unit, day, unit_type=unit_type, night=night)
    if public_cache is None:
        return party_price(organisation, product, **kwargs)
    key = _public_key(product, unit, day, night)
    try:
        if key not in public_cache:
            public_cache[key] = price_product_for(None, product, **kwargs).retail_total
        partner = price_product_for(
            organisation, product, terms=partner_terms(organisation), **kwargs
        ).retail_total
    except ValidationError:
        return None
    return public_cache[key], partner


def _from_rates(product, unit: Unit, unit_type=None) -> list[Rate]:
    rates = [r for r in product.rates.all() if r.pax_category == unit.category]
    if product.kind == ProductKind.ACCOMMODATION:
        rates = [r for r in rates if r.unit_type_id == getattr(unit_type, "pk", None)]
    if unit.category == PaxCategory.CHILD and unit.age is not None:
        banded = [
            r
            for r in rates
            if (r.age_min is None or r.age_min <= unit.age)
            and (r.age_max is None or unit.age <= r.age_max)
        ]
        rates = banded or [r for r in product.rates.all() if r.pax_category == PaxCategory.ADULT]
    if unit.category == PaxCategory.SENIOR and not rates:
        rates = [r for r in product.rates.all() if r.pax_category == PaxCategory.ADULT]
    if product.kind == ProductKind.GOODS and not rates:
        rates = [r for r in product.rates.all() if r.pax_category == PaxCategory.ADULT]
    return rates


def unit_price_from(organisation, product, unit: Unit, unit_type=None) -> dict | None:
    """The lowest price of a unit over its rates, as the partner pays it (OCTO `pricingFrom`)."""
    today = timezone.localdate()
    best = None
    for rate in _from_rates(product, unit, unit_type):
        price = partner_price(
            organisation,
            terms=partner_terms(organisation),
            retail=rate.retail_price,
            net=rate.net_price,
            kind=product.kind,
            day=today,
            product_id=product.pk,
        )
        if best is None or price.amount < best.amount:
            best = price
    if best is None:
        if unit.category == PaxCategory.INFANT:  # no infant rate: infants go free
            return pricing_dict(Decimal("0"), Decimal("0"))
        return None
    return pricing_dict(best.public, best.amount)


# --- OCTO objects -----------------------------------------------------------------------------


def contract_tiers(organisation) -> list[dict] | None:
    """The cancellation tiers of the partner's contract, if it sets its own."""
    contract = (
        TradeContract.objects.filter(organisation=organisation)
        .select_related("cancellation_policy")
        .first()
    )
    if contract is not None and contract.cancellation_policy_id:
        return contract.cancellation_policy.as_tiers()
    return None


def _cutoff_days(product, tiers: list[dict] | None) -> int:
    """Days before the service from which a cancellation costs a penalty."""
    if tiers is None:
        tiers = (
            product.cancellation_policy.as_tiers()
            if product.cancellation_policy_id
            else DEFAULT_CANCELLATION_TIERS
        )
    charged = [
        int(t["days_before"])
        for t in tiers
        if Decimal(t["penalty_percent"]) > 0 or Decimal(t["penalty_amount"]) > 0
    ]
    return max(charged, default=0)


def unit_dict(organisation, product, unit: Unit, *, pricing: bool, unit_type=None) -> dict:
    data = {
        "id": unit.id,
        "internalName": str(PaxCategory(unit.category).label)
        if unit.category != PaxCategory.CHILD
        else f"{PaxCategory.CHILD.label} {unit.min_age}-{unit.max_age}",
        "reference": None,
        "type": unit.type,
        "restrictions": {
            "minAge": unit.min_age,
            "maxAge": unit.max_age,
            "idRequired": False,
            "minQuantity": None,
            "maxQuantity": None,
            "paxCount": unit.pax_count,
            "accompaniedBy": ["adult"] if unit.type in ("CHILD", "INFANT") else [],
        },
        "requiredContactFields": [],
    }
    if pricing:
        price = unit_price_from(organisation, product, unit, unit_type)
        data["pricingFrom"] = [price] if price else []
    return data


def option_dict(
    organisation, product, unit_type, *, pricing: bool, start_times, cutoff_days
) -> dict:
    units = [
        unit_dict(organisation, product, u, pricing=pricing, unit_type=unit_type)
        for u in units_of(product, unit_type)
    ]
    if unit_type is None:
        option_id, name = DEFAULT_OPTION, str(product)
        min_units, max_units = (
            (product.min_pax, product.max_pax)
            if is_start_time(product) and product.pricing_unit == PricingUnit.PER_PERSON
            else (1, None)
        )
    else:
        option_id, name = str(unit_type.pk), unit_type.name
        min_units, max_units = 1, unit_type.units
    data = {
        "id": option_id,
        "default": unit_type is None or unit_type.pk == product.unit_types.all()[0].pk,
        "internalName": name,
        "reference": None,
        "availabilityLocalStartTimes": start_times if is_start_time(product) else ["00:00"],
        "cancellationCutoff": f"{cutoff_days} days",
        "cancellationCutoffAmount": cutoff_days,
        "cancellationCutoffUnit": "day",
        "requiredContactFields": ["firstName", "lastName", "emailAddress"],
        "restrictions": {"minUnits": min_units, "maxUnits": max_units},
        "units": units,
    }
    if pricing:
        froms = [u["pricingFrom"][0] for u in units if u.get("pricingFrom")]
        paying = [p for p in froms if p["net"] > 0] or froms
        data["pricingFrom"] = [min(paying, key=lambda p: p["net"])] if paying else []
    return data


def start_times_by_product(products) -> dict[int, list[str]]:
    """Local start times of each slot product's coming slots (one query for all)."""
    ids = [p.pk for p in products if is_start_time(p)]
    found: dict[int, set[str]] = {}
    if ids:
        rows = (
            Slot.objects.filter(product_id__in=ids, date__gte=timezone.localdate())
            .values_list("product_id", "start_time")
            .distinct()
        )
        for product_id, start in rows:
            found.setdefault(product_id, set()).add(start.strftime("%H:%M"))
    return {pk: sorted(times) for pk, times in found.items()}


_UNSET = object()


def product_dict(organisation, product, *, pricing: bool, start_times=None, tiers=_UNSET) -> dict:
    if start_times is None:
        start_times = start_times_by_product([product]).get(product.pk, [])
    if tiers is _UNSET:
        tiers = contract_tiers(organisation)
    cutoff_days = _cutoff_days(product, tiers)
    option_types = (
        list(product.unit_types.all()) if product.kind == ProductKind.ACCOMMODATION else [None]
    )
    data = {
        "id": product.slug,
        "internalName": str(product),
        "reference": product.slug,
        "locale": translation.get_language() or "en",
        "timeZone": timezone.get_current_timezone_name(),
        "allowFreesale": False,
        "instantConfirmation": True,
        "instantDelivery": True,
        "availabilityRequired": product.kind != ProductKind.GOODS,
        "availabilityType": "START_TIME" if is_start_time(product) else "OPENING_HOURS",
        "deliveryFormats": ["PDF_URL"],
        "deliveryMethods": ["VOUCHER"],
        "redemptionMethod": "DIGITAL",
        "options": [
            option_dict(
                organisation,
                product,
                unit_type,
                pricing=pricing,
                start_times=start_times,
                cutoff_days=cutoff_days,
            )
            for unit_type in option_types
        ],
    }
    if pricing:
        data.update(defaultCurrency=CURRENCY, availableCurrencies=[CURRENCY], pricingPer="UNIT")
    return data


def nights_of(unit_type, start: date, end: date) -> dict[date, NightInventory]:
    return {
        n.date: n
        for n in NightInventory.objects.filter(unit_type=unit_type, date__gte=start, date__lte=end)
    }
