"""What a trade partner pays: the one pricing function every partner-facing channel uses
(trade portal, REST API, OCTO, invoices). The DMC's purchase price from operators (the net)
may be an input of a partner's price but is never part of what this module returns.

Interface fixed first so that every channel can call it; the contract rules that fill it are
built in issue #13 item 1 (until then a partner pays the public price).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from operators.pricing import PriceQuote, price_product


@dataclass(frozen=True)
class PartnerPrice:
    public: Decimal  # the public (retail) price
    amount: Decimal  # what the partner pays
    basis: str  # "public", "commission" or "net_rate"
    rule_id: int | None = None


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
) -> PartnerPrice:
    """The price `organisation` pays for something whose public price is `retail` and whose
    purchase price is `net`, under its contract on `day`."""
    return PartnerPrice(public=retail, amount=retail, basis="public")


def price_product_for(organisation, product, **kwargs) -> PriceQuote:
    """`operators.pricing.price_product` as `organisation` pays it: each line's unit retail is
    the partner's unit price (None organisation: the public price)."""
    return price_product(product, **kwargs)
