"""The one place that configures the Stripe client: real Stripe, or the local
Stripe-compatible server when STRIPE_API_BASE points at it."""

from decimal import Decimal

import stripe
from django.conf import settings

from operators.pricing import money

CURRENCY = "eur"


def stripe_client(*, http_client=None) -> stripe.StripeClient:
    base_addresses = {}
    if settings.STRIPE_API_BASE:
        base_addresses = {"api": settings.STRIPE_API_BASE, "files": settings.STRIPE_API_BASE}
    return stripe.StripeClient(
        settings.STRIPE_SECRET_KEY,
        base_addresses=base_addresses,
        http_client=http_client,
        max_network_retries=1,
    )


def stripe_js_url() -> str:
    """Stripe.js, or localstripe's stand-in of it when the local server is used."""
    if settings.STRIPE_API_BASE:
        return f"{settings.STRIPE_API_BASE}/js.stripe.com/v3/"
    return "https://js.stripe.com/v3/"


def is_local_stripe() -> bool:
    return bool(settings.STRIPE_API_BASE)


def to_cents(amount: Decimal) -> int:
    """EUR Decimal -> integer cents, at the Stripe and ledger boundary only."""
    return int(money(amount) * 100)


def from_cents(cents: int) -> Decimal:
    return money(Decimal(int(cents)) / 100)
