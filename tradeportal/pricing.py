"""A quote line at the partner's price. Every amount comes from `trade.pricing`
(`price_product_for` for products, `partner_price` for packages): this module only decides
which product, dates and pax to ask about and whether the places are there."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from types import SimpleNamespace

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from bookings.services.allotment_hooks import partner_reserved_places
from operators.availability import stay_problem
from operators.models import (
    GoodsStock,
    NightInventory,
    PricingUnit,
    ProductKind,
    ProductStatus,
    SlotStatus,
)
from operators.pricing import PaxMix, money
from trade import pricing as trade_pricing

SLOT_KINDS = (ProductKind.EXPERIENCE, ProductKind.SERVICE)


@dataclass
class LinePrice:
    amount: Decimal
    problem: str = ""


def pax_of(data: dict) -> PaxMix:
    return PaxMix.of(
        adults=data.get("adults", 0) or 0,
        seniors=data.get("seniors", 0) or 0,
        children_ages=data.get("children_ages", []) or [],
        infants=data.get("infants", 0) or 0,
    )


def _messages(exc: ValidationError) -> str:
    return " ".join(exc.messages)


def slot_need(product, pax: PaxMix, units: int) -> int:
    """Places a slot must have: seats, or units for services priced per unit."""
    if product.pricing_unit == PricingUnit.PER_UNIT:
        return max(units, 1)
    return pax.seats


def _nights_free_for(organisation, unit_type, day: date, check_out: date) -> list | None:
    """The stay's nights with the partner's own allotment places counted as free (as the
    booking engine counts them), or None when it has none there (stay_problem reads them)."""
    request = SimpleNamespace(unit_type=unit_type, day=day, check_out=check_out)
    own = partner_reserved_places(organisation=organisation, requests=[request])
    if not own:
        return None
    nights = list(
        NightInventory.objects.filter(unit_type=unit_type, date__gte=day, date__lte=check_out)
    )
    for night in nights:
        night.held -= min(own.get(("night", night.pk), 0), night.held)
    return nights


def price_product_line(
    organisation,
    *,
    product,
    day: date,
    pax: PaxMix,
    slot=None,
    unit_type=None,
    check_out: date | None = None,
    units: int = 1,
    quantity: int = 1,
    today: date | None = None,
) -> LinePrice:
    """The partner's price of a product line and, if it cannot be booked as it is, why."""
    today = today or timezone.localdate()
    problem = ""
    if product.status != ProductStatus.PUBLISHED:
        return LinePrice(Decimal("0"), _("“%(p)s” is not on sale.") % {"p": product})
    if day < today:
        problem = _("The date %(d)s is in the past.") % {"d": day.isoformat()}
    kwargs: dict = {"day": day}
    if product.kind in SLOT_KINDS:
        if slot is None or slot.product_id != product.pk:
            return LinePrice(Decimal("0"), _("Choose a time slot of this product on that day."))
        need = slot_need(product, pax, units)
        if not problem:
            # The partner's own allotment places on the slot are free for it.
            own = partner_reserved_places(
                organisation=organisation, requests=[SimpleNamespace(slot=slot)]
            ).get(("slot", slot.pk), 0)
            free = slot.capacity - slot.sold - slot.held + own
            if slot.status != SlotStatus.OPEN or slot.starts_at <= timezone.now():
                problem = _("This time slot is closed.")
            elif free < need:
                problem = _("Only %(n)s places left on this time slot.") % {"n": max(free, 0)}
        kwargs.update(pax=pax, units=units)
    elif product.kind == ProductKind.ACCOMMODATION:
        if unit_type is None or unit_type.product_id != product.pk or check_out is None:
            return LinePrice(Decimal("0"), _("Choose a room type and the check-out date."))
        if check_out <= day:
            return LinePrice(Decimal("0"), _("The check-out must be after the check-in."))
        if not problem:
            problem = (
                stay_problem(
                    unit_type,
                    check_in=day,
                    check_out=check_out,
                    units=units,
                    pax=pax,
                    nights=_nights_free_for(organisation, unit_type, day, check_out),
                )
                or ""
            )
        kwargs.update(pax=pax, units=units, unit_type=unit_type, check_out=check_out)
    else:
        stock = GoodsStock.objects.filter(product=product).first()
        if not problem and (stock is None or stock.quantity - stock.sold - stock.held < quantity):
            problem = _("“%(p)s” is out of stock.") % {"p": product}
        kwargs.update(quantity=quantity)
    try:
        quote = trade_pricing.price_product_for(organisation, product, **kwargs)
    except ValidationError as exc:
        return LinePrice(Decimal("0"), _messages(exc))
    return LinePrice(money(quote.retail_total), str(problem))


def price_package_line(
    organisation, *, package, day: date, pax: PaxMix, today: date | None = None
) -> LinePrice:
    """The partner's price of a package from `day` for the pax mix."""
    from packages.quotes import package_quote

    today = today or timezone.localdate()
    if pax.seats < 1:
        return LinePrice(Decimal("0"), _("Book at least one person."))
    try:
        quote = package_quote(package=package, start_date=day, pax=pax, buyer=organisation)
    except ValidationError as exc:
        return LinePrice(Decimal("0"), _messages(exc))
    problems = list(quote.problems) or [ln.problem for ln in quote.lines if ln.problem]
    if day < today:
        problems.insert(0, _("The date %(d)s is in the past.") % {"d": day.isoformat()})
    if not quote.retail_total:
        return LinePrice(Decimal("0"), "; ".join(problems) or _("No price on that date."))
    price = trade_pricing.partner_price(
        organisation,
        retail=quote.retail_total,
        net=quote.net_total,
        kind="package",
        day=day,
        package_id=package.pk,
    )
    return LinePrice(money(price.amount), "; ".join(str(p) for p in problems))


def price_quote_line(organisation, line, today: date | None = None) -> LinePrice:
    pax = pax_of(line.pax or {})
    if line.kind == "package":
        return price_package_line(
            organisation, package=line.package, day=line.day, pax=pax, today=today
        )
    return price_product_line(
        organisation,
        product=line.product,
        day=line.day,
        pax=pax,
        slot=line.slot,
        unit_type=line.unit_type,
        check_out=line.check_out,
        units=line.units,
        quantity=line.quantity,
        today=today,
    )
