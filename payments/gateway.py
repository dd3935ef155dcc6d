"""The one place that configures the Stripe client: real Stripe, or the local
Stripe-compatible server when STRIPE_API_BASE points at it."""

from decimal import Decimal

import stripe
from django.conf import settings

from operators.pricing import money

CURRENCY = "eur"


def _timeout() -> tuple[float, float]:
    """(connect, read) seconds: a Stripe that does not answer never holds a request long."""
    return (settings.STRIPE_CONNECT_TIMEOUT_SECONDS, settings.STRIPE_TIMEOUT_SECONDS)


def stripe_http_client() -> stripe.HTTPClient:
    return stripe.RequestsClient(timeout=_timeout())


def configure_stripe() -> None:
    """The module-level defaults too (webhook helpers and any call outside stripe_client):
    bounded retries and the same timeouts. Called from PaymentsConfig.ready()."""
    stripe.max_network_retries = settings.STRIPE_MAX_NETWORK_RETRIES
    stripe.default_http_client = stripe_http_client()


def stripe_client(*, http_client=None) -> stripe.StripeClient:
    base_addresses = {}
    if settings.STRIPE_API_BASE:
        base_addresses = {"api": settings.STRIPE_API_BASE, "files": settings.STRIPE_API_BASE}
    return stripe.StripeClient(
        settings.STRIPE_SECRET_KEY,
        base_addresses=base_addresses,
        http_client=http_client or stripe_http_client(),
        max_network_retries=settings.STRIPE_MAX_NETWORK_RETRIES,
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
