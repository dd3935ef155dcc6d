"""Voucher redemption by operators."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from ..models import (
    Booking,
    BookingLine,
    BookingStatus,
    LineKind,
    LineStatus,
)
from .common import _publish
from .planning import _record, _transition

logger = logging.getLogger(__name__)


# --- redemption ----------------------------------------------------------------------------


@dataclass
class RedemptionResult:
    accepted: bool
    message: str
    lines: list[BookingLine]
    booking: Booking | None = None


def voucher_redeem(*, organisation, actor, raw: str, method: str) -> RedemptionResult:
    """Redeem the operator's lines of a booking, once, by scanned token or typed reference.
    Every attempt is logged; a second redemption is refused."""
    from ..models import RedemptionAttempt
    from ..vouchers import reference_from_input

    reference, error = reference_from_input(raw)

    def refuse(message, booking=None, line=None):
        RedemptionAttempt.objects.create(
            line=line,
            organisation=organisation,
            actor=actor,
            method=method,
            accepted=False,
            reason=message,
            raw_input=raw[:500],
        )
        return RedemptionResult(False, message, [], booking)

    if error:
        return refuse(error)
    with transaction.atomic():
        booking = Booking.objects.select_for_update().filter(reference=reference).first()
        lines = (
            list(
                booking.lines.select_for_update()
                .filter(
                    supplier=organisation, kind__in=[k for k in LineKind.values if k != "package"]
                )
                .order_by("pk")
            )
            if booking
            else []
        )
        if booking is None or not lines:
            return refuse(_("No booking %(ref)s for your organisation.") % {"ref": reference})
        if booking.status not in (BookingStatus.CONFIRMED, BookingStatus.COMPLETED):
            return refuse(
                _("Booking %(ref)s is not confirmed (%(status)s).")
                % {"ref": reference, "status": booking.get_status_display()},
                booking,
            )
        open_lines = [ln for ln in lines if ln.status == LineStatus.ACTIVE and not ln.redeemed_at]
        if not open_lines:
            already = max((ln.redeemed_at for ln in lines if ln.redeemed_at), default=None)
            return refuse(
                _("Already redeemed on %(when)s.")
                % {
                    "when": date_format(timezone.localtime(already), "SHORT_DATETIME_FORMAT")
                    if already
                    else "—"
                },
                booking,
                lines[0],
            )
        now = timezone.now()
        for line in open_lines:
            line.redeemed_at = now
            line.redeemed_by = actor
            line.status = LineStatus.COMPLETED
            line.save(update_fields=["redeemed_at", "redeemed_by", "status"])
            RedemptionAttempt.objects.create(
                line=line,
                organisation=organisation,
                actor=actor,
                method=method,
                accepted=True,
                raw_input=raw[:500],
            )
        _record(
            booking,
            action="redeem",
            actor=actor,
            data={"lines": [ln.pk for ln in open_lines], "method": method},
        )
        _publish("redeemed", booking.pk, line_ids=[ln.pk for ln in open_lines])
        if not booking.lines.filter(parent__isnull=True, status=LineStatus.ACTIVE).exists() and (
            booking.status == BookingStatus.CONFIRMED
        ):
            _transition(
                booking,
                BookingStatus.COMPLETED,
                actor=actor,
                action="complete",
                reason=_("All services redeemed."),
            )
            booking.save(update_fields=["status", "updated_at"])
    return RedemptionResult(
        True,
        _("Redeemed: %(n)s service(s) of %(ref)s.") % {"n": len(open_lines), "ref": reference},
        open_lines,
        booking,
    )
