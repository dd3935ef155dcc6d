"""What a trade partner must never see: the DMC's purchase prices from operators (nets), the
operators' commissions and the DMC's margin. Partner-facing serializers pass their data
through `partner_safe`."""

from __future__ import annotations

# Keys of purchase prices, commissions and margins in quotes, breakdowns and serializers.
PURCHASE_PRICE_KEYS = frozenset(
    {
        "unit_net",
        "net",
        "net_total",
        "net_amount",
        "net_price",
        "total_net",
        "commission",
        "commission_amount",
        "commission_percent",
        "contract_commission_percent",
        "margin",
        "margin_percent",
        "margin_vat",
        "operators",
    }
)


def partner_safe(data):
    """`data` (dicts and lists) without any purchase-price, commission or margin key."""
    if isinstance(data, dict):
        return {k: partner_safe(v) for k, v in data.items() if k not in PURCHASE_PRICE_KEYS}
    if isinstance(data, list):
        return [partner_safe(v) for v in data]
    return data
