"""Places reserved for a trade partner (allotments) inside the booking engine.

bookings does not import the allotments app: allotments plugs its three functions in from its
AppConfig.ready(). Without them, a booking takes everything from general sale."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


def _no_places(*, organisation, requests) -> dict:
    return {}


def _take_nothing(*, booking, needs, as_state):
    return needs


def _give_nothing(*, allocations) -> None:
    return None


def _read_nothing(*, organisation, requests) -> list:
    return []


@dataclass
class _Hooks:
    reserved: Callable = _no_places
    draw: Callable = _take_nothing
    give_back: Callable = _give_nothing
    reads: Callable = _read_nothing


_hooks = _Hooks()


def allotment_hooks_register(
    *, reserved: Callable, draw: Callable, give_back: Callable, reads: Callable = _read_nothing
) -> None:
    _hooks.reserved, _hooks.draw, _hooks.give_back = reserved, draw, give_back
    _hooks.reads = reads


def partner_reserved_reads(*, organisation, requests) -> list:
    """The reads (marketplace.queries) `partner_reserved_places` will make for these requests,
    for a caller that sends them ahead with its own."""
    if organisation is None:
        return []
    return _hooks.reads(organisation=organisation, requests=requests)


def partner_reserved_places(*, organisation, requests) -> dict[tuple[str, int], int]:
    """{(kind, row pk): places} the partner's allotments keep for it on the rows the requests
    need: free for the partner's own booking in the availability check."""
    if organisation is None:
        return {}
    return _hooks.reserved(organisation=organisation, requests=requests)


def draw_from_partner_allotment(
    *, booking, needs: list, as_state: str, reserved: dict | None = None
) -> list:
    """Move what the booking needs from its partner's allotments to the booking (rows locked,
    same transaction) and return what is left to take from general sale. `reserved`: what
    `partner_reserved_places` found on the needs' rows before the transaction; none there,
    nothing to draw and no query (a place allotted meanwhile is already counted as held)."""
    if draws_nothing(booking=booking, needs=needs, reserved=reserved):
        return needs
    return _hooks.draw(booking=booking, needs=needs, as_state=as_state)


def draws_nothing(*, booking, needs: list, reserved: dict | None) -> bool:
    """Whether `draw_from_partner_allotment` is known to take nothing: a traveller's booking,
    or a partner keeping no places on the needs' rows (`reserved`, read before)."""
    if not booking.buyer_organisation_id:
        return True
    return reserved is not None and not any((n.kind, n.pk) in reserved for n in needs)


def give_back_to_allotments(*, allocations: list) -> None:
    """Released allocations that came from an allotment go back to it (before its release);
    those known not to have come from one cost nothing."""
    allocations = [a for a in allocations if getattr(a, "from_allotment", None) is not False]
    if allocations:
        _hooks.give_back(allocations=allocations)
