"""Cancellation penalties and tourist tax: pure computations over frozen booking data."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from operators.pricing import money


def penalty_for(*, tiers: list[dict], amount: Decimal, service_date: date, today: date) -> Decimal:
    """The penalty for cancelling `amount` on `today`. A tier {days_before: N, penalty_percent,
    penalty_amount} applies from N days before the service (inclusive); the tier with the
    smallest N that still covers the days left wins; no tier covering it means no penalty."""
    days_left = (service_date - today).days
    applicable = [t for t in tiers if days_left <= int(t["days_before"])]
    if not applicable:
        return Decimal("0.00")
    tier = min(applicable, key=lambda t: int(t["days_before"]))
    percent = Decimal(str(tier.get("penalty_percent", "0")))
    fixed = Decimal(str(tier.get("penalty_amount", "0")))
    return min(money(amount * percent / 100 + fixed), money(amount))


@dataclass
class TaxRuleView:
    categories: list[str]
    rate_per_night: Decimal
    valid_from: date
    valid_until: date | None
    max_nights: int | None
    exempt_under_age: int | None
    residents_exempt: bool


def _rule_for(rules: list[TaxRuleView], category: str, night: date) -> TaxRuleView | None:
    """The rule of a night: a rule naming the category before a generic one, and among
    those the newest (the latest `valid_from`): a rate raised from a date replaces an older
    rule left without an end date."""
    valid = [
        r
        for r in rules
        if r.valid_from <= night and (r.valid_until is None or night <= r.valid_until)
    ]
    specific = [r for r in valid if category in r.categories]
    if specific:
        return max(specific, key=lambda r: r.valid_from)
    generic = [r for r in valid if not r.categories]
    return max(generic, key=lambda r: r.valid_from) if generic else None


def rules_conflict(a_from, a_until, a_categories, b_from, b_until, b_categories) -> bool:
    """Two rules of a comune conflict when they cover a common category (or are both
    generic) on a common day, unless one is open-ended and starts before the other: then
    the newer simply takes over from its start (a succession, not an overlap)."""
    a_set, b_set = set(a_categories), set(b_categories)
    if (a_set or b_set) and not (a_set & b_set):
        return False
    if a_from == b_from:
        return True
    (first_until, second_from) = (a_until, b_from) if a_from < b_from else (b_until, a_from)
    return first_until is not None and first_until >= second_from


def tourist_tax_for_stay(
    *,
    rules: list[TaxRuleView],
    category: str,
    check_in: date,
    check_out: date,
    adult_guests: int,
    children_ages: list[int],
    residents: int = 0,
    exempt_persons: int = 0,
) -> Decimal:
    """Imposta di soggiorno of one stay: per taxable guest per night, up to the nightly cap.
    `exempt_persons`: guests exempt for another reason of the regulation (line's
    `tax_exemptions`), whatever the rule says about residents."""
    total = Decimal("0")
    night = check_in
    counted = 0
    while night < check_out:
        rule = _rule_for(rules, category, night)
        if rule is not None and (rule.max_nights is None or counted < rule.max_nights):
            taxable = adult_guests + sum(
                1
                for age in children_ages
                if rule.exempt_under_age is None or age >= rule.exempt_under_age
            )
            if rule.residents_exempt:
                taxable = max(taxable - residents, 0)
            taxable = max(taxable - exempt_persons, 0)
            total += rule.rate_per_night * taxable
            counted += 1
        night += timedelta(days=1)
    return money(total)
