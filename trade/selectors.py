"""Read side of the trade app: partners with their contract, credit exposure and activity."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.utils import timezone

from accounts.models import Organisation
from bookings.models import Booking, BookingStatus

from .models import ContractVersion

ZERO = Decimal("0")


def version_in_force(versions: list, day):
    for version in sorted(versions, key=lambda v: v.valid_from, reverse=True):
        if version.valid_from <= day:
            return version if version.in_force(day) else None
    return None


def partners_overview(*, organisation_id=None) -> list[dict]:
    """Every trade partner: status, market, contract validity, credit limit, exposure
    (confirmed unpaid on account + open options) and bookings this year, in a fixed number
    of queries."""
    from payments.selectors import credit_exposure

    today = timezone.localdate()
    partners = Organisation.objects.filter(kind="trade").select_related("trade_contract")
    if organisation_id is not None:
        partners = partners.filter(pk=organisation_id)
    partners = list(partners.order_by("name"))
    ids = [p.pk for p in partners]
    outstanding = {row["organisation"].pk: row["outstanding"] for row in credit_exposure()}
    stats = {
        row["buyer_organisation"]: row
        for row in Booking.objects.filter(buyer_organisation_id__in=ids)
        .values("buyer_organisation")
        .annotate(
            options=Sum("total_retail", filter=Q(status=BookingStatus.HELD)),
            this_year=Count(
                "pk",
                filter=Q(created_at__year=today.year) & ~Q(status=BookingStatus.CANCELLED),
            ),
        )
    }
    by_contract: dict[int, list] = {}
    for version in ContractVersion.objects.filter(contract__organisation_id__in=ids):
        by_contract.setdefault(version.contract_id, []).append(version)
    rows = []
    for partner in partners:
        contract = getattr(partner, "trade_contract", None)
        owed = outstanding.get(partner.pk, ZERO)
        options = (stats.get(partner.pk) or {}).get("options") or ZERO
        in_force = version_in_force(by_contract.get(contract.pk, []), today) if contract else None
        limit = contract.credit_limit if contract else ZERO
        exposure = owed + options
        rows.append(
            {
                "organisation": partner,
                "contract": contract,
                "active": partner.is_active,
                "market": partner.country,
                "version": in_force,
                "credit_limit": limit,
                "outstanding": owed,
                "options": options,
                "exposure": exposure,
                "over_limit": bool(limit) and exposure > limit,
                "bookings_this_year": (stats.get(partner.pk) or {}).get("this_year") or 0,
            }
        )
    return rows
