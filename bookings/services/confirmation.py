"""Confirmation, payment requests, option extensions and completion."""

from __future__ import annotations

import logging

from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import (
    AllocationState,
    Booking,
    BookingLine,
    BookingStatus,
    LineKind,
    LineStatus,
)
from .common import _after_commit, _allocations_of, _locked_booking, _notify
from .errors import BookingError, InvalidTransition, OptionBeyondCutoff, ServiceNotReached
from .inventory import _move, _run_locked
from .planning import _record, _transition
from .redemption import booking_complete_if_served
from .terms import booking_option_latest_expiry

logger = logging.getLogger(__name__)


def booking_request_payment(*, booking: Booking, actor=None) -> Booking:
    """The buyer goes to pay: the hold stays, the booking waits for the payment."""

    def write():
        locked = _locked_booking(booking)
        if locked.status == BookingStatus.PENDING_PAYMENT:
            return locked
        _ensure_not_expired(locked)
        _transition(locked, BookingStatus.PENDING_PAYMENT, actor=actor, action="payment_started")
        locked.save(update_fields=["status", "updated_at"])
        return locked

    return _run_locked(write)


def _ensure_not_expired(booking: Booking) -> None:
    if booking.status in (BookingStatus.HELD, BookingStatus.PENDING_PAYMENT) and (
        booking.expires_at and booking.expires_at <= timezone.now()
    ):
        raise InvalidTransition(_("This option has expired; the places were released."))


def booking_confirm(*, booking: Booking, actor=None, via: str = "", reason: str = "") -> Booking:
    """Held inventory becomes sold; the voucher and the confirmation follow on commit.
    Confirming a confirmed booking is a no-op (webhook and return page may both call it)."""

    def write():
        locked = _locked_booking(booking)
        if locked.status == BookingStatus.CONFIRMED:
            return locked
        _ensure_not_expired(locked)
        _transition(
            locked,
            BookingStatus.CONFIRMED,
            actor=actor,
            action="confirm",
            reason=reason,
            data={"via": via} if via else None,
        )
        _move(_allocations_of(locked, (AllocationState.HELD,)), from_state="held", to_state="sold")
        locked.confirmed_at = timezone.now()
        locked.expires_at = None
        locked.save(update_fields=["status", "confirmed_at", "expires_at", "updated_at"])
        _notify("confirmed", locked)
        from outbox.services import outbox_enqueue

        from .. import tasks

        outbox_enqueue(handler=tasks.generate_voucher, kwargs={"booking_id": locked.pk})
        _after_commit("confirmed", locked.pk)
        return locked

    return _run_locked(write)


def booking_extend_option(*, booking: Booking, until, actor=None, reason="") -> Booking:
    def write():
        locked = _locked_booking(booking)
        if locked.status not in (BookingStatus.HELD, BookingStatus.PENDING_PAYMENT):
            raise InvalidTransition(_("Only an option can be extended."))
        if until <= timezone.now():
            raise BookingError({"until": _("The new expiry must be in the future.")})
        latest = booking_option_latest_expiry(locked)
        if latest is not None and until > latest:
            raise OptionBeyondCutoff(
                _(
                    "An option must end before the first service minus the operator's "
                    "cut-off: at the latest %(latest)s."
                )
                % {"latest": timezone.localtime(latest).strftime("%Y-%m-%d %H:%M")}
            )
        old = locked.expires_at
        locked.expires_at = until
        locked.save(update_fields=["expires_at", "updated_at"])
        _record(
            locked,
            action="extend_option",
            actor=actor,
            reason=reason,
            data={"from": old.isoformat() if old else None, "to": until.isoformat()},
        )
        return locked

    return _run_locked(write)


def booking_complete(*, booking: Booking, actor=None, no_show: bool = False, today=None) -> Booking:
    """Record the outcome of every service not yet redeemed: served, or a no-show. Only from
    each service's day on (the operator's local day): an outcome is never recorded ahead."""
    today = today or timezone.localdate()

    def write():
        locked = _locked_booking(booking)
        if locked.status != BookingStatus.CONFIRMED:
            target = BookingStatus.NO_SHOW if no_show else BookingStatus.COMPLETED
            _transition(locked, target, actor=actor, action="no_show" if no_show else "complete")
        open_lines = list(
            locked.lines.filter(status=LineStatus.ACTIVE).exclude(kind=LineKind.PACKAGE)
        )
        ahead = [ln for ln in open_lines if ln.service_date > today]
        if ahead:
            raise ServiceNotReached(
                _("The service of %(date)s has not taken place yet.")
                % {"date": min(ln.service_date for ln in ahead).isoformat()}
            )
        BookingLine.objects.filter(pk__in=[ln.pk for ln in open_lines]).update(
            status=LineStatus.NO_SHOW if no_show else LineStatus.COMPLETED
        )
        booking_complete_if_served(booking=locked, actor=actor)
        return locked

    return _run_locked(write)
