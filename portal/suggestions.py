"""When nothing is free: the nearest dates that have something, and the other comuni."""

from dataclasses import dataclass, replace
from datetime import timedelta
from urllib.parse import urlencode

from django.utils import timezone

from operators.selectors import SearchCriteria, availability_search
from places.models import Comune

SHIFTS = (1, -1, 2, -2, 3, 7, 14)


@dataclass
class Suggestion:
    label: str
    count: int
    link: str


def search_suggestions(*, criteria: SearchCriteria, query) -> dict:
    """At most a few count queries, run only when a search found nothing."""
    today = timezone.localdate()
    base = {k: v for k, v in query.items() if k != "page"}
    length = criteria.end - criteria.start
    dates = []
    for shift in SHIFTS:
        start = criteria.start + timedelta(days=shift)
        if start < today:
            continue
        shifted = replace(criteria, start=start, end=start + length)
        count = availability_search(criteria=shifted).count()
        if count:
            link = "?" + urlencode(
                {**base, "start": start.isoformat(), "end": (start + length).isoformat()}
            )
            dates.append(Suggestion(start, count, link))
        if len(dates) == 3:
            break
    comuni = []
    if criteria.comune:
        everywhere = replace(criteria, comune=None)
        by_comune = {}
        for istat in availability_search(criteria=everywhere).values_list(
            "comune__istat_code", flat=True
        ):
            by_comune[istat] = by_comune.get(istat, 0) + 1
        for comune in Comune.objects.filter(istat_code__in=by_comune).order_by("name"):
            link = "?" + urlencode({**base, "comune": comune.istat_code})
            comuni.append(Suggestion(comune.name, by_comune[comune.istat_code], link))
    return {"dates": sorted(dates, key=lambda s: s.label), "comuni": comuni}
