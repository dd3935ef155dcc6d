"""Places a trade partner's allotments keep for it: extra availability for that partner only.

An allotment's open places sit in the rows' `held` counter, so general sale (and every other
partner) sees them as taken; for the partner that owns them they are free. The allotments app
plugs its reader in from AllotmentsConfig.ready(), so operators never imports it; without it
(or for any buyer that is not a trade partner) nobody gets extra places."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Case, IntegerField, Value, When


@dataclass
class PartnerPlaces:
    """{row pk: places} the partner's open allotment days keep on slots and nights, and the
    products they belong to."""

    slots: dict[int, int] = field(default_factory=dict)
    nights: dict[int, int] = field(default_factory=dict)
    products: set[int] = field(default_factory=set)

    def __bool__(self) -> bool:
        return bool(self.slots or self.nights)

    def slot(self, pk) -> int:
        return self.slots.get(pk, 0)

    def night(self, pk) -> int:
        return self.nights.get(pk, 0)


def extra_places_expr(places: dict[int, int]):
    """SQL: the partner's extra places of the row (by its pk), 0 elsewhere."""
    by_count: dict[int, list[int]] = {}
    for pk, count in places.items():
        by_count.setdefault(count, []).append(pk)
    return Case(
        *(When(pk__in=pks, then=Value(count)) for count, pks in sorted(by_count.items())),
        default=Value(0),
        output_field=IntegerField(),
    )


_reader: Callable | None = None


def partner_places_register(reader: Callable) -> None:
    global _reader
    _reader = reader


def partner_places(organisation, *, start: date, end: date) -> PartnerPlaces | None:
    """The partner's extra places on slots from `start` to `end` and nights from `start` to
    the night before `end` (inclusive ranges are fine: one more night changes nothing).
    None (no query) for a buyer that is not a trade partner, or when it has none."""
    if _reader is None or organisation is None or getattr(organisation, "kind", None) != "trade":
        return None
    return _reader(organisation_id=organisation.pk, start=start, end=end) or None
