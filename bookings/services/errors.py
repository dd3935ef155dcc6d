"""Errors of the booking engine, each with its own code and HTTP status."""

from __future__ import annotations

import logging

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy

from marketplace.errors import DomainError

logger = logging.getLogger(__name__)


class BookingError(ValidationError):
    """Bad input: a 400 with the field named."""


class PaymentRequired(DomainError):
    """The buyer must pay (or have credit on account) before the booking is confirmed."""

    code = "payment_required"
    api_status = 402


class SoldOut(DomainError):
    """Not enough inventory left: a 409 with a clear message; nothing is held. Raised with a
    stay problem, it takes the problem's code ("closed" for nights not open for sale)."""

    code = "sold_out"

    def __init__(self, message=None):
        super().__init__(message)
        if getattr(message, "code", None) in ("sold_out", "closed"):
            self.code = message.code


class Busy(DomainError):
    """The inventory is locked by other bookings for too long: try again (409)."""

    code = "busy"
    default_message = gettext_lazy("The inventory is busy, please try again in a moment.")


class InvalidTransition(DomainError):
    code = "invalid_transition"


class ServiceNotReached(DomainError):
    """An outcome (served, no-show) recorded before the service's day."""

    code = "service_not_reached"


class OptionBeyondCutoff(DomainError):
    """An option may not last past the first service minus the operator's cut-off."""

    code = "option_beyond_cutoff"
