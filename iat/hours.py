"""Opening hours: which intervals apply on a day (an exception wins over the season) and
the state at a moment ("open now until 19:00")."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from .models import Office


@dataclass(frozen=True)
class OpeningState:
    is_open: bool
    until: time | None = None  # when open: closing time of the current interval
    next_opening: datetime | None = None  # when closed: the next opening within a week
    note: str = ""


def intervals_on(office: Office, day: date) -> tuple[list[tuple[time, time]], str]:
    """The opening intervals of a day and a note (the exception's, if any). Uses the
    prefetched `exceptions` and `seasons__hours` when present."""
    for exc in office.exceptions.all():
        if exc.date == day:
            return ([] if exc.closed else [(exc.opens, exc.closes)]), exc.note
    for season in office.seasons.all():
        if season.covers(day):
            return sorted(
                (h.opens, h.closes) for h in season.hours.all() if h.weekday == day.weekday()
            ), ""
    return [], ""


def opening_state(office: Office, at: datetime | None = None) -> OpeningState:
    at = timezone.localtime(at or timezone.now())
    today, now = at.date(), at.time()
    intervals, note = intervals_on(office, today)
    for opens, closes in intervals:
        if opens <= now < closes:
            return OpeningState(True, until=closes, note=note)
    for offset in range(8):
        day = today + timedelta(days=offset)
        day_intervals, day_note = (intervals, note) if offset == 0 else intervals_on(office, day)
        for opens, _closes in day_intervals:
            if offset > 0 or opens > now:
                moment = timezone.make_aware(datetime.combine(day, opens))
                return OpeningState(False, next_opening=moment, note=note or day_note)
    return OpeningState(False, note=note)


def week_table(office: Office, start: date) -> list[tuple[date, list[tuple[time, time]], str]]:
    return [(d, *intervals_on(office, d)) for d in (start + timedelta(i) for i in range(7))]
