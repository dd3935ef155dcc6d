from datetime import timedelta

from allotments import services
from allotments.models import Allotment
from tests.factories import OrganisationFactory
from tests.operators.factories import bookable_experience, bookable_stay


def trade_partner(**kwargs):
    return OrganisationFactory(kind="trade", subkind="tour_operator", **kwargs)


def stay_allotment(*, partner=None, units=5, nights=7, quantity=2, release_days=3, days_ahead=10):
    """A hotel with `units` rooms on `nights` nights and an allotment of `quantity` rooms per
    night for the partner over those nights."""
    partner = partner or trade_partner()
    hotel, unit_type, start = bookable_stay(units=units, nights=nights, days_ahead=days_ahead)
    allotment = services.allotment_create(
        partner=partner,
        product=hotel,
        unit_type=unit_type,
        start_date=start,
        end_date=start + timedelta(days=nights - 1),
        quantity=quantity,
        release_days=release_days,
    )
    return allotment


def experience_allotment(*, partner=None, capacity=10, quantity=4, release_days=3, days_ahead=10):
    partner = partner or trade_partner()
    product, slot = bookable_experience(capacity=capacity, days_ahead=days_ahead)
    allotment = services.allotment_create(
        partner=partner,
        product=product,
        start_date=slot.date,
        end_date=slot.date,
        quantity=quantity,
        release_days=release_days,
    )
    return allotment, slot


def _allotment_of(organisation):
    if organisation.kind != "trade":
        organisation.kind, organisation.subkind = "trade", "tour_operator"
        organisation.save()
    return experience_allotment(partner=organisation)[0]


SCOPED_MODEL_FACTORIES = {Allotment: _allotment_of}
