"""The pre-contract information of a package (Codice del Turismo, D.Lgs. 79/2011, art. 34 and
Annex A), built from the package's own data, as a page and a PDF."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.template.loader import render_to_string
from django.utils import timezone

from operators.models import ProductKind
from operators.pricing import PaxMix, money

from .models import Package
from .quotes import quote_for_staff
from .selectors import dmc_organisation


def _organiser_cancellation_notice(package: Package) -> int:
    """Days of notice the organiser must give to cancel for too few participants (art. 41):
    20 days for trips over 6 days, 7 for 2-6 days, 2 (48 hours) for shorter ones."""
    if package.duration_days > 6:
        return 20
    if package.duration_days >= 2:
        return 7
    return 2


def _sample_start(package: Package) -> date:
    today = timezone.localdate()
    start = max(package.valid_from, today + timedelta(days=1))
    if package.departure_mode == "fixed":
        departure = (
            package.departures.filter(date__gte=start)
            .exclude(status="cancelled")
            .order_by("date")
            .first()
        )
        if departure is not None:
            return departure.date
    return min(start, package.valid_until)


def precontract_context(
    package: Package, *, start_date: date | None = None, pax: PaxMix | None = None
) -> dict:
    pax = pax or PaxMix(adults=max(package.min_pax, 2))
    start_date = start_date or _sample_start(package)
    quote = quote_for_staff(package, start_date=start_date, pax=pax)
    components = list(package.components.all())
    days: dict[int, list] = {}
    for component in components:
        days.setdefault(component.day_offset, []).append(component)
    stays = [c for c in components if c.product.kind == ProductKind.ACCOMMODATION]
    visits = [
        c
        for c in components
        if c.required and c.product.kind in (ProductKind.EXPERIENCE, ProductKind.SERVICE)
    ]
    extras = [c for c in components if not c.required]
    deposit = money(quote.retail_total * package.deposit_percent / Decimal("100"))
    guarantee_notice = _organiser_cancellation_notice(package)
    return {
        "package": package,
        "organiser": dmc_organisation(),
        "quote": quote,
        "pax": pax,
        "start_date": start_date,
        "end_date": start_date + timedelta(days=package.duration_days - 1),
        "itinerary_days": [
            {"number": offset + 1, "date": start_date + timedelta(days=offset), "items": items}
            for offset, items in sorted(days.items())
        ],
        "stays": stays,
        "visits": visits,
        "extras": extras,
        "deposit": deposit,
        "balance": quote.retail_total - deposit,
        "balance_due": start_date - timedelta(days=package.balance_days_before),
        "guarantee_notice_days": guarantee_notice,
        "guarantee_min_pax": package.guarantee_min_pax or package.min_pax,
        "tiers": list(package.cancellation_policy.tiers.all())
        if package.cancellation_policy
        else [],
        "tourist_tax_rules": _tourist_tax_rules(stays, start_date),
        "price_revision_last_day": start_date - timedelta(days=20),
        "law_url": LAW_URL,
    }


LAW_URL = "https://www.normattiva.it/uri-res/N2Ls?urn:nir:stato:decreto.legislativo:2011-05-23;79"


def _tourist_tax_rules(stays, start_date: date) -> list[dict]:
    """For each accommodation of the package: the comune's tourist tax rule on the first
    night (rate per person per night, nightly cap, age exemption), or none."""
    from bookings.models import TouristTaxRule
    from bookings.policies import TaxRuleView, _rule_for

    result = []
    for component in stays:
        product = component.product
        rules = list(TouristTaxRule.objects.filter(comune_id=product.comune_id))
        views = [
            TaxRuleView(
                r.category_list(),
                r.rate_per_night,
                r.valid_from,
                r.valid_until,
                r.max_nights,
                r.exempt_under_age,
                r.residents_exempt,
            )
            for r in rules
        ]
        night = start_date + timedelta(days=component.day_offset)
        rule = _rule_for(views, product.accommodation_category, night)
        result.append({"product": product, "rule": rule})
    return result


def precontract_pdf(context: dict, *, base_url: str) -> bytes:
    from weasyprint import HTML

    html = render_to_string("packages/precontract_pdf.html", context)
    return HTML(string=html, base_url=base_url).write_pdf()
