"""Read side of allotments: lists with their totals, usage per day, the release report, and
the places allotments keep on the inventory counters (for the invariant checks)."""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Count, F, Max, Min, Q, QuerySet, Sum

from .models import Allotment, AllotmentDay, AllotmentEvent, AllotmentStatus

_OPEN = Q(days__released_at__isnull=True)


def _with_totals(queryset: QuerySet) -> QuerySet:
    return queryset.select_related("partner", "product", "unit_type").annotate(
        total_allotted=Sum("days__allotted", default=0),
        total_used=Sum("days__used", default=0),
        total_released=Sum("days__released", default=0),
        total_available=Sum(F("days__allotted") - F("days__used"), filter=_OPEN, default=0),
        next_release=Min("days__release_on", filter=_OPEN),
        last_released_at=Max("days__released_at"),
    )


def allotments_for_backoffice(*, partner_id=None, status=None, product_id=None) -> QuerySet:
    queryset = Allotment.objects.all()
    if partner_id:
        queryset = queryset.filter(partner_id=partner_id)
    if status:
        queryset = queryset.filter(status=status)
    if product_id:
        queryset = queryset.filter(product_id=product_id)
    return _with_totals(queryset).order_by("-status", "start_date", "pk")


def allotments_for_partner(queryset: QuerySet) -> QuerySet:
    """The partner's allotments (already scoped by the caller's tenancy base) with totals."""
    return _with_totals(queryset).order_by("status", "start_date", "pk")


def allotment_usage(allotment: Allotment) -> list[dict]:
    """Per day (slots of one day added up): allotted, used, released, still held for the
    partner, the release date and when it was released."""
    rows = (
        AllotmentDay.objects.filter(allotment=allotment)
        .values("date")
        .annotate(
            day_available=Sum(
                F("allotted") - F("used"), filter=Q(released_at__isnull=True), default=0
            ),
            day_allotted=Sum("allotted"),
            day_used=Sum("used"),
            day_released=Sum("released"),
            day_release_on=Min("release_on"),
            day_released_at=Max("released_at"),
            day_pending=Count("pk", filter=Q(released_at__isnull=True)),
            day_slots=Count("slot_id"),
        )
        .order_by("date")
    )
    return [_unprefixed(row, "day_") | {"is_released": row["day_pending"] == 0} for row in rows]


def _unprefixed(row: dict, prefix: str) -> dict:
    """Aggregates get a prefix so that they never shadow the fields they add up."""
    return {key.removeprefix(prefix): value for key, value in row.items()}


def release_report(*, partner_id=None, allotment_id=None, date_from=None, date_to=None) -> list:
    """Released days, per allotment and day: allotted, used, released, when."""
    queryset = AllotmentDay.objects.filter(released_at__isnull=False)
    if partner_id:
        queryset = queryset.filter(allotment__partner_id=partner_id)
    if allotment_id:
        queryset = queryset.filter(allotment_id=allotment_id)
    if date_from:
        queryset = queryset.filter(date__gte=date_from)
    if date_to:
        queryset = queryset.filter(date__lte=date_to)
    rows = (
        queryset.values("allotment_id", "date")
        .annotate(
            day_allotted=Sum("allotted"),
            day_used=Sum("used"),
            day_released=Sum("released"),
            day_release_on=Min("release_on"),
            day_released_at=Max("released_at"),
        )
        .order_by("-day_released_at", "allotment_id", "date")
    )
    rows = [_unprefixed(row, "day_") for row in rows]
    allotments = Allotment.objects.select_related("partner", "product", "unit_type").in_bulk(
        {row["allotment_id"] for row in rows}
    )
    for row in rows:  # the product's title in the reader's language
        row["allotment"] = allotments[row["allotment_id"]]
    return rows


def allotment_history(allotment: Allotment) -> QuerySet:
    return AllotmentEvent.objects.filter(allotment=allotment).select_related("actor")


def allotment_places_on_counters() -> dict[tuple[str, int], int]:
    """{("slot"|"night", row pk): places} that open allotment days keep in the rows' `held`
    counter: counters = allocations + these."""
    places: dict[tuple[str, int], int] = defaultdict(int)
    rows = AllotmentDay.objects.filter(
        released_at__isnull=True, allotment__status=AllotmentStatus.ACTIVE
    ).values_list("slot_id", "night_id", "allotted", "used")
    for slot_id, night_id, allotted, used in rows:
        places[("slot", slot_id) if slot_id else ("night", night_id)] += allotted - used
    return dict(places)


def partner_open_places(*, organisation_id, start, end):
    """operators.partner_places' reader: the places the partner's open allotment days keep on
    slots and nights from `start` to `end` (one query)."""
    from operators.partner_places import PartnerPlaces

    places = PartnerPlaces()
    rows = AllotmentDay.objects.filter(
        allotment__partner_id=organisation_id,
        allotment__status=AllotmentStatus.ACTIVE,
        released_at__isnull=True,
        used__lt=F("allotted"),
        date__gte=start,
        date__lte=end,
    ).values_list("allotment__product_id", "slot_id", "night_id", "allotted", "used")
    for product_id, slot_id, night_id, allotted, used in rows:
        target = places.slots if slot_id else places.nights
        key = slot_id or night_id
        target[key] = target.get(key, 0) + allotted - used
        places.products.add(product_id)
    return places
