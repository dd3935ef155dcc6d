"""The shape a signed Stripe event must have before it is handled. A signed event that cannot
be processed (not an object, no id, no data, an unknown charge) is recorded as unprocessable
and answered 2xx: Stripe would otherwise deliver it again for days and nothing would change."""

from __future__ import annotations

import hashlib
import json

UNPROCESSABLE = "unprocessable"

# Event types whose handler reads `data.object.id`.
_NEEDS_OBJECT_ID = (
    "payment_intent.succeeded",
    "payment_intent.payment_failed",
    "payment_intent.canceled",
    "payment_intent.requires_action",
    "charge.refunded",
)


class Unprocessable(Exception):
    """A handler found that the event can never be applied (e.g. a charge we never made)."""

    def __init__(self, reason: str):
        self.reason = reason
        super().__init__(reason)


def event_parse(payload: bytes) -> tuple[dict | None, str | None]:
    """(event, None) for a well-formed event, (None, reason) otherwise."""
    try:
        event = json.loads(payload)
    except (ValueError, UnicodeDecodeError):
        return None, "not JSON"
    if b"\\u0000" in payload:
        return None, "NUL character"
    if not isinstance(event, dict):
        return None, "not an object"
    if not isinstance(event.get("id"), str) or not 0 < len(event["id"]) <= 255:
        return None, "no id"
    if not isinstance(event.get("type"), str) or len(event["type"]) > 100:
        return None, "no type"
    data = event.get("data")
    if not isinstance(data, dict) or not isinstance(data.get("object"), dict):
        return None, "no data.object"
    if event["type"] in _NEEDS_OBJECT_ID and not isinstance(data["object"].get("id"), str):
        return None, "no data.object.id"
    return event, None


def unprocessable_record_fields(payload: bytes, reason: str) -> dict:
    """What to store for a signed event that cannot be parsed: an id derived from the body (a
    redelivery is the same row), the body as text, the reason."""
    text = payload.decode("utf-8", errors="replace").replace("\x00", "").replace("\\u0000", "")
    event_id = "unprocessable_" + hashlib.sha256(payload).hexdigest()[:48]
    return {
        "stripe_event_id": event_id,
        "type": "",
        "payload": {"body": text[:20000]},
        "result": f"{UNPROCESSABLE}: {reason}"[:200],
    }
