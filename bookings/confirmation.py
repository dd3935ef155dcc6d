"""Confirmation paths that are not a card payment. Payments replaces the on-account check
with a ledger-based credit check."""

from .services import booking_confirm


def confirm_on_account(*, booking, organisation, actor=None):
    return booking_confirm(booking=booking, actor=actor, via="on_account")
