"""A trade partner with a contract, a member, and a group's worth of products."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from bookings.models import TradeContract
from tests.factories import MembershipFactory, OrganisationFactory
from tests.operators.factories import bookable_experience, bookable_stay
from tradeportal.models import Quote


def partner(*, name="Tuscany Discovery Tours GmbH", on_account=True, credit="25000.00"):
    organisation = OrganisationFactory(
        name=name, kind="trade", subkind="tour_operator", email="groups@tdt.example"
    )
    TradeContract.objects.create(
        organisation=organisation,
        option_days=5,
        on_account=on_account,
        credit_limit=Decimal(credit),
    )
    return organisation


def member(organisation):
    return MembershipFactory(organisation=organisation, role="staff").user


def group_products(*, days_ahead=20):
    """A guided tour (30 places at 30 EUR) and a hotel (10 doubles at 120 EUR a night)."""
    tour, slot = bookable_experience(
        capacity=30, days_ahead=days_ahead, adult="30.00", net="24.00", title_en="Walls walk"
    )
    hotel, room, start = bookable_stay(units=10, nights=4, days_ahead=days_ahead)
    return {"tour": tour, "slot": slot, "hotel": hotel, "room": room, "start": start}


def quote_for(organisation, **kwargs):
    return Quote.objects.create(
        organisation=organisation,
        title=kwargs.pop("title", "Group"),
        valid_until=timezone.localdate() + timedelta(days=10),
        **kwargs,
    )


def _booking_for(organisation):
    from tests.bookings.factories import _booking_for_buyer

    return _booking_for_buyer(organisation)


SCOPED_MODEL_FACTORIES = {Quote: quote_for}
