"""Read side of bookings: the querysets the pages need, with their joins, so that each page
runs a small fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    Value,
    When,
)
from django.db.models.query import QuerySet
from django.utils import timezone

from .models import (
    Allocation,
    AllocationState,
    Booking,
    BookingLine,
    BookingStatus,
    LineStatus,
    Participant,
)


@dataclass
class BookingFilters:
    """The back-office filters; every field optional."""

    date_from: date | None = None
    date_to: date | None = None
    status: str = ""
    channel: str = ""
    supplier_id: int | None = None
    buyer_organisation_id: int | None = None
    comune_id: int | None = None
    query: str = ""
    sort: str = ""


def bookings_for_backoffice(filters: BookingFilters) -> QuerySet[Booking]:
    """Bookings matching the filters; line-level filters (service dates, operator, comune) are
    EXISTS subqueries so that a booking is listed once."""
    qs = Booking.objects.select_related("buyer_organisation", "buyer_user").annotate(
        line_count=Count("lines", filter=Q(lines__parent__isnull=True))
    )
    line_filter = Q()
    if filters.date_from:
        line_filter &= Q(service_date__gte=filters.date_from) | Q(end_date__gte=filters.date_from)
    if filters.date_to:
        line_filter &= Q(service_date__lte=filters.date_to)
    if filters.supplier_id:
        line_filter &= Q(supplier_id=filters.supplier_id)
    if filters.comune_id:
        line_filter &= Q(product__comune_id=filters.comune_id)
    if line_filter:
        qs = qs.filter(Exists(BookingLine.objects.filter(line_filter, booking=OuterRef("pk"))))
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.channel:
        qs = qs.filter(channel=filters.channel)
    if filters.buyer_organisation_id:
        qs = qs.filter(buyer_organisation_id=filters.buyer_organisation_id)
    if filters.query:
        term = filters.query.strip()
        reference = term.upper().replace(" ", "").replace("-", "")
        qs = qs.filter(
            Q(reference__icontains=reference)  # a partial reference read on the phone
            | Q(contact_name__icontains=term)
            | Q(contact_email__icontains=term)
            | Q(buyer_reference__icontains=term)
        )
    return qs.order_by(*backoffice_ordering(filters.sort))


# Sortable columns of the back-office list: ?sort=<key> or ?sort=-<key>.
BACKOFFICE_SORTS = {
    "reference": "reference",
    "service": "first_service_date",
    "buyer": "contact_name",
    "channel": "channel",
    "status": "status",
    "total": "total_retail",
    "created": "created_at",
}


def backoffice_ordering(sort: str) -> list[str]:
    """The ORDER BY of a sort key; unknown keys fall back to the newest first."""
    key = (sort or "").lstrip("-")
    if key not in BACKOFFICE_SORTS:
        return ["-created_at", "-pk"]
    direction = "-" if sort.startswith("-") else ""
    field = BACKOFFICE_SORTS[key]
    nulls = F(field).desc(nulls_last=True) if direction else F(field).asc(nulls_last=True)
    return [nulls, f"{direction}pk"]


def _lines_prefetch(queryset=None):
    queryset = queryset if queryset is not None else BookingLine.objects.all()
    return Prefetch(
        "lines",
        queryset=queryset.filter(parent__isnull=True)
        .select_related("product", "supplier", "unit_type", "slot", "product__comune")
        .prefetch_related(
            Prefetch(
                "components",
                queryset=BookingLine.objects.select_related(
                    "product", "supplier", "unit_type", "slot"
                )
                .prefetch_related("allocations")
                .order_by("position", "pk"),
            ),
            "allocations",
        )
        .order_by("position", "pk"),
        to_attr="top_lines",
    )


def booking_detail(queryset: QuerySet[Booking], **lookup) -> Booking | None:
    """One booking with everything its detail page shows."""
    return (
        queryset.filter(**lookup)
        .select_related("buyer_organisation", "buyer_user", "voucher")
        .prefetch_related(
            _lines_prefetch(),
            Prefetch(
                "participants",
                queryset=Participant.objects.select_related("unit_type").order_by(
                    "cancelled", "room", "last_name", "first_name"
                ),
            ),
            "amendments__actor",
            Prefetch("events", queryset=_events()),
        )
        .first()
    )


def _events():
    from .models import BookingEvent

    return BookingEvent.objects.select_related("actor").order_by("created_at", "pk")


def allocation_summary(booking: Booking) -> list[dict]:
    """Per inventory state, how many units the booking's lines hold (from the prefetched
    lines when present)."""
    lines = getattr(booking, "top_lines", None)
    allocations: list[Allocation] = []
    if lines is not None:
        for line in lines:
            allocations += list(line.allocations.all())
            for component in line.components.all():
                allocations += list(component.allocations.all())
    else:
        allocations = list(Allocation.objects.filter(line__booking=booking))
    summary = {
        state: {"state": state, "label": label, "rows": 0, "units": 0}
        for state, label in AllocationState.choices
    }
    for allocation in allocations:
        summary[allocation.state]["rows"] += 1
        summary[allocation.state]["units"] += allocation.quantity
    return [s for s in summary.values() if s["rows"]]


def lines_for_operator(
    queryset: QuerySet[BookingLine],
    *,
    date_from: date | None = None,
    date_to: date | None = None,
    product_id: int | None = None,
    status: str = "",
) -> QuerySet[BookingLine]:
    """An operator's lines (already scoped to the supplier), upcoming first then past."""
    today = timezone.localdate()
    qs = (
        queryset.exclude(kind="package")
        .select_related("booking", "product", "unit_type", "slot", "booking__buyer_organisation")
        .prefetch_related("allocations")
    )
    if date_from:
        qs = qs.filter(service_date__gte=date_from)
    if date_to:
        qs = qs.filter(service_date__lte=date_to)
    if product_id:
        qs = qs.filter(product_id=product_id)
    if status:
        qs = qs.filter(booking__status=status)
    return qs.annotate(
        is_past=Case(
            When(service_date__lt=today, then=Value(1)),
            default=Value(0),
            output_field=IntegerField(),
        )
    ).order_by("is_past", "service_date", "start_time", "pk")


def slot_manifest(*, slot, supplier) -> list[BookingLine]:
    """Who is coming to a slot: the supplier's active lines on it with their booking and
    participants (cancelled participants and bookings left out)."""
    return list(
        BookingLine.objects.filter(slot=slot, supplier=supplier)
        .exclude(status=LineStatus.CANCELLED)
        .filter(
            booking__status__in=(
                BookingStatus.HELD,
                BookingStatus.PENDING_PAYMENT,
                BookingStatus.CONFIRMED,
                BookingStatus.COMPLETED,
            )
        )
        .select_related("booking", "booking__buyer_organisation", "redeemed_by")
        .prefetch_related(
            Prefetch(
                "booking__participants",
                queryset=Participant.objects.filter(cancelled=False).order_by(
                    "last_name", "first_name"
                ),
            )
        )
        .order_by("booking__contact_name", "pk")
    )


def bookings_for_buyer(queryset: QuerySet[Booking], *, status: str = "") -> QuerySet[Booking]:
    qs = queryset.annotate(
        line_count=Count("lines", filter=Q(lines__parent__isnull=True))
    ).order_by("-created_at", "-pk")
    if status:
        qs = qs.filter(status=status)
    return qs


def bookings_for_traveller(user) -> QuerySet[Booking]:
    """The traveller's own bookings, and the bookings made as a guest (no account, no trade
    partner) with one of the user's VERIFIED email addresses."""
    from allauth.account.models import EmailAddress
    from django.db.models import Q

    verified = Q()
    for email in EmailAddress.objects.filter(user=user, verified=True).values_list(
        "email", flat=True
    ):
        verified |= Q(contact_email__iexact=email)
    mine = Q(buyer_user=user)
    if verified:
        mine |= Q(buyer_user__isnull=True, buyer_organisation__isnull=True) & verified
    return Booking.objects.filter(mine)
