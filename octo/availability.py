"""OCTO availability: the calendar (one object per day) and the check (one object per slot or
day, whose id a reservation names). A range is one query on the slot / night / stock rows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

from operators.models import GoodsStock, ProductKind, Slot, SlotStatus
from operators.partner_places import PartnerPlaces, partner_places

from .catalogue import (
    is_start_time,
    nights_of,
    party_price,
    pricing_dict,
    quote_kwargs_for,
    unit_price,
    units_of,
)
from .errors import BadRequest, InvalidAvailabilityId

MAX_DAYS = 366


@dataclass
class Place:
    """One bookable availability: a slot, or a day of a stay's room type or of goods."""

    id: str
    day: date
    start: datetime  # aware, local
    end: datetime
    all_day: bool
    capacity: int | None
    vacancies: int
    open: bool
    slot: Slot | None = None
    night: object = None
    opening_hours: tuple = ()


def utc(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def local_iso(value: datetime) -> str:
    return timezone.localtime(value).isoformat()


def day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(0, 0)))


def parse_day(value, field: str) -> date:
    if not isinstance(value, str):
        raise BadRequest(_("%(field)s must be a date (YYYY-MM-DD).") % {"field": field})
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise BadRequest(_("%(field)s must be a date (YYYY-MM-DD).") % {"field": field}) from None


def date_range(data: dict) -> tuple[date, date]:
    """localDate, or localDateStart and localDateEnd: today or later, at most a year."""
    if data.get("localDate") is not None:
        start = end = parse_day(data["localDate"], "localDate")
    elif data.get("localDateStart") is not None and data.get("localDateEnd") is not None:
        start = parse_day(data["localDateStart"], "localDateStart")
        end = parse_day(data["localDateEnd"], "localDateEnd")
    else:
        raise BadRequest(_("Send localDate, or localDateStart and localDateEnd."))
    if end < start:
        raise BadRequest(_("localDateEnd is before localDateStart."))
    if end < timezone.localdate():
        raise BadRequest(_("The dates asked are in the past."))
    if (end - start).days >= MAX_DAYS:
        raise BadRequest(_("Ask for at most %(n)s days at a time.") % {"n": MAX_DAYS})
    return max(start, timezone.localdate()), end


def requested_units(product, unit_type, raw) -> list:
    """The `units` of a request ([{id, quantity}]) as a list of catalogue units, one per item."""
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise BadRequest(_("units must be a list of {id, quantity}."))
    known = {u.id: u for u in units_of(product, unit_type)}
    party = []
    for item in raw:
        if not isinstance(item, dict):
            raise BadRequest(_("units must be a list of {id, quantity}."))
        unit_id = item.get("id")
        unit = known.get(unit_id) if isinstance(unit_id, str) else None
        if unit is None:
            # The standard's availability endpoints answer an unknown unit as BAD_REQUEST.
            raise BadRequest(_("Unknown unit id: %(id)s.") % {"id": str(unit_id)[:60]})
        quantity = item.get("quantity", 0)
        if not isinstance(quantity, int) or isinstance(quantity, bool) or not 0 <= quantity <= 999:
            raise BadRequest(_("A unit's quantity must be a whole number from 0 to 999."))
        party += [unit] * quantity
    return party


def _seats(product, party) -> int:
    return sum(1 for u in party if u.pax_count > 0) if is_start_time(product) else len(party)


def places(product, unit_type, start: date, end: date, *, organisation=None) -> list[Place]:
    """Everything bookable of an option between two days (inclusive), in order. The partner
    `organisation`'s own allotment places count as vacancies for it (for it only)."""
    now = timezone.now()
    own = partner_places(organisation, start=start, end=end) or PartnerPlaces()
    sale_from, sale_until = product.available_from, product.available_until

    def on_sale(day):
        return (sale_from is None or day >= sale_from) and (sale_until is None or day <= sale_until)

    if is_start_time(product):
        slots = Slot.objects.filter(product=product, date__gte=start, date__lte=end).order_by(
            "starts_at"
        )
        return [
            Place(
                id=local_iso(s.starts_at),
                day=s.date,
                start=timezone.localtime(s.starts_at),
                end=timezone.localtime(s.ends_at),
                all_day=False,
                capacity=s.capacity,
                vacancies=max(s.capacity - s.sold - s.held, 0) + own.slot(s.pk),
                open=s.status == SlotStatus.OPEN and s.starts_at > now and on_sale(s.date),
                slot=s,
            )
            for s in slots
        ]
    days = [start + timedelta(days=i) for i in range((end - start).days + 1)]
    if product.kind == ProductKind.ACCOMMODATION:
        nights = nights_of(unit_type, start, end)
        hours = (
            ({"from": product.check_in_time.strftime("%H:%M"), "to": "23:59"},)
            if product.check_in_time
            else ()
        )
        found = []
        for day in days:
            night = nights.get(day)
            if night is None:
                continue
            min_stay = night.min_stay or unit_type.min_stay
            found.append(
                Place(
                    id=local_iso(day_start(day)),
                    day=day,
                    start=day_start(day),
                    end=day_start(day + timedelta(days=1)),
                    all_day=True,
                    capacity=night.units,
                    vacancies=0
                    if night.closed
                    else max(night.units - night.sold - night.held, 0) + own.night(night.pk),
                    open=not night.closed
                    and not night.closed_to_arrival
                    and min_stay <= 1
                    and on_sale(day),
                    night=night,
                    opening_hours=hours,
                )
            )
        return found
    stock = GoodsStock.objects.filter(product=product).first()
    left = max(stock.quantity - stock.sold - stock.held, 0) if stock else 0
    return [
        Place(
            id=local_iso(day_start(day)),
            day=day,
            start=day_start(day),
            end=day_start(day + timedelta(days=1)),
            all_day=True,
            capacity=None,
            vacancies=left,
            open=stock is not None and on_sale(day),
        )
        for day in days
    ]


def place_get(product, unit_type, availability_id, *, organisation=None) -> Place:
    """The place an availability id names, checked to be of this option."""
    if not isinstance(availability_id, str) or not availability_id:
        raise InvalidAvailabilityId(value="")
    try:
        moment = datetime.fromisoformat(availability_id)
    except ValueError:
        raise InvalidAvailabilityId(value=availability_id) from None
    if timezone.is_naive(moment):
        raise InvalidAvailabilityId(value=availability_id)
    day = timezone.localtime(moment).date()
    for place in places(product, unit_type, day, day, organisation=organisation):
        if place.id == availability_id or place.start == moment:
            return place
    raise InvalidAvailabilityId(value=availability_id)


def _status(place: Place) -> str:
    if not place.open:
        return "CLOSED"
    if place.vacancies <= 0:
        return "SOLD_OUT"
    if place.capacity and place.vacancies * 2 < place.capacity:
        return "LIMITED"
    return "AVAILABLE"


def availability_dict(
    organisation, product, unit_type, place: Place, *, party, pricing, public_cache=None
) -> dict:
    status = _status(place)
    seats = _seats(product, party)
    data = {
        "id": place.id,
        "localDateTimeStart": local_iso(place.start),
        "localDateTimeEnd": local_iso(place.end),
        "utcCutoffAt": utc(place.start),
        "allDay": place.all_day,
        "available": status in ("AVAILABLE", "LIMITED") and place.vacancies >= seats,
        "status": status,
        "vacancies": place.vacancies if place.open else 0,
        "capacity": place.capacity,
        "maxUnits": product.max_pax if is_start_time(product) else place.vacancies,
        "openingHours": list(place.opening_hours),
    }
    if pricing:
        unit_prices = []
        for unit in units_of(product, unit_type):
            price = unit_price(
                organisation,
                product,
                unit,
                place.day,
                unit_type=unit_type,
                night=place.night,
                public_cache=public_cache,
            )
            if price:
                unit_prices.append({"unitId": unit.id, **pricing_dict(*price)})
        data["unitPricing"] = unit_prices
        if party:
            total = party_price(
                organisation,
                product,
                **quote_kwargs_for(
                    product, party, place.day, unit_type=unit_type, night=place.night
                ),
            )
            if total:
                data["pricing"] = pricing_dict(*total)
    return data


def availability_check(organisation, product, unit_type, data: dict, *, pricing) -> list[dict]:
    party = requested_units(product, unit_type, data.get("units"))
    ids = data.get("availabilityIds")
    if ids is not None:
        if not isinstance(ids, list) or not ids or len(ids) > 100:
            raise BadRequest(_("availabilityIds must be a list of 1 to 100 ids."))
        try:
            found = [
                place_get(product, unit_type, availability_id, organisation=organisation)
                for availability_id in ids
            ]
        except InvalidAvailabilityId as exc:
            # The standard's availability check lists no INVALID_AVAILABILITY_ID.
            raise BadRequest(
                _("Unknown availability id: %(id)s.") % {"id": exc.value[:60]}
            ) from exc
    else:
        start, end = date_range(data)
        found = places(product, unit_type, start, end, organisation=organisation)
    public_cache: dict = {}
    return [
        availability_dict(
            organisation,
            product,
            unit_type,
            p,
            party=party,
            pricing=pricing,
            public_cache=public_cache,
        )
        for p in found
    ]


def availability_calendar(organisation, product, unit_type, data: dict, *, pricing) -> list:
    """One object per day: the vacancies of the day's open slots (or the night, the stock)."""
    party = requested_units(product, unit_type, data.get("units"))
    seats = _seats(product, party)
    start, end = date_range(data)
    by_day: dict[date, list[Place]] = {}
    for place in places(product, unit_type, start, end, organisation=organisation):
        by_day.setdefault(place.day, []).append(place)
    units = units_of(product, unit_type) if pricing else []
    public_cache: dict = {}
    result = []
    day = start
    while day <= end:
        day_places = by_day.get(day, [])
        open_places = [p for p in day_places if p.open]
        vacancies = sum(p.vacancies for p in open_places)
        capacities = [p.capacity for p in open_places]
        capacity = None if any(c is None for c in capacities) else sum(capacities)
        if not open_places:
            status = "CLOSED"
        elif vacancies <= 0:
            status = "SOLD_OUT"
        elif capacity and vacancies * 2 < capacity:
            status = "LIMITED"
        else:
            status = "AVAILABLE"
        entry = {
            "localDate": day.isoformat(),
            "available": status in ("AVAILABLE", "LIMITED")
            and any(p.vacancies >= seats for p in open_places),
            "status": status,
            "vacancies": vacancies,
            "capacity": capacity if open_places else 0,
            "openingHours": list(open_places[0].opening_hours) if open_places else [],
        }
        if pricing and open_places:
            night = open_places[0].night
            unit_prices = []
            for unit in units:
                price = unit_price(
                    organisation,
                    product,
                    unit,
                    day,
                    unit_type=unit_type,
                    night=night,
                    public_cache=public_cache,
                )
                if price:
                    unit_prices.append({"unitId": unit.id, **pricing_dict(*price)})
            entry["unitPricingFrom"] = unit_prices
            if party:
                total = party_price(
                    organisation,
                    product,
                    **quote_kwargs_for(product, party, day, unit_type=unit_type, night=night),
                )
            else:
                paying = [p for p in unit_prices if p["net"] > 0] or unit_prices
                total = None
                if paying:
                    cheapest = min(paying, key=lambda p: p["net"])
                    entry["pricingFrom"] = {k: v for k, v in cheapest.items() if k != "unitId"}
            if party and total:
                entry["pricingFrom"] = pricing_dict(*total)
        result.append(entry)
        day += timedelta(days=1)
    return result
