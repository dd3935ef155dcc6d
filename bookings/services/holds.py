"""Holds: taking inventory for a new booking, and releasing expired holds."""

from __future__ import annotations

import logging
from datetime import date, timedelta
from decimal import Decimal

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from marketplace.queries import read_together
from operators.pricing import money, rates_reads
from trade.pricing import terms_for

from ..models import (
    Allocation,
    Booking,
    BookingEvent,
    BookingLine,
    BookingStatus,
    CancelReason,
    Channel,
    VatRegime,
)
from . import inventory
from .allotment_hooks import (
    draw_from_partner_allotment,
    draws_nothing,
    partner_reserved_places,
    partner_reserved_reads,
)
from .cancellation import booking_cancel
from .common import _notification, _notify, _recompute_totals
from .errors import BookingError, Busy
from .inventory import _run_locked, _take, refusals
from .planning import (
    ZERO,
    LineRequest,
    _event,
    _hold_context,
    _HoldContext,
    _option_expiry,
    _plan,
    _planned_services,
    _PlannedLine,
    _record,
    _supplier_reads,
    _tiers_for,
)
from .terms import _terms, option_latest_expiry
from .writes import ids_from_rows, ids_statement, next_ids, write_at_once

logger = logging.getLogger(__name__)


# --- the services ---------------------------------------------------------------------------


def booking_hold(
    *,
    lines: list[LineRequest],
    channel: str,
    contact_name: str,
    contact_email: str,
    contact_phone: str = "",
    language: str = "it",
    buyer_user=None,
    buyer_organisation=None,
    actor=None,
    hold_for: timedelta | None = None,
    buyer_reference: str = "",
    notes: str = "",
    package_lines: list | None = None,
    today: date | None = None,
) -> Booking:
    """Hold inventory for every line or for none, and return the held booking (an option for
    trade partners, a 15-minute checkout hold for travellers). `today` lets the back office
    record bookings of past services (history imports, the demo).

    Everything is read before the transaction; inside it the rows are inserted first and the
    counters taken last, so a counter's row lock lasts from its UPDATE to COMMIT. Without
    packages the booking carries `inserted_lines` and `inserted_events`: the rows as inserted."""
    if not lines and not package_lines:
        raise BookingError({"lines": _("Add at least one item to book.")})
    if channel not in Channel.values:
        raise BookingError({"channel": _("Unknown channel.")})
    if not contact_name or not contact_email:
        raise BookingError({"contact_email": _("A contact name and email are required.")})
    today = today or timezone.localdate()
    counts = _counts_ahead(lines, package_lines)
    reads, extra = _reads_ahead(lines, buyer_organisation, counts)
    with read_together(reads, extra) as ahead:  # the reads below answered from one round trip
        reserved = partner_reserved_places(organisation=buyer_organisation, requests=lines)
        context = _hold_context(
            buyer=buyer_organisation,
            products=[request.product for request in lines],
            supplier_ids=[request.product.organisation_id for request in lines],
        )
        pricing = {}
        if buyer_organisation is not None:  # the partner's price terms, once for every line
            pricing["partner_terms"] = terms_for(buyer_organisation) if context.contract else None
        planned = [
            _plan(request, today, own=reserved, buyer=buyer_organisation, **pricing)
            for request in lines
        ]
        planned_packages = [
            pkg.plan(today, buyer=buyer_organisation) for pkg in package_lines or []
        ]
        services = _planned_services(planned, planned_packages)
        terms = dict(context.supplier_terms)
        terms.update(_terms(s[0] for s in services if s[0] not in terms))
        booking = Booking(
            channel=channel,
            language=language,
            buyer_user=buyer_user,
            buyer_organisation=buyer_organisation,
            contact_name=contact_name,
            contact_email=contact_email,
            contact_phone=contact_phone,
            buyer_reference=buyer_reference,
            notes=notes,
            expires_at=_option_expiry(
                channel,
                buyer_organisation,
                hold_for,
                latest=option_latest_expiry(services, terms),
                contract=context.contract,
            ),
        )
        if not planned_packages:  # totals known now: one INSERT, no re-read (the hot path)
            booking.total_retail = money(sum((p.quote.retail_total for p in planned), ZERO))
            booking.total_net = money(sum((p.quote.net_total for p in planned), ZERO))
            booking.tourist_tax = money(sum((p.tourist_tax for p in planned), ZERO))
            booking.first_service_date = min(p.request.day for p in planned)
        # The reference's uniqueness is the database's constraint (a clash is ~1 in 10^10).
        booking.full_clean(exclude=_COMPUTED_FIELDS, validate_unique=False)
    # Allotments are drawn from only where the partner keeps places on the rows (read above).
    hint = reserved if not planned_packages else None
    if not planned_packages and _at_once(booking, planned, reserved):
        ids = ids_from_rows(counts, ahead[0]) if ahead and ahead[0] is not None else None
        return _hold_at_once(booking, planned, context, actor, ids=ids)

    def write():
        booking.save(force_insert=True)
        # Drawn first where the partner keeps places (the allocations record it); otherwise
        # nothing is read here and general sale's counters are the only rows locked, last.
        needs = [need for p in planned for need in p.needs]
        needs += [need for pkg in planned_packages for need in pkg.needs]
        left = draw_from_partner_allotment(
            booking=booking, needs=needs, as_state="held", reserved=hint
        )
        drawn = _drawn(needs, left)
        new_lines = [
            _line_for(booking, p, position, context) for position, p in enumerate(planned, start=1)
        ]
        _save_lines(new_lines, [p.needs for p in planned], drawn)
        position = len(planned)
        departures = []  # their places are taken last, with the other counters
        for pkg in planned_packages:
            position += 1
            pkg.create_lines(booking, position, deferred=departures)
        if planned_packages:
            _recompute_totals(booking)
        event = _record(booking, **_held(booking, actor))
        _notify("held", booking)
        # Last, and sent with the COMMIT: a counter's row lock lasts for the server's work only.
        _take(left + departures, as_state="held", commit=True)
        if not planned_packages:  # what was inserted, for an answer built without re-reading
            booking.inserted_lines, booking.inserted_events = new_lines, [event]
        return booking

    return _run_locked(write)


# What the caller gives is validated (lengths, the email, the language); the rest is computed
# here (totals, dates, the reference, the status) or already checked (the channel), and the
# buyer is an object in hand, not an id to look up.
_CALLER_FIELDS = frozenset(
    {"contact_name", "contact_email", "contact_phone", "buyer_reference", "notes", "language"}
)
_COMPUTED_FIELDS = [
    field.name for field in Booking._meta.concrete_fields if field.name not in _CALLER_FIELDS
]


def _held(booking, actor) -> dict:
    """The history event of a hold, on either path."""
    return {
        "action": "hold",
        "actor": actor,
        "to_status": BookingStatus.HELD,
        "data": {"expires_at": booking.expires_at.isoformat()},
    }


def _id_counts(lines: int, allocations: int) -> list[tuple[type, int]]:
    from outbox.models import OutboxMessage

    return [
        (Booking, 1),
        (BookingLine, lines),
        (Allocation, allocations),
        (BookingEvent, 1),
        (OutboxMessage, 1),
    ]


def _counts_ahead(lines, package_lines) -> list | None:
    """The ids a hold written in one round trip will need, when known before planning: lines
    of slots (one allocation each), no package, and the one-round-trip path open (PostgreSQL,
    no caller's transaction). None otherwise."""
    if (
        package_lines
        or not _one_round_trip_open()
        or any(request.slot is None or request.unit_type is not None for request in lines)
    ):
        return None
    return _id_counts(len(lines), len(lines))


def _reads_ahead(lines, buyer, counts) -> tuple[list, list]:
    """What a hold reads before writing, sent together in one round trip (PostgreSQL): the
    partner's allotment places, the supplier with its terms, each product's rates, and the
    new rows' ids when `counts` knows them (marketplace.queries.read_together)."""
    reads = partner_reserved_reads(organisation=buyer, requests=lines)
    products = [request.product for request in lines]
    reads += _supplier_reads([product.organisation_id for product in products], products)
    reads += rates_reads(products)
    extra = [ids_statement(counts)] if counts else []
    return reads, extra


def _at_once(booking, planned, reserved) -> bool:
    """Whether the hold can be written in one round trip (`writes.py`): PostgreSQL, not inside
    a caller's transaction (it commits its own), no package, nothing to draw from an
    allotment, and the counters locked (the race tests' canary switches them off)."""
    return _one_round_trip_open() and draws_nothing(
        booking=booking, needs=[n for p in planned for n in p.needs], reserved=reserved
    )


def _one_round_trip_open() -> bool:
    return (
        connection.vendor == "postgresql"
        and not connection.in_atomic_block
        and inventory.LOCKING_ENABLED
    )


def _hold_at_once(booking, planned, context, actor, ids=None) -> Booking:
    """The same rows as `booking_hold`'s transaction (booking, lines, allocations, the history
    event, the notification's outbox row) and the same counters, in one round trip. `ids`:
    drawn with the hold's reads, if they are as many as the rows."""
    from outbox.services import outbox_dispatch

    counts = _id_counts(len(planned), sum(len(p.needs) for p in planned))
    if ids is None or [len(values) for values in ids] != [n for _model, n in counts]:
        ids = next_ids(counts)
    booking.pk = ids[0][0]
    lines = [_line_for(booking, p, position, context) for position, p in enumerate(planned, 1)]
    for line, pk in zip(lines, ids[1], strict=True):
        line.pk = pk
    allocations = [
        Allocation(line=line, quantity=n.quantity, from_allotment=False, **{f"{n.kind}_id": n.pk})
        for line, p in zip(lines, planned, strict=True)
        for n in p.needs
    ]
    for allocation, pk in zip(allocations, ids[2], strict=True):
        allocation.pk = pk
    event = _event(booking, **_held(booking, actor))
    event.pk = ids[3][0]
    message = _notification("held", booking)
    if message is not None:
        message.pk = ids[4][0]
    wanted = inventory._wanted([n for p in planned for n in p.needs])
    with refusals():
        write_at_once(
            [[booking], lines, allocations, [event], [message] if message else []],
            wanted,
            as_state="held",
        )
    if message is not None:  # committed: as `outbox_enqueue`'s on-commit hook would
        outbox_dispatch(message_id=message.pk)
    booking.inserted_lines, booking.inserted_events = lines, [event]
    return booking


def _line_for(
    booking,
    p: _PlannedLine,
    position,
    context: _HoldContext,
    parent=None,
    regime=VatRegime.ORDINARY,
    retail=None,
    net=None,
) -> BookingLine:
    """An unsaved line of `booking` from its planned request and the pre-loaded context."""
    request = p.request
    quote = p.quote
    supplier_id = request.product.organisation_id
    supplier = context.suppliers.get(supplier_id)
    return BookingLine(
        **({"supplier": supplier} if supplier is not None else {"supplier_id": supplier_id}),
        booking=booking,
        parent=parent,
        kind=p.kind,
        product=request.product,
        unit_type=request.unit_type,
        slot=request.slot,
        title=p.title[:300],
        service_date=request.day,
        end_date=p.end_date,
        start_time=p.start_time,
        quantity=p.quantity,
        pax=request.pax.as_dict(),
        persons=p.persons,
        retail_amount=quote.retail_total if retail is None else retail,
        net_amount=quote.net_total if net is None else net,
        public_amount=getattr(quote, "public_total", quote.retail_total)
        if retail is None
        else retail,
        partner_pricing=getattr(quote, "terms", {}) if retail is None else {},
        commission_amount=(quote.retail_total if retail is None else retail)
        - (quote.net_total if net is None else net),
        vat_rate=quote.vat_rate if regime == VatRegime.ORDINARY else Decimal("0"),
        vat_regime=regime,
        sales_model=context.sales_model_of(supplier_id),
        price_breakdown=quote.as_dict()["lines"],
        cancellation_tiers=_tiers_for(request.product, None, context),
        tourist_tax=p.tourist_tax,
        tax_exempt_residents=request.residents,
        position=position,
    )


def _drawn(needs: list, left: list) -> set[tuple[str, int]]:
    """The rows (kind, pk) on which an allotment gave places: less is left than was needed."""
    wanted: dict[tuple[str, int], int] = {}
    for need in needs:
        wanted[(need.kind, need.pk)] = wanted.get((need.kind, need.pk), 0) + need.quantity
    for need in left:
        wanted[(need.kind, need.pk)] -= need.quantity
    return {key for key, quantity in wanted.items() if quantity > 0}


def _save_lines(lines: list[BookingLine], needs: list[list], drawn: set | None = None) -> None:
    """Insert the lines (one statement where the database returns their ids) and their
    allocations (one statement), recording which rows an allotment gave (`drawn`)."""
    if connection.features.can_return_rows_from_bulk_insert:
        BookingLine.objects.bulk_create(lines)
    else:
        for line in lines:
            line.save(force_insert=True)
    Allocation.objects.bulk_create(
        [
            Allocation(
                line=line,
                quantity=n.quantity,
                from_allotment=None if drawn is None else (n.kind, n.pk) in drawn,
                **{f"{n.kind}_id": n.pk},
            )
            for line, line_needs in zip(lines, needs, strict=True)
            for n in line_needs
        ]
    )


def _create_line(
    booking,
    p: _PlannedLine,
    position,
    buyer_organisation,
    parent=None,
    regime=VatRegime.ORDINARY,
    retail=None,
    net=None,
) -> BookingLine:
    """Insert one line and its allocations (amendments and carts, one line at a time)."""
    product = p.request.product
    context = _hold_context(
        buyer=buyer_organisation, products=[product], supplier_ids=[product.organisation_id]
    )
    line = _line_for(booking, p, position, context, parent, regime, retail, net)
    line.save(force_insert=True)
    _save_lines_allocations(line, p.needs)
    return line


def _save_lines_allocations(line: BookingLine, needs: list) -> None:
    Allocation.objects.bulk_create(
        [Allocation(line=line, quantity=n.quantity, **{f"{n.kind}_id": n.pk}) for n in needs]
    )


def holds_release_expired(*, now=None, batch: int = 200) -> int:
    """Cancel options and checkout holds past their expiry and release their inventory
    (periodic task). Rows locked by a payment in progress are skipped and retried later."""
    now = now or timezone.now()
    ids = list(
        Booking.objects.filter(
            status__in=(BookingStatus.HELD, BookingStatus.PENDING_PAYMENT),
            expires_at__lt=now,
        ).values_list("pk", flat=True)[:batch]
    )
    released = 0
    for pk in ids:
        try:
            with transaction.atomic():
                booking = (
                    Booking.objects.select_for_update(skip_locked=True)
                    .filter(
                        pk=pk,
                        status__in=(BookingStatus.HELD, BookingStatus.PENDING_PAYMENT),
                        expires_at__lt=now,
                    )
                    .first()
                )
                if booking is None:
                    continue
                booking_cancel(
                    booking=booking, reason=CancelReason.EXPIRED, note=_("The option expired.")
                )
                _notify("expired", booking)
                released += 1
        except Busy:
            logger.info("booking %s busy, expiry retried later", pk)
    return released
