"""Voucher redemption by operators, only on the service day (the operator's local day,
Europe/Rome), and the completion of a booking once every service is served or a no-show."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

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
    SupplierTerms,
)
from .common import _publish
from .planning import _record, _transition
from .terms import redemption_window

logger = logging.getLogger(__name__)


class RedeemCode:
    """Why a redemption was accepted or refused: the page and the API show these codes."""

    REDEEMED = "redeemed"
    INVALID_CODE = "invalid_code"
    NOT_FOUND = "not_found"
    NOT_CONFIRMED = "not_confirmed"
    ALREADY_REDEEMED = "already_redeemed"
    TOO_EARLY = "not_yet_service_day"
    SERVICE_PASSED = "service_day_passed"


@dataclass
class RedemptionResult:
    accepted: bool
    message: str
    lines: list[BookingLine]
    booking: Booking | None = None
    code: str = RedeemCode.REDEEMED
    other_days: list = field(default_factory=list)


def voucher_redeem(*, organisation, actor, raw: str, method: str, now=None) -> RedemptionResult:
    """Redeem the operator's lines of a booking whose service day is today, once, by scanned
    token or typed reference. Lines of other days are left alone; every attempt is logged."""
    from ..models import RedemptionAttempt
    from ..vouchers import reference_from_input

    now = now or timezone.now()
    today = timezone.localdate(now)
    reference, error = reference_from_input(raw)

    def refuse(code, message, booking=None, line=None, other_days=()):
        RedemptionAttempt.objects.create(
            line=line,
            organisation=organisation,
            actor=actor,
            method=method,
            accepted=False,
            reason=f"{code}: {message}"[:200],
            raw_input=raw[:500],
        )
        return RedemptionResult(False, message, [], booking, code, sorted(set(other_days)))

    if error:
        return refuse(RedeemCode.INVALID_CODE, error)
    with transaction.atomic():
        booking = Booking.objects.select_for_update().filter(reference=reference).first()
        lines = (
            list(
                booking.lines.select_for_update()
                .filter(supplier=organisation)
                .exclude(kind=LineKind.PACKAGE)
                .order_by("pk")
            )
            if booking
            else []
        )
        if booking is None or not lines:
            return refuse(
                RedeemCode.NOT_FOUND,
                _("No booking %(ref)s for your organisation.") % {"ref": reference},
            )
        if booking.status not in (BookingStatus.CONFIRMED, BookingStatus.COMPLETED):
            return refuse(
                RedeemCode.NOT_CONFIRMED,
                _("Booking %(ref)s is not confirmed (%(status)s).")
                % {"ref": reference, "status": booking.get_status_display()},
                booking,
            )
        open_lines = [ln for ln in lines if ln.status == LineStatus.ACTIVE and not ln.redeemed_at]
        if not open_lines:
            already = max((ln.redeemed_at for ln in lines if ln.redeemed_at), default=None)
            return refuse(
                RedeemCode.ALREADY_REDEEMED,
                _("Already redeemed on %(when)s.")
                % {
                    "when": date_format(timezone.localtime(already), "SHORT_DATETIME_FORMAT")
                    if already
                    else "—"
                },
                booking,
                lines[0],
            )
        terms = {
            t.organisation_id: t for t in SupplierTerms.objects.filter(organisation=organisation)
        }
        windows = {ln.pk: redemption_window(ln, terms) for ln in open_lines}
        due = [ln for ln in open_lines if windows[ln.pk][0] <= today <= windows[ln.pk][1]]
        if not due:
            future = [ln for ln in open_lines if windows[ln.pk][0] > today]
            if future:
                first = min(future, key=lambda ln: windows[ln.pk][0])
                return refuse(
                    RedeemCode.TOO_EARLY,
                    _(
                        "Not today: the service of %(ref)s is on %(date)s; the voucher can be "
                        "redeemed from %(from)s."
                    )
                    % {
                        "ref": reference,
                        "date": date_format(first.service_date, "SHORT_DATE_FORMAT"),
                        "from": date_format(windows[first.pk][0], "SHORT_DATE_FORMAT"),
                    },
                    booking,
                    first,
                    [ln.service_date for ln in future],
                )
            last = max(open_lines, key=lambda ln: windows[ln.pk][1])
            return refuse(
                RedeemCode.SERVICE_PASSED,
                _(
                    "The service of %(ref)s was on %(date)s: it can no longer be redeemed; "
                    "the DMC records it as served or no-show."
                )
                % {"ref": reference, "date": date_format(last.service_date, "SHORT_DATE_FORMAT")},
                booking,
                last,
                [ln.service_date for ln in open_lines],
            )
        for line in due:
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
            data={"lines": [ln.pk for ln in due], "method": method},
        )
        _publish("redeemed", booking.pk, line_ids=[ln.pk for ln in due])
        booking_complete_if_served(booking=booking, actor=actor)
    later = [ln.service_date for ln in open_lines if ln not in due]
    message = _("Redeemed: %(n)s service(s) of %(ref)s.") % {"n": len(due), "ref": reference}
    if later:
        message += " " + _("Other services of this booking are on other days (%(days)s).") % {
            "days": ", ".join(date_format(d, "SHORT_DATE_FORMAT") for d in sorted(set(later)))
        }
    return RedemptionResult(True, message, due, booking, RedeemCode.REDEEMED, sorted(set(later)))


def booking_complete_if_served(*, booking: Booking, actor=None) -> bool:
    """A confirmed booking completes once every service line that is not cancelled was served
    (redeemed) or recorded as a no-show; a package's line follows its components. The booking
    is a no-show when no service was served. Call inside the transaction that locked it."""
    lines = list(booking.lines.all())
    services = [
        ln for ln in lines if ln.kind != LineKind.PACKAGE and ln.status != LineStatus.CANCELLED
    ]
    if booking.status != BookingStatus.CONFIRMED or not services:
        return False
    if any(ln.status == LineStatus.ACTIVE for ln in services):
        return False
    for parent in (ln for ln in lines if ln.kind == LineKind.PACKAGE):
        if parent.status != LineStatus.ACTIVE:
            continue
        parts = [ln for ln in services if ln.parent_id == parent.pk]
        served = any(ln.status == LineStatus.COMPLETED for ln in parts)
        parent.status = LineStatus.COMPLETED if served else LineStatus.NO_SHOW
        parent.save(update_fields=["status"])
    served = any(ln.status == LineStatus.COMPLETED for ln in services)
    _transition(
        booking,
        BookingStatus.COMPLETED if served else BookingStatus.NO_SHOW,
        actor=actor,
        action="complete" if served else "no_show",
        reason=_("Every service served or recorded as no-show."),
    )
    booking.save(update_fields=["status", "updated_at"])
    return True
