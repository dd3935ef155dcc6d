"""Reads of the trade portal: a partner's home, its quotes, and the group search priced at
the partner's prices (through trade.pricing only)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import timezone

from bookings.models import Booking, BookingStatus
from operators.models import ProductKind
from operators.pricing import PaxMix
from operators.selectors import SearchCriteria, availability_search_page

from .models import OPEN_STATUSES, Quote
from .pricing import LinePrice, price_package_line, price_product_line

EXPIRING_SOON = timedelta(days=2)


def quotes_of(organisation) -> QuerySet[Quote]:
    return Quote.objects.filter(organisation=organisation).select_related("booking")


def quote_detail(organisation, reference: str) -> Quote | None:
    return (
        quotes_of(organisation)
        .prefetch_related("lines__product", "lines__package", "lines__slot", "lines__unit_type")
        .filter(reference=str(reference).upper())
        .first()
    )


def trade_home(organisation, *, now=None) -> dict:
    """Open quotes, options (those expiring soon first), upcoming confirmed bookings, the
    credit left: a fixed number of queries."""
    from bookings.models import TradeContract
    from payments.selectors import partner_outstanding

    now = now or timezone.now()
    today = timezone.localdate(now)
    bookings = Booking.objects.filter(buyer_organisation=organisation)
    options = list(
        bookings.filter(
            status__in=(BookingStatus.HELD, BookingStatus.PENDING_PAYMENT), expires_at__gt=now
        ).order_by("expires_at")[:20]
    )
    contract = TradeContract.objects.filter(organisation=organisation).first()
    limit = contract.credit_limit if contract else Decimal("0")
    outstanding = partner_outstanding(organisation)
    return {
        "open_quotes": list(
            Quote.objects.filter(
                organisation=organisation, status__in=OPEN_STATUSES, valid_until__gte=today
            ).order_by("valid_until")[:10]
        ),
        "options": options,
        "expiring": [b for b in options if b.expires_at <= now + EXPIRING_SOON],
        "upcoming": list(
            bookings.filter(status=BookingStatus.CONFIRMED, first_service_date__gte=today).order_by(
                "first_service_date"
            )[:10]
        ),
        "contract": contract,
        "credit_limit": limit,
        "outstanding": outstanding,
        "credit_left": limit - outstanding,
    }


# --- group search ---------------------------------------------------------------------------


@dataclass
class GroupSearch:
    start: date
    end: date
    pax: PaxMix
    kind: str = ""  # "", experience, service, accommodation, package
    q: str = ""
    rooms: dict[int, int] = field(default_factory=dict)  # occupancy (1, 2, 3, 4) -> rooms

    @property
    def check_out(self) -> date:
        return self.end if self.end > self.start else self.start + timedelta(days=1)


@dataclass
class Offer:
    """One thing the group can book, at the partner's price."""

    kind: str
    title: str
    price: LinePrice
    product: object = None
    package: object = None
    slot: object = None
    unit_type: object = None
    day: date | None = None
    check_out: date | None = None
    units: int = 1
    pax: PaxMix | None = None
    available: int | None = None


@dataclass
class ProductOffers:
    product: object = None
    package: object = None
    offers: list[Offer] = field(default_factory=list)


MAX_SLOTS_PER_PRODUCT = 4
MAX_RESULTS = 20


def _rooms_for(unit_type, search: GroupSearch) -> int:
    """Rooms of this type the group asks for: the rooms of its occupancy if given, else
    enough of them for everybody."""
    occupancy = unit_type.standard_occupancy or unit_type.max_occupancy or 1
    if search.rooms:
        return search.rooms.get(occupancy, 0)
    seats = max(search.pax.seats, 1)
    per_room = unit_type.max_occupancy or 1
    return -(-seats // per_room)


def _pax_for_rooms(unit_type, rooms: int, pax: PaxMix, search: GroupSearch) -> PaxMix:
    """The share of the group sleeping in these rooms (all of it without a rooms split)."""
    if not search.rooms:
        return pax
    persons = min(rooms * (unit_type.standard_occupancy or 1), pax.seats)
    adults = min(persons, pax.adults)
    seniors = min(persons - adults, pax.seniors)
    return PaxMix.of(adults=adults or (1 if not seniors else 0), seniors=seniors)


def group_search(organisation, search: GroupSearch, *, today: date | None = None) -> list:
    """Experiences, services and stays bookable for the group in the dates, and packages
    starting on the first day, each priced for the partner."""
    today = today or timezone.localdate()
    results: list[ProductOffers] = []
    if search.kind in ("", ProductKind.EXPERIENCE, ProductKind.SERVICE):
        results += _slot_offers(organisation, search, today)
    if search.kind in ("", ProductKind.ACCOMMODATION):
        results += _stay_offers(organisation, search, today)
    if search.kind in ("", "package"):
        results += _package_offers(organisation, search, today)
    return results


def _slot_offers(organisation, search, today) -> list[ProductOffers]:
    results = []
    for kind in [search.kind] if search.kind else [ProductKind.EXPERIENCE, ProductKind.SERVICE]:
        criteria = SearchCriteria(
            start=search.start, end=search.end, pax=search.pax, kind=kind, q=search.q
        )
        _total, page = availability_search_page(
            criteria=criteria, organisation=organisation, limit=MAX_RESULTS
        )
        for availability in page:
            product = availability.product
            entry = ProductOffers(product=product)
            for option in availability.slots[:MAX_SLOTS_PER_PRODUCT]:
                price = price_product_line(
                    organisation,
                    product=product,
                    day=option.slot.date,
                    pax=search.pax,
                    slot=option.slot,
                    units=option.units,
                    today=today,
                )
                if price.amount and not price.problem:
                    entry.offers.append(
                        Offer(
                            kind=product.kind,
                            title=str(product),
                            price=price,
                            product=product,
                            slot=option.slot,
                            day=option.slot.date,
                            units=option.units,
                            pax=search.pax,
                            available=option.available,
                        )
                    )
            if entry.offers:
                results.append(entry)
    return results


def _stay_offers(organisation, search, today) -> list[ProductOffers]:
    # Properties with at least one free room of a type every night: the group may spread
    # over several room types, so each type is offered with the rooms the group asked for.
    criteria = SearchCriteria(
        start=search.start,
        end=search.check_out,
        pax=PaxMix.of(adults=1),
        kind=ProductKind.ACCOMMODATION,
        q=search.q,
    )
    _total, page = availability_search_page(
        criteria=criteria, organisation=organisation, limit=MAX_RESULTS
    )
    results = []
    for availability in page:
        product = availability.product
        entry = ProductOffers(product=product)
        for option in availability.stays:
            unit_type = option.unit_type
            rooms = _rooms_for(unit_type, search)
            if rooms < 1:
                continue
            pax = _pax_for_rooms(unit_type, rooms, search.pax, search)
            price = price_product_line(
                organisation,
                product=product,
                day=search.start,
                pax=pax,
                unit_type=unit_type,
                check_out=search.check_out,
                units=rooms,
                today=today,
            )
            if not price.amount or price.problem:
                continue
            entry.offers.append(
                Offer(
                    kind=ProductKind.ACCOMMODATION,
                    title=f"{product} · {unit_type.name}",
                    price=price,
                    product=product,
                    unit_type=unit_type,
                    day=search.start,
                    check_out=search.check_out,
                    units=rooms,
                    pax=pax,
                    available=option.available,
                )
            )
        if entry.offers:
            results.append(entry)
    return results


def _package_offers(organisation, search, today) -> list[ProductOffers]:
    from packages.models import Package, PackageStatus

    packages = Package.objects.filter(status=PackageStatus.PUBLISHED).order_by("title")
    if search.q:
        packages = packages.filter(title__icontains=search.q.strip())
    results = []
    for package in packages[:10]:
        try:
            price = price_package_line(
                organisation, package=package, day=search.start, pax=search.pax, today=today
            )
        except ValidationError:
            continue
        if not price.amount or price.problem:
            continue
        results.append(
            ProductOffers(
                package=package,
                offers=[
                    Offer(
                        kind="package",
                        title=str(package.title),
                        price=price,
                        package=package,
                        day=search.start,
                        pax=search.pax,
                    )
                ],
            )
        )
    return results
