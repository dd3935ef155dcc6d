"""The availability calendar of a product page: four weeks from the chosen date, each day
bookable or not, with the lowest price for the visitor's party (one availability query)."""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from urllib.parse import urlencode

from django.utils import timezone

from operators.models import Product
from operators.pricing import PaxMix
from operators.selectors import SearchCriteria, availability_options

CALENDAR_DAYS = 28


@dataclass
class CalendarCell:
    day: date
    price: Decimal | None
    places: int
    link: str
    selected: bool

    @property
    def bookable(self) -> bool:
        return self.price is not None


def availability_calendar(
    *, product: Product, form, from_today: bool = False
) -> list[list[CalendarCell]] | None:
    """Weeks (Monday first) of cells from the chosen date (or today when the visitor chose
    none); None for products without time slots."""
    if not product.uses_slots:
        return None
    today = timezone.localdate()
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    start = today if from_today else max(data.get("start") or today, today)
    adults = data.get("adults", 2) if data else 2
    ages = data.get("children_ages") or []
    pax = PaxMix.of(adults=adults, children_ages=ages)
    first = start - timedelta(days=start.weekday())
    last = first + timedelta(days=CALENDAR_DAYS - 1)
    criteria = SearchCriteria(start=max(first, today), end=last, pax=pax)
    by_day: dict[date, tuple[Decimal, int]] = {}
    found = availability_options([product], criteria=criteria)
    for option in found[0].slots if found else []:
        day = option.slot.date
        price, places = by_day.get(day, (None, 0))
        total = option.quote.retail_total
        by_day[day] = (total if price is None else min(price, total), places + option.available)
    query = {"adults": adults, "children_ages": ", ".join(map(str, ages))}
    cells = []
    for offset in range(CALENDAR_DAYS):
        day = first + timedelta(days=offset)
        price, places = by_day.get(day, (None, 0))
        link = "?" + urlencode(
            {**query, "start": day.isoformat(), "end": (day + timedelta(days=1)).isoformat()}
        )
        cells.append(CalendarCell(day, price, places, link, day == data.get("start")))
    return [cells[i : i + 7] for i in range(0, CALENDAR_DAYS, 7)]
