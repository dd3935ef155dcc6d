"""Ways to pay that another app provides (payments), registered in its `AppConfig.ready()`
so that the booking engine never imports it: confirmation on account (only if the total
fits in the partner's credit left, else `bookings.services.PaymentRequired`, a 402) and the
signed checkout link a guest buyer gets by email."""

from __future__ import annotations

from collections.abc import Callable

_providers: dict[str, Callable] = {}

ON_ACCOUNT = "confirm_on_account"
CHECKOUT_URL = "checkout_url"


def register(name: str, function: Callable) -> None:
    if name not in (ON_ACCOUNT, CHECKOUT_URL):
        raise ValueError(f"unknown payment path {name!r}")
    _providers[name] = function


def _provider(name: str) -> Callable:
    try:
        return _providers[name]
    except KeyError:
        raise LookupError(f"no app registered {name!r} (is payments installed?)") from None


def confirm_on_account(*, booking, organisation, actor=None):
    return _provider(ON_ACCOUNT)(booking=booking, organisation=organisation, actor=actor)


def checkout_url(booking) -> str:
    """The path of the buyer's checkout page with its signed token ("" if none)."""
    return _provider(CHECKOUT_URL)(booking) if CHECKOUT_URL in _providers else ""
