"""The one place that configures the Stripe client: real Stripe, or the local
Stripe-compatible server when STRIPE_API_BASE points at it."""

import stripe
from django.conf import settings


def stripe_client() -> stripe.StripeClient:
    base_addresses = {}
    if settings.STRIPE_API_BASE:
        base_addresses = {"api": settings.STRIPE_API_BASE, "files": settings.STRIPE_API_BASE}
    return stripe.StripeClient(settings.STRIPE_SECRET_KEY, base_addresses=base_addresses)
