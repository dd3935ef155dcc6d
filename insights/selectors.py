"""Reads behind the insights dashboards: every figure from the pre-aggregated tables (a
fixed number of queries whatever the years, comuni and markets), the platform's own sales
from the booking lines, the IAT contacts from the contact log."""

from collections import Counter, defaultdict
from datetime import datetime

from django.conf import settings
from django.db.models import Q, Sum
from django.utils import timezone

from iat import codes

from .models import MovementMarketYear, MovementMonth, MovementRow

SOLD = ("confirmed", "completed")


def available_years() -> list[int]:
    return sorted(MovementMonth.objects.values_list("year", flat=True).distinct())


def _ratio(a, b):
    return round(a / b, 2) if b else None


def _pct(a, b):
    return round(100 * a / b, 1) if b else None


def _change(now, before):
    return round(100 * (now - before) / before, 1) if before else None


def dashboard(*, year: int, comune=None, market: str = "") -> dict:
    """Every figure of the main dashboard for a year (and the year before)."""
    months_qs = MovementMonth.objects.filter(year__in=[year - 1, year])
    markets_qs = MovementMarketYear.objects.filter(year__in=[year - 1, year])
    if comune is not None:
        months_qs = months_qs.filter(comune=comune)
        markets_qs = markets_qs.filter(comune=comune)

    monthly = {y: [[0, 0, 0, 0] for _m in range(12)] for y in (year - 1, year)}
    per_comune: dict[int, list] = defaultdict(lambda: [0, 0, 0, 0, 0])
    demo = False
    if market:
        rows = MovementRow.objects.filter(year__in=[year - 1, year], origin=market)
        if comune is not None:
            rows = rows.filter(comune=comune)
        source = rows.values("year", "month", "comune_id").annotate(
            a=Sum("arrivals"), p=Sum("presences")
        )
        for r in source:
            foreign = 0 if codes.is_italian(market) else 1
            cell = monthly[r["year"]][r["month"] - 1]
            cell[0] += r["a"]
            cell[1] += r["p"]
            cell[2] += r["a"] * foreign
            cell[3] += r["p"] * foreign
            if r["year"] == year:
                c = per_comune[r["comune_id"]]
                c[0] += r["a"]
                c[1] += r["p"]
                c[2] += r["a"] * foreign  # noqa: E702
        demo = rows.filter(is_demo=True).exists()
    else:
        for m in months_qs.values_list(
            "year",
            "month",
            "comune_id",
            "arrivals",
            "presences",
            "foreign_arrivals",
            "foreign_presences",
            "is_demo",
        ):
            y, mo, cid, a, p, fa, fp, is_demo = m
            cell = monthly[y][mo - 1]
            cell[0] += a
            cell[1] += p
            cell[2] += fa
            cell[3] += fp  # noqa: E702
            demo = demo or is_demo
            c = per_comune[cid]
            if y == year:
                c[0] += a
                c[1] += p
                c[2] += fa  # noqa: E702
            else:
                c[3] += p
    if market:  # last year's presences per comune for the market
        for r in (
            MovementRow.objects.filter(year=year - 1, origin=market)
            .values("comune_id")
            .annotate(p=Sum("presences"))
        ):
            per_comune[r["comune_id"]][3] += r["p"]

    # Year to date: last year is compared over the months this year already has.
    reported = [m for m in range(12) if monthly[year][m][1]] or list(range(12))

    def total(y, i):
        return sum(monthly[y][m][i] for m in reported)

    arrivals, presences = total(year, 0), total(year, 1)
    prev_arrivals, prev_presences = total(year - 1, 0), total(year - 1, 1)
    kpis = {
        "arrivals": arrivals,
        "presences": presences,
        "average_stay": _ratio(presences, arrivals),
        "foreign_share": _pct(total(year, 2), arrivals),
        "arrivals_change": _change(arrivals, prev_arrivals),
        "presences_change": _change(presences, prev_presences),
        "prev_average_stay": _ratio(prev_presences, prev_arrivals),
        "peak_share": _pct(sum(monthly[year][m][1] for m in range(3, 10)), presences),
        "months_reported": len(reported),
    }

    market_now, market_before = Counter(), Counter()
    for y, origin, a, p in (
        markets_qs.values_list("year", "origin")
        .annotate(a=Sum("arrivals"), p=Sum("presences"))
        .values_list("year", "origin", "a", "p")
    ):
        (market_now if y == year else market_before)[origin] += p
        if y == year:
            market_now[f"a:{origin}"] += a
    top = [
        o
        for o, _p in Counter(
            {k: v for k, v in market_now.items() if not k.startswith("a:")}
        ).most_common(15)
    ]
    markets = [
        {
            "origin": o,
            "label": codes.origin_label(o),
            "presences": market_now[o],
            "arrivals": market_now[f"a:{o}"],
            "prev_presences": market_before[o],
            "change": _change(market_now[o], market_before[o]),
        }
        for o in top
    ]
    return {
        "year": year,
        "kpis": kpis,
        "monthly": monthly,
        "per_comune": dict(per_comune),
        "markets": markets,
        "demo": demo,
    }


def yearly_trend(*, comune=None) -> list[dict]:
    qs = MovementMonth.objects.all()
    if comune is not None:
        qs = qs.filter(comune=comune)
    rows = (
        qs.values("year")
        .annotate(a=Sum("arrivals"), p=Sum("presences"), fa=Sum("foreign_arrivals"))
        .order_by("year")
    )
    return [
        {
            "year": r["year"],
            "arrivals": r["a"],
            "presences": r["p"],
            "average_stay": _ratio(r["p"], r["a"]),
            "foreign_share": _pct(r["fa"], r["a"]),
        }
        for r in rows
    ]


def iat_contacts(*, year: int, comune=None) -> dict:
    from iat.models import Contact

    start = timezone.make_aware(datetime(year, 1, 1))
    qs = Contact.objects.filter(at__gte=start, at__lt=start.replace(year=year + 1))
    if comune is not None:
        qs = qs.filter(office__comune=comune)
    by_origin = Counter(
        dict(qs.values_list("origin").annotate(n=Sum("party_size")).values_list("origin", "n"))
    )
    topics, monthly = Counter(), [0] * 12
    for at, row_topics in qs.values_list("at", "topics"):
        monthly[at.month - 1] += 1
        topics.update(row_topics)
    return {
        "by_origin": by_origin.most_common(10),
        "topics": topics.most_common(),
        "monthly": monthly,
        "total": sum(monthly),
    }


def dmc_sales(*, year: int, comune=None) -> list[dict]:
    """The platform's own sales per month of service: bookings, revenue, and for
    accommodation arrivals (persons) and nights sold (person-nights); `units` counts the
    operators behind each month's figures (for the statistical-confidentiality rule)."""
    from bookings.models import BookingLine

    lines = BookingLine.objects.filter(
        booking__status__in=SOLD,
        service_date__year=year,
        parent__isnull=True,
    ).exclude(status="cancelled")
    accommodation = BookingLine.objects.filter(
        booking__status__in=SOLD,
        service_date__year=year,
        kind="accommodation",
    ).exclude(status="cancelled")
    if comune is not None:
        lines = lines.filter(Q(product__comune=comune) | Q(kind="package"))
        accommodation = accommodation.filter(product__comune=comune)
    months = [
        {"month": m, "bookings": set(), "revenue": 0, "arrivals": 0, "nights": 0, "units": set()}
        for m in range(1, 13)
    ]
    for booking_id, day, amount, supplier in lines.values_list(
        "booking_id", "service_date", "retail_amount", "supplier_id"
    ):
        months[day.month - 1]["bookings"].add(booking_id)
        months[day.month - 1]["revenue"] += amount
        months[day.month - 1]["units"].add(supplier)
    for day, end, persons, supplier in accommodation.values_list(
        "service_date", "end_date", "persons", "supplier_id"
    ):
        nights = max((end - day).days, 1) if end else 1
        months[day.month - 1]["arrivals"] += persons
        months[day.month - 1]["nights"] += persons * nights
        months[day.month - 1]["units"].add(supplier)
    for m in months:
        m["bookings"] = len(m["bookings"])
        m["units"] = len(m["units"] - {None})
    return months


def confidentiality_threshold() -> int:
    """Fewer units than this in a cell and the cell is not shown outside the DMC (ISTAT's
    practice on statistical secrecy; settings.INSIGHTS_MIN_UNITS_PER_CELL, default 3)."""
    return getattr(settings, "INSIGHTS_MIN_UNITS_PER_CELL", 3)


def withhold_small_cells(sales: list[dict]) -> list[dict]:
    """The same months with the figures of any month resting on fewer operators than the
    threshold withheld (None): what a comune may read of the platform's sales."""
    minimum = confidentiality_threshold()
    out = []
    for m in sales:
        if m["units"] and m["units"] < minimum:
            m = {**m, "bookings": None, "revenue": None, "arrivals": None, "nights": None}
            m["withheld"] = True
        out.append(m)
    return out


def platform_movement(*, year: int, comune=None, sales: list[dict] | None = None) -> dict:
    """The movement measures derived from the platform's accommodation bookings (over the
    months not withheld, when `sales` comes through `withhold_small_cells`)."""
    if sales is None:
        sales = dmc_sales(year=year, comune=comune)
    shown = [m for m in sales if not m.get("withheld")]
    arrivals = sum(m["arrivals"] for m in shown)
    nights = sum(m["nights"] for m in shown)
    return {
        "arrivals": arrivals,
        "presences": nights,
        "average_stay": _ratio(nights, arrivals),
        "withheld_months": len(sales) - len(shown),
    }
