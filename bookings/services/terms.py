"""Operators' booking terms: the option cut-off before a service and the early check-in
tolerance of redemption. An operator's own SupplierTerms row wins over the settings' defaults."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.utils import timezone

from ..models import BookingLine, LineKind, SupplierTerms


def _terms(organisation_ids) -> dict[int, SupplierTerms]:
    wanted = set(organisation_ids)
    if not wanted:  # nothing to read: not even a queryset to build
        return {}
    return {t.organisation_id: t for t in SupplierTerms.objects.filter(organisation_id__in=wanted)}


def option_cutoff(organisation_id, terms: dict | None = None) -> timedelta:
    terms = _terms([organisation_id]) if terms is None else terms
    row = terms.get(organisation_id)
    hours = row.option_cutoff_hours if row and row.option_cutoff_hours is not None else None
    if hours is None:
        hours = settings.BOOKINGS_OPTION_CUTOFF_HOURS
    return timedelta(hours=hours)


def early_checkin_days(organisation_id, terms: dict | None = None) -> int:
    terms = _terms([organisation_id]) if terms is None else terms
    row = terms.get(organisation_id)
    if row and row.early_checkin_days is not None:
        return row.early_checkin_days
    return settings.BOOKINGS_EARLY_CHECKIN_DAYS


def service_start(day: date, start_time=None) -> datetime:
    """When a service begins in the operator's local time (Europe/Rome): the slot's time, or
    the start of the day for stays and goods."""
    return timezone.make_aware(datetime.combine(day, start_time or time.min))


def option_latest_expiry(
    services: list[tuple[int, date, object]], terms: dict | None = None
) -> datetime | None:
    """The latest moment an option may last: the earliest (service start - the operator's
    cut-off) over (supplier id, service date, start time) triples. `terms` ({organisation id:
    SupplierTerms or None}) when the caller loaded them already."""
    if not services:
        return None
    if terms is None:
        terms = _terms(s[0] for s in services)
    return min(
        service_start(day, start) - option_cutoff(supplier_id, terms)
        for supplier_id, day, start in services
    )


def booking_option_latest_expiry(booking) -> datetime | None:
    lines = BookingLine.objects.filter(booking=booking, supplier__isnull=False).exclude(
        kind=LineKind.PACKAGE
    )
    return option_latest_expiry(
        [
            (ln.supplier_id, ln.service_date, ln.start_time)
            for ln in lines
            if ln.status != "cancelled"
        ]
    )


def redemption_window(line: BookingLine, terms: dict | None = None) -> tuple[date, date]:
    """The operator's local days on which a line may be redeemed: its service day; for a stay
    from the check-in minus the early check-in tolerance to the last night."""
    if line.kind == LineKind.ACCOMMODATION:
        first = line.service_date - timedelta(days=early_checkin_days(line.supplier_id, terms))
        last = (line.end_date - timedelta(days=1)) if line.end_date else line.service_date
        return first, max(last, line.service_date)
    return line.service_date, line.service_date
