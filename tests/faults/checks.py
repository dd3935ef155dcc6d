"""The invariants every fault test checks afterwards."""

from django.db.models import Q, Sum

from allotments.selectors import allotment_places_on_counters
from bookings.models import Allocation, AllocationState, Booking
from operators.models import GoodsStock, NightInventory, Slot


def assert_counters_equal_allocations() -> None:
    """Every slot, night and stock row counts exactly what its allocations hold and sold, plus
    the places its partners' allotments keep (held) until they are booked or released."""
    allotted = allotment_places_on_counters()
    for model, field in ((Slot, "slot"), (NightInventory, "night"), (GoodsStock, "stock")):
        for row in model.objects.all():
            totals = Allocation.objects.filter(**{field: row}).aggregate(
                held=Sum("quantity", filter=Q(state=AllocationState.HELD), default=0),
                sold=Sum("quantity", filter=Q(state=AllocationState.SOLD), default=0),
            )
            totals["held"] += allotted.get((field, row.pk), 0)
            assert (row.held, row.sold) == (totals["held"], totals["sold"]), (
                f"{model.__name__} {row.pk}: counters {(row.held, row.sold)} "
                f"!= allocations + allotments {(totals['held'], totals['sold'])}"
            )


def assert_one_booking_per_key(keys) -> None:
    """As many bookings as distinct Idempotency-Keys that succeeded."""
    assert Booking.objects.count() == len(set(keys))
