"""What a trade partner pays: the one pricing function every partner-facing channel uses
(trade portal, REST API, OCTO, invoices). The DMC's purchase price from operators (the net)
may be an input of a partner's price but is never part of what this module returns to show.

Rules live in the partner's contract (trade.models): a commission on the public price, a net
rate as a discount on the public price, or a net rate as a markup on the purchase price
(capped at the public price). Which rule applies:
1. the contract version in force on `as_of` (the day the booking is priced; default today):
   the latest valid_from not after it, not past its valid_until; no version: public price;
2. among that version's rules valid on the service `day` and matching the partner's market:
   a product or package rule beats a product-kind rule beats a rule for everything; then a
   rule naming the market beats one for all markets; then a rule with its own dates beats one
   without; then the newest rule. No matching rule: public price.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.utils import timezone

from operators.pricing import PriceLine, PriceQuote, money, price_product

ZERO = Decimal("0")
PUBLIC = "public"


@dataclass(frozen=True)
class PartnerPrice:
    public: Decimal  # the public (retail) price
    amount: Decimal  # what the partner pays
    basis: str  # "public", "commission" or "net_rate"
    rule_id: int | None = None


@dataclass
class PartnerPriceLine(PriceLine):
    unit_public: Decimal = ZERO
    basis: str = PUBLIC
    rule_id: int | None = None


@dataclass
class PartnerQuote(PriceQuote):
    """A product's price for a partner: lines' unit_retail is what the partner pays."""

    public_total: Decimal = ZERO
    version_id: int | None = None
    rule_ids: list[int] = field(default_factory=list)
    basis: str = PUBLIC

    def as_dict(self) -> dict:
        data = super().as_dict()
        data["public_total"] = str(self.public_total)
        for row, line in zip(data["lines"], self.lines, strict=True):
            row["unit_public"] = str(getattr(line, "unit_public", line.unit_retail))
        return data

    @property
    def terms(self) -> dict:
        """What the booking line freezes: the contract version and rules it was priced with."""
        return {"basis": self.basis, "version": self.version_id, "rules": self.rule_ids}


# --- loading the contract -------------------------------------------------------------------


@dataclass
class Terms:
    """A partner's contract version in force, loaded once for many prices."""

    version_id: int | None
    rules: list
    market: str

    def rule_for(
        self, *, kind: str, day: date, product_id=None, package_id=None, market=None
    ) -> object | None:
        market = (market or self.market or "").upper()
        best, best_key = None, None
        for rule in self.rules:
            if rule.product_id is not None and rule.product_id != product_id:
                continue
            if rule.package_id is not None and rule.package_id != package_id:
                continue
            named = rule.product_id is not None or rule.package_id is not None
            if not named and rule.scope and rule.scope != kind:
                continue
            markets = rule.market_list
            if markets and market not in markets:
                continue
            if rule.valid_from and day < rule.valid_from:
                continue
            if rule.valid_until and day > rule.valid_until:
                continue
            specificity = 3 if (rule.product_id or rule.package_id) else 2 if rule.scope else 1
            key = (
                specificity,
                bool(markets),
                bool(rule.valid_from or rule.valid_until),
                rule.pk,
            )
            if best_key is None or key > best_key:
                best, best_key = rule, key
        return best


_UNSET = object()  # "terms not given": None means "no contract terms" (public price)


def _is_partner(organisation) -> bool:
    return organisation is not None and getattr(organisation, "kind", None) == "trade"


def terms_for(organisation, *, as_of: date | None = None) -> Terms | None:
    """The partner's contract version in force on `as_of` with its rules (two queries), or
    None for a buyer that is not a trade partner or has no version in force."""
    if not _is_partner(organisation):
        return None
    from .models import ContractVersion

    as_of = as_of or timezone.localdate()
    version = (
        ContractVersion.objects.filter(
            contract__organisation_id=organisation.pk, valid_from__lte=as_of
        )
        .order_by("-valid_from")
        .first()
    )
    if version is None or not version.in_force(as_of):
        return None
    return Terms(version.pk, list(version.rules.all()), organisation.country or "")


def _terms_by_version(organisation, version_id: int) -> Terms | None:
    from .models import ContractVersion

    version = ContractVersion.objects.filter(
        pk=version_id, contract__organisation_id=organisation.pk
    ).first()
    if version is None:
        return None
    return Terms(version.pk, list(version.rules.all()), organisation.country or "")


def _apply(rule, *, retail: Decimal, net: Decimal) -> tuple[Decimal, str]:
    from .models import RuleBasis

    retail = Decimal(retail)
    if rule is None:
        return money(retail), PUBLIC
    percent = Decimal(rule.percent)
    if rule.basis == RuleBasis.MARKUP:
        if net is None or Decimal(net) <= 0:  # no purchase price: the public price
            return money(retail), PUBLIC
        return min(money(Decimal(net) * (100 + percent) / 100), money(retail)), "net_rate"
    amount = money(retail * (100 - percent) / 100)
    return amount, "commission" if rule.basis == RuleBasis.COMMISSION else "net_rate"


def _price_with(
    terms: Terms | None, *, retail, net, kind, day, product_id=None, package_id=None, market=None
) -> PartnerPrice:
    if terms is None:
        return PartnerPrice(public=money(retail), amount=money(retail), basis=PUBLIC)
    rule = terms.rule_for(
        kind=kind, day=day, product_id=product_id, package_id=package_id, market=market
    )
    amount, basis = _apply(rule, retail=retail, net=net)
    return PartnerPrice(
        public=money(retail),
        amount=amount,
        basis=basis,
        rule_id=rule.pk if rule is not None and basis != PUBLIC else None,
    )


# --- the interface --------------------------------------------------------------------------


def partner_price(
    organisation,
    *,
    retail: Decimal,
    net: Decimal,
    kind: str,
    day: date,
    product_id: int | None = None,
    package_id: int | None = None,
    market: str | None = None,
    as_of: date | None = None,
    terms=_UNSET,
) -> PartnerPrice:
    """The price `organisation` pays for something whose public price is `retail` and whose
    purchase price is `net`, under its contract (the version in force on `as_of`, default
    today; the rule valid on the service `day`). Not a partner: the public price. A caller
    pricing many things passes the `terms` it loaded once with `terms_for`."""
    return _price_with(
        terms_for(organisation, as_of=as_of) if terms is _UNSET else terms,
        retail=retail,
        net=net,
        kind=kind,
        day=day,
        product_id=product_id,
        package_id=package_id,
        market=market,
    )


def price_product_for(organisation, product, **kwargs) -> PriceQuote:
    """`operators.pricing.price_product` as `organisation` pays it: each line's unit retail is
    the partner's unit price (None organisation: the public price). Extra keywords: `as_of`
    (the day the contract version is chosen), `contract_version` (a version id to price with,
    for amendments of a booking priced with it), `market`, `terms` (loaded once with
    `terms_for` by a caller pricing many products)."""
    as_of = kwargs.pop("as_of", None)
    version_id = kwargs.pop("contract_version", None)
    market = kwargs.pop("market", None)
    loaded = kwargs.pop("terms", _UNSET)
    quote = price_product(product, **kwargs)
    if not _is_partner(organisation):
        return quote
    if loaded is not _UNSET:
        return reprice_quote(loaded, quote, product=product, day=kwargs.get("day"), market=market)
    terms = None
    if version_id:
        terms = _terms_by_version(organisation, version_id)
    if terms is None:
        terms = terms_for(organisation, as_of=as_of)
    return reprice_quote(terms, quote, product=product, day=kwargs.get("day"), market=market)


def reprice_quote(terms: Terms | None, quote: PriceQuote, *, product, day, market=None):
    lines, rule_ids, bases = [], [], set()
    for line in quote.lines:
        price = _price_with(
            terms,
            retail=line.unit_retail,
            net=line.unit_net,
            kind=product.kind,
            day=line.date or day,
            product_id=product.pk,
            market=market,
        )
        lines.append(
            PartnerPriceLine(
                category=line.category,
                label=line.label,
                quantity=line.quantity,
                unit_retail=price.amount,
                unit_net=line.unit_net,
                date=line.date,
                unit_public=line.unit_retail,
                basis=price.basis,
                rule_id=price.rule_id,
            )
        )
        bases.add(price.basis)
        if price.rule_id and price.rule_id not in rule_ids:
            rule_ids.append(price.rule_id)
    if len(bases) > 1:
        bases.discard(PUBLIC)
    return PartnerQuote(
        product_id=quote.product_id,
        vat_rate=quote.vat_rate,
        lines=lines,
        free_places=quote.free_places,
        public_total=quote.retail_total,
        version_id=terms.version_id if terms else None,
        rule_ids=rule_ids,
        basis=sorted(bases)[0] if bases else PUBLIC,
    )


def partner_package_quote(
    organisation, quote, *, as_of=None, contract_version=None, terms: Terms | None = None
):
    """A package quote (packages.quotes.PackageQuote) as `organisation` pays it: the total,
    the price per person and the components' amounts (which add up to the partner's total).
    The quote gets `public_total` and `partner_terms`; not a partner: returned unchanged."""
    if not _is_partner(organisation):
        quote.public_total = quote.retail_total
        quote.partner_terms = {}
        return quote
    if terms is None and contract_version:
        terms = _terms_by_version(organisation, contract_version)
    terms = terms or terms_for(organisation, as_of=as_of)
    price = _price_with(
        terms,
        retail=quote.retail_total,
        net=quote.net_total,
        kind="package",
        day=quote.start_date,
        package_id=quote.package_id,
    )
    priced = copy.copy(quote)
    priced.lines = [copy.copy(line) for line in quote.lines]
    priced.public_total = quote.retail_total
    priced.partner_terms = {
        "basis": price.basis,
        "version": terms.version_id if terms else None,
        "rules": [price.rule_id] if price.rule_id else [],
    }
    priced.retail_total = price.amount
    paying = max(quote.pax.seats - quote.free_places, 0)
    priced.per_person = money(price.amount / paying) if paying else ZERO
    priced.margin = money(price.amount - quote.net_total)
    priced.margin_vat = (
        money(priced.margin * Decimal("22") / Decimal("122")) if priced.margin > 0 else ZERO
    )
    for line, share in zip(
        priced.lines, split_amount(price.amount, [ln.retail for ln in quote.lines]), strict=True
    ):
        line.retail = share
    priced.components_retail = money(sum((ln.retail for ln in priced.lines), ZERO))
    return priced


def split_amount(total: Decimal, weights: list[Decimal]) -> list[Decimal]:
    """`total` spread over parts in proportion to `weights`, to the cent, adding up exactly
    (the rounding rest on the largest part)."""
    total = money(total)
    if not weights:
        return []
    weight_sum = sum((Decimal(w) for w in weights), ZERO)
    if weight_sum <= 0:
        shares = [ZERO] * len(weights)
        shares[0] = total
        return shares
    shares = [money(total * Decimal(w) / weight_sum) for w in weights]
    largest = max(range(len(weights)), key=lambda i: weights[i])
    shares[largest] += total - sum(shares, ZERO)
    return shares


def reprice_availability(organisation, results: list, *, day=None, terms=_UNSET) -> list:
    """Availability results (operators.selectors.availability_options) priced for a partner,
    in place: every slot, stay and goods quote (one contract load for the page, or the
    `terms` the caller loaded once for its request)."""
    if not _is_partner(organisation):
        return results
    terms = terms_for(organisation) if terms is _UNSET else terms
    cache: dict = {}
    for result in results:
        product = result.product

        def priced(quote, product=product):
            key = id(quote)
            if key not in cache:
                cache[key] = reprice_quote(terms, quote, product=product, day=day)
            return cache[key]

        for option in result.slots:
            option.quote = priced(option.quote)
        for option in result.stays:
            option.quote = priced(option.quote)
        if result.goods_quote is not None:
            result.goods_quote = priced(result.goods_quote)
    return results


def partner_package_repricer(organisation):
    """`reprice` for packages.quotes.package_month_availability: the partner's contract
    loaded once for the month (None for a buyer that is not a partner)."""
    if not _is_partner(organisation):
        return None
    terms = terms_for(organisation)
    if terms is None:  # no contract version in force: public prices
        return None
    return lambda quote: partner_package_quote(organisation, quote, terms=terms)


def partner_rate_prices(organisation, rates, *, kind: str, day=None, terms=_UNSET) -> dict | None:
    """{rate pk: what the partner pays} for a product's price list (operators.Rate rows of
    one product of `kind`), each rate priced on `day` (default today) or its season's first
    day if later. None for a buyer that is not a partner or has no contract in force (public
    prices)."""
    if not _is_partner(organisation):
        return None
    terms = terms_for(organisation) if terms is _UNSET else terms
    if terms is None:
        return None
    day = day or timezone.localdate()
    prices = {}
    for rate in rates:
        season = getattr(rate, "season", None)
        on = max(day, season.start_date) if season is not None else day
        prices[rate.pk] = _price_with(
            terms,
            retail=rate.retail_price,
            net=rate.net_price,
            kind=kind,
            day=on,
            product_id=rate.product_id,
        ).amount
    return prices


def partner_from_prices(organisation, products, *, day=None, terms=_UNSET) -> dict | None:
    """{product pk: the partner's "from" price} for products annotated with their public
    `from_price` (operators.selectors): the same cheapest base rate (adult or per unit, the
    smallest group band) priced under the partner's contract. One query for the rates; None
    for a buyer that is not a partner or has no contract in force (public prices)."""
    from django.db.models import Q

    from operators.models import PaxCategory, Rate

    if not _is_partner(organisation):
        return None
    terms = terms_for(organisation) if terms is _UNSET else terms
    if terms is None:
        return None
    day = day or timezone.localdate()
    products = [p for p in products if getattr(p, "from_price", None) is not None]
    first: dict = {}
    for rate in (
        Rate.objects.filter(product_id__in=[p.pk for p in products])
        .filter(
            Q(pax_category=PaxCategory.UNIT)
            | Q(pax_category=PaxCategory.ADULT, unit_type__isnull=True)
        )
        .order_by("product_id", "min_group", "retail_price", "pk")
        .only("pk", "product_id", "retail_price", "net_price")
    ):
        first.setdefault(rate.product_id, rate)
    prices = {}
    for product in products:
        rate = first.get(product.pk)
        net = (
            rate.net_price if rate is not None and rate.retail_price == product.from_price else None
        )
        prices[product.pk] = _price_with(
            terms,
            retail=product.from_price,
            net=net,
            kind=product.kind,
            day=day,
            product_id=product.pk,
        ).amount
    return prices
