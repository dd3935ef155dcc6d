from datetime import timedelta

from bookings import services
from bookings.models import Booking, BookingLine, Participant
from operators.pricing import PaxMix
from tests.factories import OrganisationFactory
from tests.operators.factories import bookable_experience


def hold_experience(
    *, adults=2, capacity=10, organisation=None, buyer_organisation=None, channel="web", **kwargs
) -> Booking:
    product, slot = bookable_experience(organisation=organisation, capacity=capacity, **kwargs)
    return services.booking_hold(
        lines=[
            services.LineRequest(
                product=product, day=slot.date, slot=slot, pax=PaxMix.of(adults=adults)
            )
        ],
        channel=channel,
        contact_name="Anna Rossi",
        contact_email="anna@example.com",
        buyer_organisation=buyer_organisation,
        hold_for=timedelta(days=3) if buyer_organisation else None,
    )


def _booking_for_supplier(organisation):
    return hold_experience(organisation=organisation)


def _booking_for_buyer(organisation):
    if organisation.kind != "trade":
        organisation.kind, organisation.subkind = "trade", "tour_operator"
        organisation.save()
    return hold_experience(
        organisation=OrganisationFactory(), buyer_organisation=organisation, channel="trade"
    )


SCOPED_MODEL_FACTORIES = {
    Booking: _booking_for_buyer,
    BookingLine: lambda organisation: _booking_for_supplier(organisation).lines.first(),
    Participant: lambda organisation: Participant.objects.create(
        booking=_booking_for_supplier(organisation), first_name="A", last_name="B"
    ),
}
