"""How a delivery is signed, and how a receiver checks it (the same code is in
docs/webhooks.md for partners): HMAC-SHA256 of "<timestamp>.<body>" with the endpoint's
secret, sent as `Piana-Webhook-Signature: t=<timestamp>,v1=<hex>`."""

from __future__ import annotations

import hashlib
import hmac
import time

SIGNATURE_HEADER = "Piana-Webhook-Signature"
TIMESTAMP_HEADER = "Piana-Webhook-Timestamp"
EVENT_ID_HEADER = "Piana-Webhook-Id"
EVENT_TYPE_HEADER = "Piana-Webhook-Event"
TOLERANCE_SECONDS = 300


def signature(*, secret: str, timestamp: int, body: bytes) -> str:
    message = f"{timestamp}.".encode() + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def signature_header(*, secret: str, timestamp: int, body: bytes) -> str:
    return f"t={timestamp},v1={signature(secret=secret, timestamp=timestamp, body=body)}"


def verify(
    *, secret: str, header: str, body: bytes, now: float | None = None, tolerance=TOLERANCE_SECONDS
) -> bool:
    """True if `header` signs `body` with `secret` and its timestamp is recent."""
    try:
        parts = dict(item.split("=", 1) for item in header.split(","))
        timestamp = int(parts["t"])
    except (KeyError, ValueError):
        return False
    if abs((now if now is not None else time.time()) - timestamp) > tolerance:
        return False
    expected = signature(secret=secret, timestamp=timestamp, body=body)
    return hmac.compare_digest(expected, parts.get("v1", ""))
