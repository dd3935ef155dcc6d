"""The availability calendar of a product page: four weeks from the chosen date, each day
bookable or not, with the lowest price for the visitor's party (one availability query)."""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from urllib.parse import urlencode

from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from operators.models import Product, Slot, SlotStatus
from operators.pricing import PaxMix
from operators.selectors import SearchCriteria, availability_options

CALENDAR_DAYS = 28

# Why a day cannot be booked, by state: said as what it is ("sold out" only when the
# product runs that day and it is full).
STATE_WORDING = {
    "past": _("past"),
    "no_times": _("no times"),
    "closed": _("closed"),
    "sold_out": _("sold out"),
    "too_few_places": _("too few places"),
}


@dataclass
class CalendarCell:
    day: date
    price: Decimal | None
    places: int
    link: str
    selected: bool
    state: str = "available"

    @property
    def bookable(self) -> bool:
        return self.price is not None

    @property
    def why(self) -> str:
        return str(STATE_WORDING.get(self.state, ""))


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
    slots_of_day: dict[date, list[tuple[str, int]]] = {}
    for day, status, free in (
        Slot.objects.filter(product=product, date__gte=first, date__lte=last)
        .annotate(free=F("capacity") - F("sold") - F("held"))
        .values_list("date", "status", "free")
    ):
        slots_of_day.setdefault(day, []).append((status, free))
    query = {"adults": adults, "children_ages": ", ".join(map(str, ages))}
    cells = []
    for offset in range(CALENDAR_DAYS):
        day = first + timedelta(days=offset)
        price, places = by_day.get(day, (None, 0))
        link = "?" + urlencode(
            {**query, "start": day.isoformat(), "end": (day + timedelta(days=1)).isoformat()}
        )
        state = "available" if price is not None else _day_state(day, today, slots_of_day)
        cells.append(CalendarCell(day, price, places, link, day == data.get("start"), state))
    return [cells[i : i + 7] for i in range(0, CALENDAR_DAYS, 7)]


def _day_state(day: date, today: date, slots_of_day: dict) -> str:
    """Why a day has no bookable time: past, no times that day, every time closed, the open
    times full (sold out), or places left but fewer than the party."""
    if day < today:
        return "past"
    slots = slots_of_day.get(day, [])
    if not slots:
        return "no_times"
    open_free = [free for status, free in slots if status == SlotStatus.OPEN]
    if not open_free:
        return "closed"
    if max(open_free) <= 0:
        return "sold_out"
    return "too_few_places"
