"""Tourist-tax exemptions of an accommodation line by reason (coach drivers, patients, ...):
the operator or DMC staff record how many guests are exempt for each reason; the line's tax
and the booking's on-site total are computed again, and the quarterly return reads them."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from marketplace.errors import DomainError
from operators.pricing import money

from ..models import BookingLine, LineKind, LineStatus, TouristTaxExemptionReason
from ..policies import tourist_tax_for_stay
from .planning import _tax_rules_for

# Reasons the rules compute by themselves (age, residence, nightly cap): never entered.
COMPUTED_REASONS = ("under_age", "resident", "nightly_cap")


class TaxExemptionsInvalid(DomainError):
    """Unknown reason, a negative count, or more exempt guests than the line has."""

    code = "tax_exemptions_invalid"
    api_status = 400


def tax_exemption_reasons_for(line: BookingLine) -> list[TouristTaxExemptionReason]:
    """The active reasons that can be entered for the line's comune."""
    comune_id = line.product.comune_id if line.product_id else None
    return list(
        TouristTaxExemptionReason.objects.filter(is_active=True)
        .exclude(code__in=COMPUTED_REASONS)
        .filter(Q(comuni__isnull=True) | Q(comuni__id=comune_id))
        .distinct()
        .order_by("code")
    )


def line_tourist_tax(line: BookingLine, exempt_persons: int) -> Decimal:
    pax = line.pax or {}
    return tourist_tax_for_stay(
        rules=_tax_rules_for(line.product.comune_id),
        category=line.product.accommodation_category,
        check_in=line.service_date,
        check_out=line.end_date or line.service_date,
        adult_guests=int(pax.get("adults", 0)) + int(pax.get("seniors", 0)),
        children_ages=[int(a) for a in pax.get("children_ages", [])],
        residents=line.tax_exempt_residents,
        exempt_persons=exempt_persons,
    )


@transaction.atomic
def booking_line_tax_exemptions_set(
    *, line: BookingLine, exemptions: dict[str, int], actor=None
) -> BookingLine:
    """Record {reason code: exempt guests} on an accommodation line (counts of 0 are
    dropped); all checks first, nothing written on error. Returns the updated line."""
    line = (
        BookingLine.objects.select_for_update(of=("self",))
        .select_related("product", "booking")
        .get(pk=line.pk)
    )
    if line.kind != LineKind.ACCOMMODATION or not line.product_id:
        raise TaxExemptionsInvalid(_("Only a stay has tourist-tax exemptions."))
    if line.status == LineStatus.CANCELLED:
        raise TaxExemptionsInvalid(_("This line is cancelled."))
    allowed = {reason.code for reason in tax_exemption_reasons_for(line)}
    cleaned: dict[str, int] = {}
    for code, count in exemptions.items():
        if code not in allowed:
            raise TaxExemptionsInvalid(_("Unknown exemption reason: %(code)s.") % {"code": code})
        try:
            count = int(count)
        except (TypeError, ValueError):
            raise TaxExemptionsInvalid(_("The number of guests must be a whole number.")) from None
        if count < 0:
            raise TaxExemptionsInvalid(_("The number of guests cannot be negative."))
        if count:
            cleaned[code] = count
    total = sum(cleaned.values())
    if total > line.persons:
        raise TaxExemptionsInvalid(
            _("%(exempt)s exempt guests, but the stay has only %(guests)s guests.")
            % {"exempt": total, "guests": line.persons}
        )
    line.tax_exemptions = cleaned
    line.tourist_tax = line_tourist_tax(line, total)
    line.save(update_fields=["tax_exemptions", "tourist_tax"])
    booking = line.booking
    if line.parent_id:
        parent = BookingLine.objects.select_for_update().get(pk=line.parent_id)
        parent.tourist_tax = money(
            sum((child.tourist_tax for child in parent.components.all()), Decimal("0"))
        )
        parent.save(update_fields=["tourist_tax"])
    top = booking.lines.filter(parent__isnull=True).exclude(status=LineStatus.CANCELLED)
    booking.tourist_tax = money(sum((ln.tourist_tax for ln in top), Decimal("0")))
    booking.save(update_fields=["tourist_tax", "updated_at"])
    return line
