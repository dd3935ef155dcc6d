"""Stripe Connect transfers to operators with a connected account: the one function that
calls Stripe for them. localstripe does not simulate Connect, so the test of this function
replays a recorded Stripe response through a stub HTTP client (the stripe library itself
is not mocked)."""

from __future__ import annotations

import logging

from .gateway import CURRENCY, stripe_client

logger = logging.getLogger(__name__)


def transfer_to_connected_account(
    *,
    amount_cents: int,
    destination: str,
    transfer_group: str,
    idempotency_key: str,
    description: str = "",
    http_client=None,
) -> dict:
    """Create a transfer of `amount_cents` EUR cents to the connected account `destination`.
    Returns {"id", "amount", "destination"} of the Stripe transfer."""
    if amount_cents <= 0:
        raise ValueError("A transfer needs a positive amount")
    if not destination.startswith("acct_"):
        raise ValueError("A connected account id starts with acct_")
    transfer = stripe_client(http_client=http_client).v1.transfers.create(
        params={
            "amount": int(amount_cents),
            "currency": CURRENCY,
            "destination": destination,
            "transfer_group": transfer_group,
            "description": description[:350] or transfer_group,
        },
        options={"idempotency_key": idempotency_key},
    )
    logger.info("Connect transfer %s of %s to %s", transfer["id"], amount_cents, destination)
    return {
        "id": transfer["id"],
        "amount": int(transfer["amount"]),
        "destination": transfer["destination"],
    }
