"""The destination audit: criteria measured from the data where the data exists (opening
hours against the movement data's peak month, languages against the origin markets,
complaints in the contact log, stock), the rest judged by the auditor; scored 0-4 each."""

from collections import Counter
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import Contact

# The language a visitor from a market most likely speaks at the desk.
MARKET_LANGUAGE = {
    "DE": "de",
    "AT": "de",
    "CH": "de",
    "FR": "fr",
    "BE": "fr",
    "LU": "fr",
    "ES": "es",
    "MX": "es",
    "AR": "es",
    "NL": "nl",
    "PT": "pt",
    "BR": "pt",
    "PL": "pl",
    "RU": "ru",
    "CN": "zh",
    "JP": "ja",
}


@dataclass(frozen=True)
class Criterion:
    code: str
    label: str
    manual: bool = False


CRITERIA = [
    Criterion("opening_hours", _("Opening hours against the peak month's demand")),
    Criterion("languages", _("Languages spoken against the origin markets")),
    Criterion("accessibility", _("Accessibility")),
    Criterion("services", _("Visitor services (wifi, luggage, tickets)")),
    Criterion("complaints", _("Complaints in the contact log")),
    Criterion("material", _("Material in stock")),
    Criterion("signage", _("Signage to the office"), manual=True),
    Criterion("digital", _("Digital presence (web, maps, social)"), manual=True),
]


def _weekly_hours(office, month: int) -> float:
    day = datetime(2025, month, 15).date()
    for season in office.seasons.prefetch_related("hours"):
        if season.covers(day):
            return sum(
                (datetime.combine(day, h.closes) - datetime.combine(day, h.opens)).seconds / 3600
                for h in season.hours.all()
            )
    return 0.0


def measure(office, *, today=None) -> dict[str, tuple[int, str]]:
    """Points and evidence of every measured criterion for an office."""
    from insights.models import MovementMarketYear, MovementMonth

    today = today or timezone.localdate()
    out = {}
    months = Counter()
    for month, presences in MovementMonth.objects.filter(comune=office.comune).values_list(
        "month", "presences"
    ):
        months[month] += presences
    peak = months.most_common(1)[0][0] if months else 7
    hours = _weekly_hours(office, peak)
    points = 4 if hours >= 56 else 3 if hours >= 42 else 2 if hours >= 30 else 1 if hours else 0
    out["opening_hours"] = (
        points,
        _("%(h).1f hours a week in the peak month (%(m)s)") % {"h": hours, "m": peak},
    )

    latest = MovementMarketYear.objects.filter(comune=office.comune).order_by("-year").first()
    markets = []
    if latest:
        markets = list(
            MovementMarketYear.objects.filter(comune=office.comune, year=latest.year)
            .exclude(origin__startswith="IT-")
            .order_by("-presences")
            .values_list("origin", "presences")[:8]
        )
    needed = Counter()
    for origin, presences in markets:
        needed[MARKET_LANGUAGE.get(origin, "en")] += presences
    spoken = set(office.language_list)
    share = sum(p for lang, p in needed.items() if lang in spoken) / (sum(needed.values()) or 1)
    missing = [lang for lang, _p in needed.most_common() if lang not in spoken]
    out["languages"] = (
        round(4 * share) if needed else 2,
        _("%(s)d%% of the top foreign markets' presences covered; missing: %(m)s")
        % {"s": round(100 * share), "m": ", ".join(missing) or "—"},
    )
    out["accessibility"] = (
        4 if office.is_accessible else 0,
        _("Step-free access") if office.is_accessible else _("No step-free access"),
    )
    count = sum([office.has_wifi, office.has_luggage, office.has_ticketing])
    out["services"] = ({0: 0, 1: 2, 2: 3, 3: 4}[count], ", ".join(map(str, office.services)))
    since = timezone.make_aware(datetime.combine(today - timedelta(days=365), time()))
    topics = Contact.objects.filter(office=office, at__gte=since).values_list("topics", flat=True)
    total = len(topics)
    complaints = sum("complaint" in t for t in topics)
    rate = 1000 * complaints / total if total else 0
    out["complaints"] = (
        4 if rate <= 5 else 3 if rate <= 10 else 2 if rate <= 20 else 1,
        _("%(c)s complaints in %(t)s contacts over 12 months") % {"c": complaints, "t": total},
    )
    stock = list(office.stock.all())
    ok = sum(not s.is_low for s in stock)
    out["material"] = (
        round(4 * ok / len(stock)) if stock else 0,
        _("%(ok)s of %(n)s items above the reorder level") % {"ok": ok, "n": len(stock)},
    )
    return out
