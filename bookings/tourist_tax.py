"""The quarterly tourist-tax return per establishment and comune (read side): nights
(presenze), exempt nights by reason, taxable nights, the tax frozen on the bookings, and the
bookings behind each figure. A stay is reported in the quarter of its check-in."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from operators.pricing import money

from .models import BookingLine, BookingStatus, LineKind, LineStatus, TouristTaxRule
from .policies import TaxRuleView, _rule_for

REPORTED_BOOKINGS = (BookingStatus.CONFIRMED, BookingStatus.COMPLETED, BookingStatus.NO_SHOW)


def quarter_bounds(year: int, quarter: int) -> tuple[date, date]:
    if quarter not in (1, 2, 3, 4):
        raise ValueError("quarter must be 1 to 4")
    start = date(year, 3 * quarter - 2, 1)
    end = date(year + 1, 1, 1) if quarter == 4 else date(year, 3 * quarter + 1, 1)
    return start, end


@dataclass
class ReturnRow:
    establishment: str
    operator: str
    comune: str
    nights: int = 0
    exempt: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    amount: Decimal = Decimal("0.00")
    bookings: list[str] = field(default_factory=list)

    @property
    def exempt_nights(self) -> int:
        return sum(self.exempt.values())

    @property
    def taxable_nights(self) -> int:
        return self.nights - self.exempt_nights


def _exemptions(line: BookingLine, rule: TaxRuleView | None, nights: int) -> dict[str, int]:
    """Exempt nights of one stay by reason code."""
    result: dict[str, int] = defaultdict(int)
    persons = line.persons
    if rule is None:
        return result
    children = (line.pax or {}).get("children_ages", [])
    if rule.exempt_under_age is not None:
        young = sum(1 for age in children if age < rule.exempt_under_age)
        young += (line.pax or {}).get("infants", 0)
        result["under_age"] += young * nights
        persons -= young
    if rule.residents_exempt and line.tax_exempt_residents:
        residents = min(line.tax_exempt_residents, persons)
        result["resident"] += residents * nights
        persons -= residents
    for code, count in (line.tax_exemptions or {}).items():
        count = min(int(count), persons)
        result[code] += count * nights
        persons -= count
    if rule.max_nights is not None and nights > rule.max_nights and persons > 0:
        result["nightly_cap"] += (nights - rule.max_nights) * persons
    return result


def tourist_tax_return(
    *, year: int, quarter: int, operator_ids: list[int] | None = None
) -> list[ReturnRow]:
    """One row per establishment and comune for the quarter; `operator_ids` limits it to
    an accommodation operator's own establishments."""
    start, end = quarter_bounds(year, quarter)
    lines = (
        BookingLine.objects.filter(
            kind=LineKind.ACCOMMODATION,
            service_date__gte=start,
            service_date__lt=end,
            status__in=(LineStatus.ACTIVE, LineStatus.COMPLETED, LineStatus.NO_SHOW),
            booking__status__in=REPORTED_BOOKINGS,
            product__isnull=False,
        )
        .select_related("booking", "product__comune", "supplier")
        .order_by("product__comune__name", "product_id", "service_date", "pk")
    )
    if operator_ids is not None:
        lines = lines.filter(supplier_id__in=operator_ids)
    rules_by_comune: dict[int, list[TaxRuleView]] = {}
    rows: dict[tuple, ReturnRow] = {}
    for line in lines:
        product = line.product
        comune_id = product.comune_id
        if comune_id not in rules_by_comune:
            rules_by_comune[comune_id] = [
                TaxRuleView(
                    r.category_list(),
                    r.rate_per_night,
                    r.valid_from,
                    r.valid_until,
                    r.max_nights,
                    r.exempt_under_age,
                    r.residents_exempt,
                )
                for r in TouristTaxRule.objects.filter(comune_id=comune_id)
            ]
        key = (product.pk, comune_id)
        row = rows.get(key)
        if row is None:
            row = rows[key] = ReturnRow(
                establishment=str(product.title) if hasattr(product, "title") else str(product),
                operator=line.supplier.name if line.supplier_id else "",
                comune=product.comune.name if comune_id else "",
            )
        nights = max(((line.end_date or line.service_date) - line.service_date).days, 0)
        rule = _rule_for(
            rules_by_comune[comune_id], product.accommodation_category, line.service_date
        )
        row.nights += nights * line.persons
        for code, count in _exemptions(line, rule, nights).items():
            row.exempt[code] += count
        row.amount = money(row.amount + line.tourist_tax)
        if line.booking.reference not in row.bookings:
            row.bookings.append(line.booking.reference)
    return list(rows.values())


def tourist_tax_return_csv(rows: list[ReturnRow], reason_codes: list[str]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(
        ["struttura", "operatore", "comune", "presenze"]
        + [f"esenti_{code}" for code in reason_codes]
        + ["presenze_imponibili", "imposta", "prenotazioni"]
    )
    for row in rows:
        writer.writerow(
            [row.establishment, row.operator, row.comune, row.nights]
            + [row.exempt.get(code, 0) for code in reason_codes]
            + [row.taxable_nights, f"{row.amount:.2f}", " ".join(row.bookings)]
        )
    return out.getvalue()
