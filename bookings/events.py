"""What the booking engine tells the other apps, after commit.

The engine publishes named events with a small payload (ids only: handlers re-read the
state, so a late or repeated run is harmless). Apps that must react subscribe in their
`AppConfig.ready()`; the engine never imports them. Each subscriber gets its own outbox row,
so one failing handler is retried without running the others again.

| event     | payload                                   | published by                      |
| --------- | ----------------------------------------- | --------------------------------- |
| confirmed | booking_id                                | booking_confirm                   |
| cancelled | booking_id, cancelled_line_ids (or None)  | booking_cancel, participants      |
| amended   | booking_id                                | booking_amend                     |
| redeemed  | booking_id, line_ids                      | voucher_redeem                    |
"""

from __future__ import annotations

from collections.abc import Callable

from outbox import registry
from outbox.services import outbox_publish

CONFIRMED = "confirmed"
CANCELLED = "cancelled"
AMENDED = "amended"
REDEEMED = "redeemed"
EVENTS = (CONFIRMED, CANCELLED, AMENDED, REDEEMED)


def topic(event: str) -> str:
    if event not in EVENTS:
        raise ValueError(f"unknown booking event {event!r}")
    return f"bookings.{event}"


def booking_event_publish(*, event: str, booking_id: int, **payload) -> None:
    """Record the event in the caller's transaction; its handlers run after commit."""
    outbox_publish(topic=topic(event), payload={"booking_id": booking_id, **payload})


def subscribe(
    event: str, *, name: str, function: Callable[..., object], deferred: bool = False
) -> None:
    """`function(booking_id=..., **payload)` runs after each committed `event`."""
    registry.subscribe(topic(event), name=name, function=function, deferred=deferred)
