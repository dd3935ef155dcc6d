"""Read side of the operators app: visible catalogues, the availability search every channel
uses, and the figures of the extranet and the curation desk.

The availability search decides in the database which products are bookable; only the page of
results is priced in Python, from rates fetched in one query. On PostgreSQL it reads the read
model that triggers keep beside the counters (operators/readmodel.py: one row per product and
day with places left, and the product's "from" price), so what it reads grows with the days
asked, not with every slot of the catalogue; stays are then checked exactly (minimum stay,
arrival and departure rules, children) on the products that have a place on the arrival day.
Elsewhere (SQLite) it asks the slot and night rows directly."""

from __future__ import annotations

import calendar
import functools
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import Decimal
from types import SimpleNamespace

from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    Expression,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.base import ModelState
from django.db.models.functions import Coalesce
from django.db.models.lookups import LessThanOrEqual
from django.utils import timezone

from . import readmodel
from .inventory import horizon_days
from .models import (
    CurationEvent,
    GoodsStock,
    NightInventory,
    PaxCategory,
    PricingUnit,
    Product,
    ProductKind,
    ProductPhoto,
    ProductRevision,
    ProductStatus,
    Rate,
    RateChange,
    RateChangeStatus,
    RevisionStatus,
    Season,
    Slot,
    SlotStatus,
    UnitType,
)
from .partner_places import PartnerPlaces, extra_places_expr, partner_places
from .pricing import (
    NoRate,
    PaxMix,
    PriceQuote,
    _rate_for,
    price_goods,
    price_slot_product,
    price_stay,
)

SLOT_KINDS = (ProductKind.EXPERIENCE, ProductKind.SERVICE)
_LONG_TEXTS = [
    f"{name}{suffix}"
    for name in ("description", "inclusions", "exclusions", "accessibility_notes")
    for suffix in ("", "_it", "_en", "_de", "_fr")
] + ["organisation__description"]
MAX_SEARCH_DAYS = 31


# --- Catalogue visibility -------------------------------------------------------------------


def products_visible(*, organisation=None) -> QuerySet[Product]:
    """Published products; an operator also sees its own listings in any state but archived."""
    condition = Q(status=ProductStatus.PUBLISHED)
    if organisation is not None and organisation.is_operator:
        condition |= Q(organisation=organisation) & ~Q(status=ProductStatus.ARCHIVED)
    return Product.objects.filter(condition)


def product_detail_queryset(*, organisation=None) -> QuerySet[Product]:
    return (
        products_visible(organisation=organisation)
        .select_related("comune", "organisation", "cancellation_policy")
        .prefetch_related(
            "themes",
            "languages",
            "photos",
            "unit_types",
            "cancellation_policy__tiers",
        )
        .annotate(from_price=_from_price())
    )


def rates_of(product: Product) -> QuerySet[Rate]:
    return product.rates.select_related("season", "unit_type").order_by(
        "unit_type_id", "season__start_date", "pax_category", "min_group", "pk"
    )


def rate_changes_of(product: Product) -> QuerySet[RateChange]:
    """The product's price proposals that wait for the DMC, or were decided lately."""
    return product.rate_changes.select_related("rate", "decided_by").order_by("-created_at")[:20]


def pending_rate_changes() -> QuerySet[RateChange]:
    """Price proposals below the contract's commission, oldest first, for the curation desk."""
    return (
        RateChange.objects.filter(status=RateChangeStatus.PENDING)
        .select_related("product__organisation", "rate__season", "proposed_by")
        .order_by("created_at", "pk")
    )


def pending_revisions() -> QuerySet[ProductRevision]:
    """Edits of live listings waiting for the DMC, oldest first."""
    return (
        ProductRevision.objects.filter(status=RevisionStatus.PENDING)
        .select_related("product__organisation", "product__comune", "created_by")
        .order_by("updated_at", "pk")
    )


def operator_products(*, organisation) -> QuerySet[Product]:
    return (
        Product.objects.filter(organisation=organisation)
        .select_related("comune")
        .annotate(from_price=_from_price(), photo_count=Count("photos", distinct=True))
        .order_by("status", "title")
    )


# --- Availability search --------------------------------------------------------------------


@dataclass(frozen=True)
class SearchCriteria:
    """What a channel asks: a date range (for accommodation: check-in and check-out), a pax
    mix and optional filters. `min_price`/`max_price` bound the product's "from" price (per
    person, or per unit/night for products priced per unit)."""

    start: date
    end: date
    pax: PaxMix
    comune: str | None = None  # ISTAT code
    kind: str | None = None
    theme: str | None = None  # slug
    language: str | None = None  # ISO 639-1
    min_price: Decimal | None = None
    max_price: Decimal | None = None
    q: str = ""

    @property
    def check_out(self) -> date:
        return self.end if self.end > self.start else self.start + timedelta(days=1)

    @property
    def nights(self) -> int:
        return (self.check_out - self.start).days


def _from_price():
    """Cheapest base rate for a small party: adult (not a room supplement) or per unit, from
    the smallest group band (group discounts are not a "from" price)."""
    return Subquery(
        Rate.objects.filter(product=OuterRef("pk"))
        .filter(
            Q(pax_category=PaxCategory.UNIT)
            | Q(pax_category=PaxCategory.ADULT, unit_type__isnull=True)
        )
        .order_by("min_group", "retail_price")
        .values("retail_price")[:1]
    )


def _units_needed(seats: int, per_unit_field: str):
    """Units a party needs: ceil(seats / persons per unit), at least one."""
    return Case(
        When(
            **{f"{per_unit_field}__gt": 0},
            then=(Value(max(seats, 1)) + F(per_unit_field) - 1) / F(per_unit_field),
        ),
        default=Value(max(seats, 1)),
        output_field=IntegerField(),
    )


def _slot_need():
    """Seats (per person) or units (per-unit services: max_pax is the persons per unit)."""
    return lambda seats: Case(
        When(
            pricing_unit=PricingUnit.PER_UNIT,
            max_pax__gt=0,
            then=(Value(max(seats, 1)) + F("max_pax") - 1) / F("max_pax"),
        ),
        default=Value(max(seats, 1)),
        output_field=IntegerField(),
    )


def _bookable_slots(criteria: SearchCriteria, product_ref) -> QuerySet[Slot]:
    slots = Slot.objects.all() if product_ref is None else Slot.objects.filter(product=product_ref)
    return slots.filter(
        date__gte=criteria.start,
        date__lte=criteria.end,
        status=SlotStatus.OPEN,
        starts_at__gt=timezone.now(),
    )


def bookable_unit_types(
    criteria: SearchCriteria, *, product_ref=None, extra_nights: dict | None = None
) -> QuerySet[UnitType]:
    """Unit types where the party can stay from check-in to check-out: every night open with
    enough units, arrival allowed with the minimum stay met, departure allowed, children fit.
    `extra_nights` ({night pk: places}): a trade partner's own allotment places, free for it."""
    pax, check_in, check_out, n = criteria.pax, criteria.start, criteria.check_out, criteria.nights
    need = OuterRef("need")
    if extra_nights:
        need = need - extra_places_expr(extra_nights)
    open_nights = (
        NightInventory.objects.filter(
            unit_type=OuterRef("pk"),
            date__gte=check_in,
            date__lt=check_out,
            closed=False,
            units__gte=F("sold") + F("held") + need,
        )
        .order_by()
        .values("unit_type")
        .annotate(c=Count("pk"))
        .values("c")
    )
    arrival_ok = NightInventory.objects.filter(
        unit_type=OuterRef("pk"), date=check_in, closed_to_arrival=False
    ).filter(
        Q(min_stay__lte=n) | Q(min_stay__isnull=True) & LessThanOrEqual(OuterRef("min_stay"), n)
    )
    departure_closed = NightInventory.objects.filter(
        unit_type=OuterRef("pk"), date=check_out, closed_to_departure=True
    )
    unit_types = (
        UnitType.objects.all()
        if product_ref is None
        else UnitType.objects.filter(product=product_ref)
    )
    unit_types = (
        unit_types.annotate(need=_units_needed(pax.seats, "max_occupancy"))
        .annotate(nights_ok=Subquery(open_nights, output_field=IntegerField()))
        .filter(nights_ok=n)
        .filter(Q(Exists(arrival_ok)) & ~Q(Exists(departure_closed)))
    )
    if pax.children:
        unit_types = unit_types.filter(
            LessThanOrEqual(Value(pax.children), F("max_children") * F("need"))
        )
    return unit_types


def availability_search(*, criteria: SearchCriteria, organisation=None) -> QuerySet[Product]:
    """Products bookable in the range for the pax mix, with the filters: one query.

    On PostgreSQL the filters and the availability are one SQL condition over the read model
    (`_read_model_condition`), written once per query shape: building and compiling it costs
    next to nothing, whatever the criteria. Elsewhere the ORM asks the counters."""
    if criteria.min_price is not None or criteria.max_price is not None:
        terms = _partner_terms(organisation)
        if terms is not None:  # a trade partner's price filters bound what it pays
            return _partner_price_search(criteria, organisation, terms)
    products = products_visible(organisation=organisation)
    # A trade partner's own allotment places are free for it (and nobody else): a partner with
    # places in the range is searched over the counters, which know them.
    extra = partner_places(organisation, start=criteria.start, end=criteria.check_out)
    if readmodel.enabled() and not extra:
        products = products.annotate(from_price=F("price_from")).filter(
            _read_model_condition(criteria)
        )
    else:
        products = _counters_search(products, criteria, extra=extra)
    return (
        products.select_related("comune", "organisation", "stock")
        .defer(*_LONG_TEXTS)
        .order_by("title", "pk")
    )


def _partner_terms(organisation):
    """The partner's contract terms in force, None for anybody else (no query for them)."""
    if organisation is None or getattr(organisation, "kind", None) != "trade":
        return None
    from trade.pricing import terms_for

    return terms_for(organisation)


def _partner_price_search(criteria: SearchCriteria, organisation, terms) -> QuerySet[Product]:
    """The search for a trade partner with price filters: `min_price`/`max_price` bound the
    partner's contract "from" price (trade.pricing.partner_from_prices, what the REST API
    shows it), not the public one. The search runs without the bounds and the products whose
    partner price is within them are kept by pk: a partner's catalogue is at most a few
    thousand products, so the list of pks stays small."""
    from trade.pricing import partner_from_prices

    unbounded = replace(criteria, min_price=None, max_price=None)
    products = availability_search(criteria=unbounded, organisation=organisation)
    rows = [
        SimpleNamespace(pk=pk, kind=kind, from_price=from_price)
        for pk, kind, from_price in products.values_list("pk", "kind", "from_price")
    ]
    prices = partner_from_prices(organisation, rows, terms=terms) or {}
    low, high = criteria.min_price, criteria.max_price
    keep = [
        pk
        for pk, price in prices.items()
        if (low is None or price >= low) and (high is None or price <= high)
    ]
    return products.filter(pk__in=keep)


def _counters_search(
    products: QuerySet[Product], criteria: SearchCriteria, *, extra: PartnerPlaces | None = None
) -> QuerySet[Product]:
    """The search asked of the slots, nights and rates themselves (SQLite, a trade partner
    with allotment places in the range, and the reference the read model is checked
    against)."""
    pax = criteria.pax
    if criteria.q:
        text = criteria.q.strip()
        products = products.filter(
            Q(title_it__icontains=text)
            | Q(title_en__icontains=text)
            | Q(summary_it__icontains=text)
            | Q(summary_en__icontains=text)
            | Q(comune__name__icontains=text)
        )
    if criteria.comune:
        products = products.filter(comune__istat_code=criteria.comune)
    if criteria.kind:
        products = products.filter(kind=criteria.kind)
    if criteria.theme:
        products = products.filter(
            Exists(
                Product.themes.through.objects.filter(
                    product_id=OuterRef("pk"), theme__slug=criteria.theme
                )
            )
        )
    if criteria.language:
        products = products.filter(
            Exists(
                Product.languages.through.objects.filter(
                    product_id=OuterRef("pk"), language__code=criteria.language
                )
            )
        )
    products = products.annotate(from_price=_from_price(), need=_slot_need()(pax.seats))
    if criteria.min_price is not None:
        products = products.filter(from_price__gte=criteria.min_price)
    if criteria.max_price is not None:
        products = products.filter(from_price__lte=criteria.max_price)

    slots = _bookable_slots(criteria, OuterRef("pk")).filter(
        capacity__gte=F("sold") + F("held") + OuterRef("need")
    )
    party_fits = Q(pricing_unit=PricingUnit.PER_UNIT) | Q(min_pax__lte=pax.seats) & (
        Q(max_pax__isnull=True) | Q(max_pax__gte=pax.seats)
    )
    stock = GoodsStock.objects.filter(product=OuterRef("pk"), quantity__gt=F("sold") + F("held"))
    bookable = (
        Q(kind__in=SLOT_KINDS) & party_fits & Q(Exists(slots))
        | Q(kind=ProductKind.ACCOMMODATION)
        & Q(Exists(bookable_unit_types(criteria, product_ref=OuterRef("pk"))))
        | Q(kind=ProductKind.GOODS) & Q(Exists(stock))
    )
    if extra:  # a trade partner's own allotment places are free for it (and nobody else)
        bookable |= _partner_bookable(criteria, extra, party_fits)
    return products.filter(from_price__isnull=False).filter(bookable)


class _ProductCondition(Expression):
    """A boolean condition on the product row, written in SQL: `{p}` in the template stands
    for the product table's alias, which follows the query when Django relabels it (the
    search used as a subquery, or counted)."""

    conditional = True
    output_field = BooleanField()

    def __init__(self, template: str, params: tuple, alias: str = Product._meta.db_table):
        super().__init__()
        self.template, self.params, self.alias = template, tuple(params), alias

    def relabeled_clone(self, change_map):
        return _ProductCondition(self.template, self.params, change_map.get(self.alias, self.alias))

    def resolve_expression(self, *args, **kwargs):
        return self

    def get_group_by_cols(self):
        return []

    def as_sql(self, compiler, connection):
        return self.template.replace(
            "{p}", compiler.quote_name_unless_alias(self.alias)
        ), self.params

    def __eq__(self, other):
        return isinstance(other, _ProductCondition) and (
            self.template,
            self.params,
            self.alias,
        ) == (other.template, other.params, other.alias)

    def __hash__(self):
        return hash((self.template, self.params, self.alias))


def _read_model_condition(criteria: SearchCriteria) -> _ProductCondition:
    """The search's filters and availability as one condition over the read model: a product
    day with room for the party (`remaining >= need`) for experiences and services, today's
    slots asked of the slots (started ones do not count), a place on the arrival day and then
    the exact unit-type check for stays, the stock row for goods."""
    pax, today = criteria.pax, timezone.localdate()
    first_day = max(criteria.start, today + timedelta(days=1))
    has_today = criteria.start <= today <= criteria.end
    template = _condition_template(
        comune=bool(criteria.comune),
        kind=criteria.kind or None,
        theme=bool(criteria.theme),
        language=bool(criteria.language),
        min_price=criteria.min_price is not None,
        max_price=criteria.max_price is not None,
        today=has_today,
        children=bool(pax.children),
        text=bool(criteria.q),
    )
    values = _sql_values(criteria) | {"first_day": first_day, "today": today}
    if criteria.q:  # as `icontains`: the text's own % and _ match themselves
        values["text"] = f"%{connection.ops.prep_for_like_query(criteria.q.strip())}%"
    sql, names = template
    return _ProductCondition(sql, tuple(values[name] for name in names))


def _sql_values(criteria: SearchCriteria) -> dict:
    """The values the search's SQL templates name."""
    pax = criteria.pax
    return {
        "comune": criteria.comune,
        "kind": criteria.kind,
        "theme": criteria.theme,
        "language": criteria.language,
        "min_price": criteria.min_price,
        "max_price": criteria.max_price,
        "seats": pax.seats,
        "seats1": max(pax.seats, 1),
        "end": criteria.end,
        "now": timezone.now(),
        "start": criteria.start,
        "check_out": criteria.check_out,
        "nights": criteria.nights,
        "children": pax.children,
    }


# Every EXISTS of the search ends with OFFSET 0, which keeps PostgreSQL from turning it into a
# "hashed SubPlan": that computes the subquery once for the whole catalogue (every unit type,
# every stock row, every product of a theme) before the first product is tested, so its cost
# grows with the catalogue. Asked per product, it costs an index probe for each product the
# page's walk (in title order, LIMIT page + 1) visits.
PER_ROW = " OFFSET 0"


@functools.lru_cache(maxsize=256)
def _condition_template(
    *, comune, kind, theme, language, min_price, max_price, today, children, text=False
) -> tuple[str, tuple[str, ...]]:
    """(SQL, names of its parameters in order) of one query shape, built once."""
    names: list[str] = []

    def param(name: str) -> str:
        names.append(name)
        return "%s"

    def need() -> str:  # places a party takes: seats, or units for per-unit services
        return (
            "(CASE WHEN {p}.pricing_unit = 'per_unit' AND {p}.max_pax > 0 THEN "
            f"({param('seats1')} + {{p}}.max_pax - 1) / {{p}}.max_pax ELSE {param('seats1')} END)"
        )

    parts = ["{p}.price_from IS NOT NULL"]
    if comune:
        parts.append(  # one value (istat_code is unique): the walk of the comune's index
            f"{{p}}.comune_id = (SELECT id FROM places_comune WHERE istat_code = {param('comune')})"
        )
    if kind:
        parts.append(f"{{p}}.kind = {param('kind')}")
    if text:  # the free text, before any subquery: it is the most selective filter
        columns = ("title_it", "title_en", "summary_it", "summary_en")
        matches = [f"UPPER({{p}}.{c}::text) LIKE UPPER({param('text')})" for c in columns]
        matches.append(
            "{p}.comune_id IN (SELECT id FROM places_comune "
            f"WHERE UPPER(name::text) LIKE UPPER({param('text')}))"
        )
        parts.append(" OR ".join(matches))
    # theme and language: asked per product the walk visits (see PER_ROW)
    if theme:
        through = Product.themes.through._meta.db_table
        parts.append(
            f"EXISTS (SELECT 1 FROM {through} pt JOIN operators_theme t ON t.id = pt.theme_id "
            f"WHERE pt.product_id = {{p}}.id AND t.slug = {param('theme')}{PER_ROW})"
        )
    if language:
        through = Product.languages.through._meta.db_table
        parts.append(
            f"EXISTS (SELECT 1 FROM {through} pl "
            "JOIN operators_language l ON l.id = pl.language_id "
            f"WHERE pl.product_id = {{p}}.id AND l.code = {param('language')}{PER_ROW})"
        )
    if min_price:
        parts.append(f"{{p}}.price_from >= {param('min_price')}")
    if max_price:
        parts.append(f"{{p}}.price_from <= {param('max_price')}")

    kinds = []
    if kind in (None, ProductKind.EXPERIENCE, ProductKind.SERVICE):
        party_fits = (
            "{p}.pricing_unit = 'per_unit' OR "
            f"{{p}}.min_pax <= {param('seats')} AND ({{p}}.max_pax IS NULL OR "
            f"{{p}}.max_pax >= {param('seats')})"
        )
        days = (
            "EXISTS (SELECT 1 FROM operators_productday d WHERE d.product_id = {p}.id "
            f"AND d.date >= {param('first_day')} AND d.date <= {param('end')} "
            f"AND d.remaining >= {need()}{PER_ROW})"
        )
        if today:
            days += (
                " OR EXISTS (SELECT 1 FROM operators_slot s WHERE s.product_id = {p}.id "
                f"AND s.date = {param('today')} AND s.status = 'open' "
                f"AND s.starts_at > {param('now')} "
                f"AND s.capacity >= s.sold + s.held + {need()}{PER_ROW})"
            )
        of_kind = "" if kind else "{p}.kind IN ('experience', 'service') AND "
        kinds.append(f"{of_kind}({party_fits}) AND ({days})")
    if kind in (None, ProductKind.ACCOMMODATION):
        arrival = (
            "EXISTS (SELECT 1 FROM operators_productday d WHERE d.product_id = {p}.id "
            f"AND d.date = {param('start')}{PER_ROW})"
        )
        of_kind = "" if kind else "{p}.kind = 'accommodation' AND "
        kinds.append(
            f"{of_kind}{arrival} AND EXISTS (SELECT 1 FROM "
            "operators_unittype u WHERE u.product_id = {p}.id AND "
            f"{_unit_type_check(param, children=children)}{PER_ROW})"
        )
    if kind in (None, ProductKind.GOODS):
        of_kind = "" if kind else "{p}.kind = 'goods' AND "
        kinds.append(
            f"{of_kind}EXISTS (SELECT 1 FROM operators_goodsstock g "
            f"WHERE g.product_id = {{p}}.id AND g.quantity > g.sold + g.held{PER_ROW})"
        )
    parts.append("(" + " OR ".join(f"({k})" for k in kinds) + ")" if kinds else "FALSE")
    return " AND ".join(f"({part})" for part in parts), tuple(names)


def _units_sql(param) -> str:
    """Units of the unit type `u` the party needs (as `_units_needed`)."""
    return (
        f"(CASE WHEN u.max_occupancy > 0 THEN ({param('seats1')} + u.max_occupancy - 1) "
        f"/ u.max_occupancy ELSE {param('seats1')} END)"
    )


def _partner_bookable(criteria: SearchCriteria, extra: PartnerPlaces, party_fits: Q) -> Q:
    """Products bookable for a trade partner once its own allotment places count as free."""
    slots = (
        _bookable_slots(criteria, OuterRef("pk"))
        .filter(pk__in=list(extra.slots))
        .filter(
            capacity__gte=F("sold") + F("held") + OuterRef("need") - extra_places_expr(extra.slots)
        )
    )
    stays = bookable_unit_types(criteria, product_ref=OuterRef("pk"), extra_nights=extra.nights)
    return Q(pk__in=list(extra.products)) & (
        Q(kind__in=SLOT_KINDS) & party_fits & Q(Exists(slots))
        | Q(kind=ProductKind.ACCOMMODATION) & Q(Exists(stays))
    )


def _unit_type_check(param, *, children: bool) -> str:
    """SQL of `bookable_unit_types` on the unit type `u`: every night open with enough units,
    arrival allowed with the minimum stay met, departure allowed, children fit. The open
    nights are counted with `>=`: a unit type has one row a night, so it means `=`, and it keeps
    the planner's estimate sane (with `=` it expects almost no match and sorts every stay)."""
    open_nights = (
        "(SELECT COUNT(*) FROM operators_nightinventory n WHERE n.unit_type_id = u.id "
        f"AND n.date >= {param('start')} AND n.date < {param('check_out')} AND NOT n.closed "
        f"AND n.units >= n.sold + n.held + {_units_sql(param)}) >= {param('nights')}"
    )
    arrival_ok = (
        "EXISTS (SELECT 1 FROM operators_nightinventory n WHERE n.unit_type_id = u.id "
        f"AND n.date = {param('start')} AND NOT n.closed_to_arrival "
        f"AND (n.min_stay <= {param('nights')} OR n.min_stay IS NULL "
        f"AND u.min_stay <= {param('nights')}){PER_ROW})"
    )
    departure_closed = (
        "EXISTS (SELECT 1 FROM operators_nightinventory n WHERE n.unit_type_id = u.id "
        f"AND n.date = {param('check_out')} AND n.closed_to_departure{PER_ROW})"
    )
    fits = f" AND {param('children')} <= u.max_children * {_units_sql(param)}" if children else ""
    return f"{open_nights} AND {arrival_ok} AND NOT {departure_closed}{fits}"


@dataclass
class SlotOption:
    slot: Slot
    available: int
    units: int
    quote: PriceQuote


@dataclass
class StayOption:
    unit_type: UnitType
    units: int
    available: int
    quote: PriceQuote


@dataclass
class ProductAvailability:
    product: Product
    slots: list[SlotOption] = field(default_factory=list)
    stays: list[StayOption] = field(default_factory=list)
    stock_available: int | None = None
    goods_quote: PriceQuote | None = None

    @property
    def options(self) -> list:
        return self.slots or self.stays or ([self.goods_quote] if self.goods_quote else [])

    @property
    def best_price(self) -> Decimal | None:
        quotes = [o.quote for o in self.slots + self.stays] + (
            [self.goods_quote] if self.goods_quote else []
        )
        return min((q.retail_total for q in quotes), default=None)


def availability_options(
    products: list[Product], *, criteria: SearchCriteria, organisation=None
) -> list[ProductAvailability]:
    """The bookable slots, stays or stock of a page of products, priced for the pax mix.
    A fixed number of queries whatever the page holds. A trade partner `organisation` also
    gets its own allotment places (operators.partner_places)."""
    pax = criteria.pax
    extra = partner_places(organisation, start=criteria.start, end=criteria.check_out)
    extra = extra or PartnerPlaces()
    ids = [p.pk for p in products]
    slot_ids = [p.pk for p in products if p.kind in SLOT_KINDS]
    stay_ids = [p.pk for p in products if p.kind == ProductKind.ACCOMMODATION]
    if readmodel.enabled() and not extra:
        rows = _page_rows_sql(criteria, ids, slot_ids, stay_ids)
    else:
        rows = _page_rows_orm(criteria, ids, slot_ids, stay_ids, extra=extra)
    rates, slots_by_product, unit_types_by_product, nights_by_unit = rows
    for product in products:
        product._prefetched_objects_cache = {
            **getattr(product, "_prefetched_objects_cache", {}),
            "rates": rates[product.pk],
        }

    results = []
    for product in products:
        result = ProductAvailability(product=product)
        if product.kind in SLOT_KINDS:
            need = getattr(product, "need", None) or _need_for(product, pax)
            day_quotes: dict[date, PriceQuote | None] = {}
            for slot in slots_by_product[product.pk]:
                available = slot.available + extra.slot(slot.pk)
                if available < need:
                    continue
                if slot.date not in day_quotes:
                    try:
                        day_quotes[slot.date] = price_slot_product(
                            product, day=slot.date, pax=pax, units=need
                        )
                    except NoRate:
                        day_quotes[slot.date] = None
                quote = day_quotes[slot.date]
                if quote is not None:
                    result.slots.append(SlotOption(slot, available, need, quote))
        elif product.kind == ProductKind.ACCOMMODATION:
            for unit_type in unit_types_by_product[product.pk]:
                unit_type.product = product
                nights = nights_by_unit[unit_type.pk]
                try:
                    quote = price_stay(
                        unit_type,
                        check_in=criteria.start,
                        check_out=criteria.check_out,
                        units=unit_type.need,
                        pax=pax,
                        nights_by_date=nights,
                    )
                except NoRate:
                    continue
                available = min(
                    (n.available + extra.night(n.pk) for n in nights.values()), default=0
                )
                result.stays.append(StayOption(unit_type, unit_type.need, available, quote))
        else:
            stock = getattr(product, "stock", None)
            result.stock_available = stock.available if stock else 0
            try:
                result.goods_quote = price_goods(product, quantity=1, day=criteria.start)
            except NoRate:
                result.goods_quote = None
        if result.options:
            results.append(result)
    return results


def _page_rows_orm(criteria: SearchCriteria, ids, slot_ids, stay_ids, extra=None):
    """(rates, slots, bookable unit types by product, nights by unit type) of a page; `extra`:
    a trade partner's own allotment places, free for it."""
    extra = extra or PartnerPlaces()
    rates: dict[int, list[Rate]] = {pk: [] for pk in ids}
    for rate in Rate.objects.filter(product_id__in=ids).select_related("season").order_by("pk"):
        rates[rate.product_id].append(rate)
    slots_by_product: dict[int, list[Slot]] = {pk: [] for pk in slot_ids}
    if slot_ids:
        for slot in (
            _bookable_slots(criteria, None)
            .filter(product_id__in=slot_ids)
            .filter(Q(capacity__gt=F("sold") + F("held")) | Q(pk__in=list(extra.slots)))
            .order_by("starts_at", "pk")
        ):
            slots_by_product[slot.product_id].append(slot)
    unit_types_by_product: dict[int, list[UnitType]] = {pk: [] for pk in stay_ids}
    nights_by_unit: dict[int, dict] = {}
    if stay_ids:
        unit_types = list(
            bookable_unit_types(criteria, extra_nights=extra.nights)
            .filter(product_id__in=stay_ids)
            .order_by("pk")
        )
        for unit_type in unit_types:
            unit_types_by_product[unit_type.product_id].append(unit_type)
            nights_by_unit[unit_type.pk] = {}
        for night in NightInventory.objects.filter(
            unit_type_id__in=list(nights_by_unit),
            date__gte=criteria.start,
            date__lt=criteria.check_out,
        ):
            nights_by_unit[night.unit_type_id][night.date] = night
    return rates, slots_by_product, unit_types_by_product, nights_by_unit


def _columns(model, alias: str) -> tuple[list[str], str]:
    names = [f.attname for f in model._meta.concrete_fields]
    return names, ", ".join(f"{alias}.{model._meta.get_field(n).column}" for n in names)


@functools.cache
def _page_sql(children: bool) -> dict:
    """The page's queries on PostgreSQL, written once: plain SQL whose rows become model
    objects directly (no queryset to build and compile for each search)."""
    rate_names, rate_cols = _columns(Rate, "r")
    season_names, season_cols = _columns(Season, "s")
    slot_names, slot_cols = _columns(Slot, "s")
    unit_names, unit_cols = _columns(UnitType, "u")
    night_names, night_cols = _columns(NightInventory, "n")
    names: list[str] = []

    def param(name: str) -> str:
        names.append(name)
        return "%s"

    units = f"{_units_sql(param)} AS need"  # the parameters in the order of the SQL
    ids = param("ids")
    check = _unit_type_check(param, children=children)
    unit_params = tuple(names)
    return {
        "rates": (
            f"SELECT {rate_cols}, {season_cols} FROM operators_rate r "
            "LEFT JOIN operators_season s ON s.id = r.season_id "
            "WHERE r.product_id = ANY(%s) ORDER BY r.id",
            rate_names,
            season_names,
        ),
        "slots": (
            f"SELECT {slot_cols} FROM operators_slot s WHERE s.product_id = ANY(%s) "
            "AND s.date >= %s AND s.date <= %s AND s.status = 'open' AND s.starts_at > %s "
            "AND s.capacity > s.sold + s.held ORDER BY s.starts_at, s.id",
            slot_names,
        ),
        "unit_types": (
            f"SELECT {unit_cols}, {units} FROM operators_unittype u "
            f"WHERE u.product_id = ANY({ids}) AND {check} ORDER BY u.id",
            unit_names,
            unit_params,
        ),
        "nights": (
            f"SELECT {night_cols} FROM operators_nightinventory n "
            "WHERE n.unit_type_id = ANY(%s) AND n.date >= %s AND n.date < %s",
            night_names,
        ),
    }


def _instances(model, db: str, names: list[str], rows) -> list:
    """Model objects from full rows of plain, untranslated models (slots, rates, seasons,
    nights), as `Model.from_db` makes them without running `__init__` field by field: a page
    holds a couple of hundred slots, and their construction was a large part of a search."""
    new = model.__new__
    objects = []
    for row in rows:
        obj = new(model)
        obj.__dict__.update(zip(names, row, strict=True))
        obj._state = ModelState()
        obj._state.adding, obj._state.db = False, db
        objects.append(obj)
    return objects


def _page_rows_sql(criteria: SearchCriteria, ids, slot_ids, stay_ids):
    """`_page_rows_orm` on PostgreSQL, from the SQL of `_page_sql`."""
    queries = _page_sql(bool(criteria.pax.children))
    db = connection.alias
    set_season = Rate.season.field.set_cached_value
    rates: dict[int, list[Rate]] = {pk: [] for pk in ids}
    slots_by_product: dict[int, list[Slot]] = {pk: [] for pk in slot_ids}
    unit_types_by_product: dict[int, list[UnitType]] = {pk: [] for pk in stay_ids}
    nights_by_unit: dict[int, dict] = {}
    with connection.cursor() as cursor:
        sql, rate_names, season_names = queries["rates"]
        cursor.execute(sql, [ids])
        n = len(rate_names)
        rows = cursor.fetchall()
        for rate, row in zip(
            _instances(Rate, db, rate_names, (r[:n] for r in rows)), rows, strict=True
        ):
            season = _instances(Season, db, season_names, [row[n:]])[0] if rate.season_id else None
            set_season(rate, season)
            rates[rate.product_id].append(rate)
        if slot_ids:
            sql, slot_names = queries["slots"]
            cursor.execute(sql, [slot_ids, criteria.start, criteria.end, timezone.now()])
            for slot in _instances(Slot, db, slot_names, cursor.fetchall()):
                slots_by_product[slot.product_id].append(slot)
        if stay_ids:
            sql, unit_names, unit_params = queries["unit_types"]
            values = _sql_values(criteria) | {"ids": stay_ids}
            cursor.execute(sql, [values[name] for name in unit_params])
            for row in cursor.fetchall():
                unit_type = UnitType.from_db(db, unit_names, row[:-1])
                unit_type.need = row[-1]
                unit_types_by_product[unit_type.product_id].append(unit_type)
                nights_by_unit[unit_type.pk] = {}
            if nights_by_unit:
                sql, night_names = queries["nights"]
                cursor.execute(sql, [list(nights_by_unit), criteria.start, criteria.check_out])
                for night in _instances(NightInventory, db, night_names, cursor.fetchall()):
                    nights_by_unit[night.unit_type_id][night.date] = night
    return rates, slots_by_product, unit_types_by_product, nights_by_unit


def _need_for(product: Product, pax: PaxMix) -> int:
    seats = max(pax.seats, 1)
    if product.pricing_unit == PricingUnit.PER_UNIT and product.max_pax:
        return -(-seats // product.max_pax)
    return seats


@dataclass
class SearchPage:
    rows: list
    total: int  # exact unless `at_least`
    at_least: bool  # more than `total` match: the page is full and another one follows
    has_more: bool  # another page follows


def search_page(queryset: QuerySet, *, limit: int, offset: int) -> SearchPage:
    """A page of a search, ids first: the first query decides which products (no joins, no
    count: it stops at limit + 1 matches in the order asked), the second loads those products
    with what the page shows. Nothing is counted beyond the page: a full page followed by
    another says "more than offset + limit", so no search tests the rest of the catalogue to
    print a number (its cost would follow the catalogue, not the page)."""
    ids = list(queryset.values_list("pk", flat=True)[offset : offset + limit + 1])
    has_more = len(ids) > limit
    ids = ids[:limit]
    if has_more:
        total, at_least = offset + limit, True
    elif ids or not offset:
        total, at_least = offset + len(ids), False
    else:  # past the last page: fewer than `offset` match, counted exactly (at most `offset`)
        total, at_least = queryset.order_by().values("pk")[:offset].count(), False
    by_id = {product.pk: product for product in _page_products(queryset, ids)} if ids else {}
    rows = [by_id[pk] for pk in ids if pk in by_id]
    return SearchPage(rows=rows, total=total, at_least=at_least, has_more=has_more)


def _page_products(queryset: QuerySet[Product], ids: list[int]) -> list[Product]:
    """The products of a page by id, with what the search's queryset loads (related rows,
    deferred texts) and its "from" price, without compiling its filters a second time."""
    page = Product.objects.filter(pk__in=ids)
    page.query.select_related = queryset.query.select_related
    page.query.deferred_loading = queryset.query.deferred_loading
    if not readmodel.enabled():
        return list(page.annotate(from_price=_from_price()))
    products = list(page)
    for product in products:
        product.from_price = product.price_from
    return products


def counted_page(queryset: QuerySet, *, limit: int, offset: int) -> tuple[int, list]:
    """(total, rows) of `search_page`, for callers that only need those."""
    page = search_page(queryset, limit=limit, offset=offset)
    return page.total, page.rows


def availability_search_page(
    *, criteria: SearchCriteria, organisation=None, limit: int = 20, offset: int = 0
) -> tuple[int, list[ProductAvailability]]:
    """The search as one call: (how many products match, the priced page)."""
    queryset = availability_search(criteria=criteria, organisation=organisation)
    total, page = counted_page(queryset, limit=limit, offset=offset)
    return total, availability_options(page, criteria=criteria, organisation=organisation)


# --- Extranet and curation desk -------------------------------------------------------------


def operator_dashboard(*, organisation) -> dict:
    today = timezone.localdate()
    products = Product.objects.filter(organisation=organisation)
    by_status = dict(
        products.order_by().values_list("status").annotate(n=Count("pk")).values_list("status", "n")
    )
    upcoming = Slot.objects.filter(
        product__organisation=organisation, date__gte=today, date__lte=today + timedelta(days=7)
    ).aggregate(
        slots=Count("pk"),
        capacity=Coalesce(Sum("capacity"), 0),
        sold=Coalesce(Sum("sold"), 0),
        held=Coalesce(Sum("held"), 0),
    )
    nights = NightInventory.objects.filter(
        unit_type__product__organisation=organisation,
        date__gte=today,
        date__lte=today + timedelta(days=7),
    ).aggregate(units=Coalesce(Sum("units"), 0), sold=Coalesce(Sum("sold"), 0))
    return {
        "by_status": {s: by_status.get(s, 0) for s in ProductStatus.values},
        "upcoming": upcoming,
        "nights": nights,
        "rejected": products.filter(status=ProductStatus.REJECTED).only(
            "pk", "title", "title_it", "title_en", "rejection_reason", "status"
        ),
    }


def curation_queue() -> QuerySet[Product]:
    """Listings waiting for the DMC: submitted first (oldest first), then approved."""
    return (
        Product.objects.filter(status__in=[ProductStatus.SUBMITTED, ProductStatus.APPROVED])
        .select_related("organisation", "comune")
        .annotate(
            from_price=_from_price(),
            photo_count=Count("photos", distinct=True),
            rate_count=Count("rates", distinct=True),
        )
        .order_by(
            Case(When(status=ProductStatus.SUBMITTED, then=0), default=1), "submitted_at", "pk"
        )
    )


def curation_history(product: Product) -> QuerySet[CurationEvent]:
    return product.curation_events.select_related("actor").order_by("-created_at", "-pk")


def catalogue_overview() -> dict:
    """Counts of listings by comune x kind, by theme, and each operator's onboarding."""
    from accounts.models import Organisation, OrganisationKind

    published = Product.objects.filter(status=ProductStatus.PUBLISHED)
    by_comune = {}
    for row in (
        published.order_by()
        .values("comune__name", "kind")
        .annotate(n=Count("pk"))
        .order_by("comune__name", "kind")
    ):
        by_comune.setdefault(row["comune__name"], dict.fromkeys(ProductKind.values, 0))
        by_comune[row["comune__name"]][row["kind"]] = row["n"]
    by_theme = list(
        Product.themes.through.objects.filter(product__status=ProductStatus.PUBLISHED)
        .values("theme__slug", "theme__name")
        .annotate(n=Count("pk"))
        .order_by("-n", "theme__slug")
    )
    operators = (
        Organisation.objects.filter(kind=OrganisationKind.OPERATOR)
        .select_related("comune", "operator_contract")
        .annotate(
            n_products=Count("products", distinct=True),
            n_published=Count(
                "products", filter=Q(products__status=ProductStatus.PUBLISHED), distinct=True
            ),
            n_waiting=Count(
                "products", filter=Q(products__status=ProductStatus.SUBMITTED), distinct=True
            ),
            n_members=Count("memberships", distinct=True),
        )
        .order_by("name")
    )
    return {"by_comune": by_comune, "by_theme": by_theme, "operators": operators}


def onboarding_steps(organisation) -> list[tuple[str, bool]]:
    """What an operator still has to do before selling (shown on the desk and dashboard)."""
    from django.utils.translation import gettext as _

    contract = getattr(organisation, "operator_contract", None)
    n_products = getattr(organisation, "n_products", None)
    n_published = getattr(organisation, "n_published", None)
    return [
        (_("Fiscal data"), bool(organisation.partita_iva or organisation.vat_number)),
        (_("Payout IBAN"), bool(organisation.iban)),
        (_("Contract"), contract is not None),
        (
            _("First listing"),
            bool(n_products if n_products is not None else organisation.products.exists()),
        ),
        (
            _("On sale"),
            bool(
                n_published
                if n_published is not None
                else organisation.products.filter(status=ProductStatus.PUBLISHED).exists()
            ),
        ),
    ]


@dataclass
class CalendarDay:
    day: date
    in_month: bool
    slots: list = field(default_factory=list)
    night: NightInventory | None = None
    #: The price of one unit for this night: the night's override, else the unit rate.
    price: Decimal | None = None
    overridden: bool = False


def month_grid(*, product: Product, year: int, month: int, unit_type: UnitType | None = None):
    """Weeks (Monday first) of CalendarDay with the month's slots or one unit type's nights."""
    cal = calendar.Calendar(firstweekday=0)
    weeks = cal.monthdatescalendar(year, month)
    first, last = weeks[0][0], weeks[-1][-1]
    slots_by_day: dict[date, list] = {}
    nights_by_day: dict[date, NightInventory] = {}
    if product.uses_slots:
        for slot in Slot.objects.filter(product=product, date__gte=first, date__lte=last).order_by(
            "starts_at"
        ):
            slots_by_day.setdefault(slot.date, []).append(slot)
    elif unit_type is not None:
        for night in NightInventory.objects.filter(
            unit_type=unit_type, date__gte=first, date__lte=last
        ):
            nights_by_day[night.date] = night
    unit_rates = (
        list(
            Rate.objects.filter(
                product=product, unit_type=unit_type, pax_category=PaxCategory.UNIT
            ).select_related("season")
        )
        if unit_type is not None
        else []
    )

    def day_of(d: date) -> CalendarDay:
        night = nights_by_day.get(d)
        cell = CalendarDay(
            day=d, in_month=d.month == month, slots=slots_by_day.get(d, []), night=night
        )
        if night is not None and night.price_override is not None:
            cell.price, cell.overridden = night.price_override, True
        elif night is not None:
            rate = _rate_for(
                unit_rates,
                category=PaxCategory.UNIT,
                day=d,
                group=1,
                unit_type_id=unit_type.pk,
            )
            cell.price = rate.retail_price if rate else None
        return cell

    return [[day_of(d) for d in week] for week in weeks]


def feed_slots(*, product: Product, days: int | None = None) -> QuerySet[Slot]:
    """The feed's slots: the last month and everything open up to the booking horizon."""
    today = timezone.localdate()
    return Slot.objects.filter(
        product=product,
        date__gte=today - timedelta(days=30),
        date__lte=today + timedelta(days=days or horizon_days()),
    ).order_by("starts_at")


def first_photos() -> Prefetch:
    return Prefetch("photos", queryset=ProductPhoto.objects.order_by("position", "pk"))
