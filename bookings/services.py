"""The booking engine. Every channel books through these functions.

Inventory (slots, nights, goods stock) is taken, converted, moved and released only here,
inside one transaction, after locking the rows in a fixed order (slots, then nights, then
stock, each by primary key) so that two bookings never deadlock; counters change with F()
expressions under a CheckConstraint `sold + held <= capacity`. A lock wait longer than the
database's lock_timeout becomes `Busy` (HTTP 409), never a partial booking."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import DatabaseError, IntegrityError, OperationalError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from marketplace.errors import DomainError
from operators.availability import stay_problem
from operators.models import (
    GoodsStock,
    NightInventory,
    PricingUnit,
    Product,
    ProductKind,
    ProductStatus,
    Slot,
    SlotStatus,
    UnitType,
)
from operators.pricing import PaxMix, PriceQuote, money, price_product

from .models import (
    ACTIVE_STATUSES,
    TRANSITIONS,
    Allocation,
    AllocationState,
    Amendment,
    Booking,
    BookingEvent,
    BookingLine,
    BookingStatus,
    CancelReason,
    Channel,
    LineKind,
    LineStatus,
    Participant,
    TouristTaxRule,
    TradeContract,
    VatRegime,
)
from .policies import TaxRuleView, penalty_for, tourist_tax_for_stay

logger = logging.getLogger(__name__)

ZERO = Decimal("0")
TRAVELLER_HOLD = timedelta(minutes=15)
DEFAULT_OPTION_DAYS = 3
DEFAULT_CANCELLATION_TIERS = [
    {"days_before": 30, "penalty_percent": "30", "penalty_amount": "0"},
    {"days_before": 7, "penalty_percent": "50", "penalty_amount": "0"},
    {"days_before": 1, "penalty_percent": "100", "penalty_amount": "0"},
]


class BookingError(ValidationError):
    """Bad input: a 400 with the field named."""


class PaymentRequired(DomainError):
    """The buyer must pay (or have credit on account) before the booking is confirmed."""

    code = "payment_required"
    api_status = 402


class SoldOut(DomainError):
    """Not enough inventory left: a 409 with a clear message; nothing is held."""

    code = "sold_out"


class Busy(DomainError):
    """The inventory is locked by other bookings for too long: try again (409)."""

    code = "busy"
    default_message = gettext_lazy("The inventory is busy, please try again in a moment.")


class InvalidTransition(DomainError):
    code = "invalid_transition"


# --- requests -------------------------------------------------------------------------------


@dataclass
class LineRequest:
    """One thing to book. Experiences and services name a slot; stays a unit type and dates;
    goods a quantity."""

    product: Product
    day: date
    pax: PaxMix = field(default_factory=PaxMix)
    slot: Slot | None = None
    unit_type: UnitType | None = None
    check_out: date | None = None
    units: int = 1
    quantity: int = 1
    residents: int = 0


@dataclass
class _Need:
    """Inventory a line needs: kind ("slot", "night", "stock"), row id, quantity."""

    kind: str
    pk: int
    quantity: int


# --- locking helpers -----------------------------------------------------------------------

# Tests switch this off to show that the race test detects an oversell without the locks.
LOCKING_ENABLED = True


def _race_window():
    """A hook the canary test uses to widen the read-then-write window."""


def _lock_rows(model, pks):
    qs = model.objects.filter(pk__in=sorted(set(pks))).order_by("pk")
    if LOCKING_ENABLED:
        qs = qs.select_for_update()
    return {row.pk: row for row in qs}


def _is_lock_error(exc: Exception) -> bool:
    cause = getattr(exc, "__cause__", None)
    sqlstate = getattr(cause, "sqlstate", None) or getattr(cause, "pgcode", None)
    if sqlstate in ("55P03", "40P01", "40001"):  # lock_not_available, deadlock, serialization
        return True
    return "database is locked" in str(exc)


def _run_locked(fn):
    """Run fn in a durable transaction; a lock timeout or deadlock becomes Busy."""
    try:
        with transaction.atomic(durable=not _in_test_transaction()):
            return fn()
    except OperationalError as exc:
        if _is_lock_error(exc):
            raise Busy() from exc
        raise
    except IntegrityError as exc:
        if "oversold" in str(exc) or "not_oversold" in str(exc):
            raise SoldOut(_("Sold out: not enough places left.")) from exc
        raise
    except DatabaseError as exc:
        if _is_lock_error(exc):
            raise Busy() from exc
        raise


def _in_test_transaction() -> bool:
    # pytest-django wraps non-transactional tests in a transaction; durable=True would refuse.
    from django.db import connection

    return connection.in_atomic_block


def _take(needs: list[_Need], *, as_state: str) -> dict:
    """Lock the rows in a fixed order, check what is left, and add `held` (or `sold`)."""
    slots = _lock_rows(Slot, [n.pk for n in needs if n.kind == "slot"])
    nights = _lock_rows(NightInventory, [n.pk for n in needs if n.kind == "night"])
    stocks = _lock_rows(GoodsStock, [n.pk for n in needs if n.kind == "stock"])
    wanted: dict[tuple[str, int], int] = {}
    for need in needs:
        wanted[(need.kind, need.pk)] = wanted.get((need.kind, need.pk), 0) + need.quantity
    for (kind, pk), quantity in wanted.items():
        if kind == "slot":
            row = slots[pk]
            if row.status != SlotStatus.OPEN:
                raise SoldOut(
                    _("%(product)s on %(when)s is closed.")
                    % {
                        "product": row.product,
                        "when": timezone.localtime(row.starts_at).strftime("%Y-%m-%d %H:%M"),
                    }
                )
            left = row.capacity - row.sold - row.held
            if left < quantity:
                raise SoldOut(
                    _("Only %(left)s places left on %(when)s.")
                    % {
                        "left": max(left, 0),
                        "when": timezone.localtime(row.starts_at).strftime("%Y-%m-%d %H:%M"),
                    }
                )
        elif kind == "night":
            row = nights[pk]
            left = 0 if row.closed else row.units - row.sold - row.held
            if left < quantity:
                raise SoldOut(
                    _("Only %(left)s units left on the night of %(date)s.")
                    % {"left": max(left, 0), "date": row.date.isoformat()}
                )
        else:
            row = stocks[pk]
            left = row.quantity - row.sold - row.held
            if left < quantity:
                raise SoldOut(_("Only %(left)s left in stock.") % {"left": max(left, 0)})
    models = {
        "slot": (Slot, slots),
        "night": (NightInventory, nights),
        "stock": (GoodsStock, stocks),
    }
    for (kind, pk), quantity in sorted(wanted.items()):
        model, rows = models[kind]
        if LOCKING_ENABLED:
            model.objects.filter(pk=pk).update(**{as_state: F(as_state) + quantity})
        else:  # the unsafe read-then-write path, only for the canary test
            _race_window()
            row = rows[pk]
            setattr(row, as_state, getattr(row, as_state) + quantity)
            row.save(update_fields=[as_state])
    return {"slot": slots, "night": nights, "stock": stocks}


def _allocation_need(allocation: Allocation) -> _Need:
    if allocation.slot_id:
        return _Need("slot", allocation.slot_id, allocation.quantity)
    if allocation.night_id:
        return _Need("night", allocation.night_id, allocation.quantity)
    return _Need("stock", allocation.stock_id, allocation.quantity)


_MODEL_OF = {"slot": Slot, "night": NightInventory, "stock": GoodsStock}


def _move(allocations: list[Allocation], *, from_state: str, to_state: str | None) -> None:
    """Held -> sold (to_state="sold") or release (to_state=None) the given allocations,
    locking their rows in the fixed order first."""
    needs = [_allocation_need(a) for a in allocations]
    for kind, model in _MODEL_OF.items():
        _lock_rows(model, [n.pk for n in needs if n.kind == kind])
    for need in sorted(needs, key=lambda n: (n.kind, n.pk)):
        changes = {from_state: F(from_state) - need.quantity}
        if to_state:
            changes[to_state] = F(to_state) + need.quantity
        _MODEL_OF[need.kind].objects.filter(pk=need.pk).update(**changes)
    new_state = AllocationState.SOLD if to_state == "sold" else AllocationState.RELEASED
    Allocation.objects.filter(pk__in=[a.pk for a in allocations]).update(state=new_state)


# --- pricing and checks of a request ---------------------------------------------------------


def _check_product(product: Product, day: date, today: date) -> None:
    if product.status != ProductStatus.PUBLISHED:
        raise BookingError({"product": _("“%(p)s” is not on sale.") % {"p": product}})
    if day < today:
        raise BookingError({"date": _("The date %(d)s is in the past.") % {"d": day}})
    if (product.available_from and day < product.available_from) or (
        product.available_until and day > product.available_until
    ):
        raise BookingError(
            {"date": _("“%(p)s” is not available on %(d)s.") % {"p": product, "d": day}}
        )


@dataclass
class _PlannedLine:
    request: LineRequest
    kind: str
    quote: PriceQuote
    needs: list[_Need]
    quantity: int
    persons: int
    title: str
    end_date: date | None = None
    start_time: object = None
    tourist_tax: Decimal = Decimal("0")


def _tax_rules_for(comune_id) -> list[TaxRuleView]:
    return [
        TaxRuleView(
            r.category_list(),
            r.rate_per_night,
            r.valid_from,
            r.valid_until,
            r.max_nights,
            r.exempt_under_age,
            r.residents_exempt,
        )
        for r in TouristTaxRule.objects.filter(comune_id=comune_id)
    ]


def _plan(request: LineRequest, today: date) -> _PlannedLine:
    product = request.product
    _check_product(product, request.day, today)
    pax = request.pax
    if product.kind in (ProductKind.EXPERIENCE, ProductKind.SERVICE):
        slot = request.slot
        if slot is None or slot.product_id != product.pk or slot.date != request.day:
            raise BookingError({"slot": _("Choose a time slot of this product on that day.")})
        per_unit = product.pricing_unit == PricingUnit.PER_UNIT
        seats = request.units if per_unit else pax.seats
        if seats < 1:
            raise BookingError({"pax": _("Book at least one person.")})
        if not per_unit:
            if seats < product.min_pax:
                raise BookingError(
                    {
                        "pax": _("This experience needs at least %(n)s people.")
                        % {"n": product.min_pax}
                    }
                )
            if product.max_pax and seats > product.max_pax:
                raise BookingError(
                    {
                        "pax": _("This experience takes at most %(n)s people.")
                        % {"n": product.max_pax}
                    }
                )
        quote = price_product(product, day=request.day, pax=pax, units=request.units)
        return _PlannedLine(
            request,
            product.kind,
            quote,
            [_Need("slot", slot.pk, seats)],
            seats,
            pax.persons if not per_unit else request.units,
            str(product),
            start_time=slot.start_time,
        )
    if product.kind == ProductKind.ACCOMMODATION:
        unit_type = request.unit_type
        if unit_type is None or unit_type.product_id != product.pk:
            raise BookingError({"unit_type": _("Choose a room or unit type of this property.")})
        if request.check_out is None:
            raise BookingError({"check_out": _("Give the check-out date.")})
        nights = list(
            NightInventory.objects.filter(
                unit_type=unit_type, date__gte=request.day, date__lte=request.check_out
            )
        )
        problem = stay_problem(
            unit_type,
            check_in=request.day,
            check_out=request.check_out,
            units=request.units,
            pax=pax,
            nights=nights,
        )
        if problem:
            raise (
                SoldOut(problem)
                if "Sold out" in problem or "Not available" in problem
                else BookingError({"date": problem})
            )
        by_date = {n.date: n for n in nights}
        quote = price_product(
            product,
            day=request.day,
            check_out=request.check_out,
            unit_type=unit_type,
            units=request.units,
            pax=pax,
            nights_by_date=by_date,
        )
        needs = [
            _Need("night", by_date[request.day + timedelta(days=i)].pk, request.units)
            for i in range((request.check_out - request.day).days)
        ]
        tax = tourist_tax_for_stay(
            rules=_tax_rules_for(product.comune_id),
            category=product.accommodation_category,
            check_in=request.day,
            check_out=request.check_out,
            adult_guests=pax.adults + pax.seniors,
            children_ages=list(pax.children_ages),
            residents=request.residents,
        )
        return _PlannedLine(
            request,
            product.kind,
            quote,
            needs,
            request.units,
            pax.persons,
            f"{product} · {unit_type.name}",
            end_date=request.check_out,
            tourist_tax=tax,
        )
    # goods
    if request.quantity < 1:
        raise BookingError({"quantity": _("Order at least one item.")})
    stock = GoodsStock.objects.filter(product=product).first()
    if stock is None:
        raise SoldOut(_("“%(p)s” is out of stock.") % {"p": product})
    quote = price_product(product, day=request.day, quantity=request.quantity)
    return _PlannedLine(
        request,
        product.kind,
        quote,
        [_Need("stock", stock.pk, request.quantity)],
        request.quantity,
        0,
        str(product),
    )


def _tiers_for(product: Product, buyer_organisation) -> list[dict]:
    contract = getattr(buyer_organisation, "trade_contract", None) if buyer_organisation else None
    if contract is not None and contract.cancellation_policy_id:
        return contract.cancellation_policy.as_tiers()
    if product.cancellation_policy_id:
        return product.cancellation_policy.as_tiers()
    return DEFAULT_CANCELLATION_TIERS


def _record(
    booking,
    *,
    action,
    actor=None,
    from_status="",
    to_status="",
    reason="",
    actor_label="",
    data=None,
) -> BookingEvent:
    return BookingEvent.objects.create(
        booking=booking,
        action=action,
        actor=actor if getattr(actor, "pk", None) else None,
        actor_label=actor_label or (str(actor) if actor else "system"),
        from_status=from_status,
        to_status=to_status,
        reason=reason,
        data=data or {},
    )


def _transition(booking: Booking, to_status: str, *, actor, action, reason="", data=None) -> None:
    if to_status not in TRANSITIONS[BookingStatus(booking.status)]:
        raise InvalidTransition(
            _("A booking that is %(from)s cannot become %(to)s.")
            % {"from": booking.get_status_display(), "to": BookingStatus(to_status).label}
        )
    from_status = booking.status
    booking.status = to_status
    _record(
        booking,
        action=action,
        actor=actor,
        from_status=from_status,
        to_status=to_status,
        reason=reason,
        data=data,
    )


def _option_expiry(channel: str, buyer_organisation, hold_for: timedelta | None):
    if hold_for is not None:
        return timezone.now() + hold_for
    if channel in (Channel.TRADE, Channel.API, Channel.BACKOFFICE) and buyer_organisation:
        contract = TradeContract.objects.filter(organisation=buyer_organisation).first()
        days = contract.option_days if contract else DEFAULT_OPTION_DAYS
        return timezone.now() + timedelta(days=days)
    return timezone.now() + TRAVELLER_HOLD


def _after_commit(event: str, booking_id: int, cancelled_line_ids=None) -> None:
    """What other apps do once a confirmation or a cancellation is committed: payments
    accrues the operators' payables, shrinks the schedule and executes the refund; invoices
    issues the invoice or receipt, or the credit note of the cancelled invoiced lines."""
    from invoices import tasks as invoice_tasks
    from payments import services as payments

    if event == "confirmed":
        payments.on_booking_confirmed(booking_id)
        invoice_tasks.invoice_booking.delay(booking_id)
    elif event == "cancelled":
        payments.on_booking_cancelled(booking_id)
        if cancelled_line_ids:
            invoice_tasks.credit_cancellation.delay(booking_id, cancelled_line_ids)
    elif event == "amended":
        # payments: the on-account ledger, the schedule or a refund follow the new total.
        payments.on_booking_amended(booking_id)


def _notify(event: str, booking: Booking) -> None:
    from . import tasks
    from .notifications import notifications_are_muted

    if notifications_are_muted():  # decided when scheduled: on_commit runs after the block
        return

    booking_id = booking.pk
    transaction.on_commit(lambda: tasks.send_booking_notification.delay(booking_id, event))


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
    record bookings of past services (history imports, the demo)."""
    if not lines and not package_lines:
        raise BookingError({"lines": _("Add at least one item to book.")})
    if channel not in Channel.values:
        raise BookingError({"channel": _("Unknown channel.")})
    if not contact_name or not contact_email:
        raise BookingError({"contact_email": _("A contact name and email are required.")})
    today = today or timezone.localdate()
    planned = [_plan(request, today) for request in lines]
    planned_packages = [pkg.plan(today) for pkg in package_lines or []]

    def write():
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
            expires_at=_option_expiry(channel, buyer_organisation, hold_for),
        )
        if not planned_packages:  # totals known now: one INSERT, no re-read (the hot path)
            booking.total_retail = money(sum((p.quote.retail_total for p in planned), ZERO))
            booking.total_net = money(sum((p.quote.net_total for p in planned), ZERO))
            booking.tourist_tax = money(sum((p.tourist_tax for p in planned), ZERO))
            booking.first_service_date = min(p.request.day for p in planned)
        # The reference's uniqueness is the database's constraint (a clash is ~1 in 10^10).
        booking.full_clean(validate_unique=False)
        booking.save()
        needs = [need for p in planned for need in p.needs]
        needs += [need for pkg in planned_packages for need in pkg.needs]
        _take(needs, as_state="held")
        position = 0
        for p in planned:
            position += 1
            _create_line(booking, p, position, buyer_organisation)
        for pkg in planned_packages:
            position += 1
            pkg.create_lines(booking, position)
        if planned_packages:
            _recompute_totals(booking)
        _record(
            booking,
            action="hold",
            actor=actor,
            to_status=BookingStatus.HELD,
            data={"expires_at": booking.expires_at.isoformat()},
        )
        _notify("held", booking)
        return booking

    return _run_locked(write)


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
    request = p.request
    quote = p.quote
    line = BookingLine.objects.create(
        booking=booking,
        parent=parent,
        kind=p.kind,
        product=request.product,
        supplier_id=request.product.organisation_id,
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
        commission_amount=(quote.retail_total if retail is None else retail)
        - (quote.net_total if net is None else net),
        vat_rate=quote.vat_rate if regime == VatRegime.ORDINARY else Decimal("0"),
        vat_regime=regime,
        price_breakdown=quote.as_dict()["lines"],
        cancellation_tiers=_tiers_for(request.product, buyer_organisation),
        tourist_tax=p.tourist_tax,
        tax_exempt_residents=request.residents,
        position=position,
    )
    Allocation.objects.bulk_create(
        [
            Allocation(
                line=line,
                quantity=n.quantity,
                **{
                    "slot_id"
                    if n.kind == "slot"
                    else "night_id"
                    if n.kind == "night"
                    else "stock_id": n.pk
                },
            )
            for n in p.needs
        ]
    )
    return line


def _recompute_totals(booking: Booking) -> None:
    lines = list(booking.lines.filter(parent__isnull=True))
    active = [ln for ln in lines if ln.status != LineStatus.CANCELLED]
    booking.total_retail = money(
        sum((ln.retail_amount for ln in active), Decimal("0"))
        + sum((ln.penalty_amount for ln in lines), Decimal("0"))
    )
    booking.total_net = money(sum((ln.net_amount for ln in active), Decimal("0")))
    booking.tourist_tax = money(sum((ln.tourist_tax for ln in active), Decimal("0")))
    booking.penalty_total = money(sum((ln.penalty_amount for ln in lines), Decimal("0")))
    dates = [ln.service_date for ln in active] or [ln.service_date for ln in lines]
    booking.first_service_date = min(dates) if dates else None
    booking.save(
        update_fields=[
            "total_retail",
            "total_net",
            "tourist_tax",
            "penalty_total",
            "first_service_date",
            "status",
            "expires_at",
            "updated_at",
        ]
    )


def _locked_booking(booking: Booking) -> Booking:
    return Booking.objects.select_for_update().get(pk=booking.pk)


def _allocations_of(booking: Booking, states=(AllocationState.HELD, AllocationState.SOLD)):
    return list(Allocation.objects.filter(line__booking=booking, state__in=states))


def booking_request_payment(*, booking: Booking, actor=None) -> Booking:
    """The buyer goes to pay: the hold stays, the booking waits for the payment."""

    def write():
        locked = _locked_booking(booking)
        if locked.status == BookingStatus.PENDING_PAYMENT:
            return locked
        _ensure_not_expired(locked)
        _transition(locked, BookingStatus.PENDING_PAYMENT, actor=actor, action="payment_started")
        locked.save(update_fields=["status", "updated_at"])
        return locked

    return _run_locked(write)


def _ensure_not_expired(booking: Booking) -> None:
    if booking.status in (BookingStatus.HELD, BookingStatus.PENDING_PAYMENT) and (
        booking.expires_at and booking.expires_at <= timezone.now()
    ):
        raise InvalidTransition(_("This option has expired; the places were released."))


def booking_confirm(*, booking: Booking, actor=None, via: str = "", reason: str = "") -> Booking:
    """Held inventory becomes sold; the voucher and the confirmation follow on commit.
    Confirming a confirmed booking is a no-op (webhook and return page may both call it)."""

    def write():
        locked = _locked_booking(booking)
        if locked.status == BookingStatus.CONFIRMED:
            return locked
        _ensure_not_expired(locked)
        _transition(
            locked,
            BookingStatus.CONFIRMED,
            actor=actor,
            action="confirm",
            reason=reason,
            data={"via": via} if via else None,
        )
        _move(_allocations_of(locked, (AllocationState.HELD,)), from_state="held", to_state="sold")
        locked.confirmed_at = timezone.now()
        locked.expires_at = None
        locked.save(update_fields=["status", "confirmed_at", "expires_at", "updated_at"])
        _notify("confirmed", locked)
        from . import tasks

        booking_id = locked.pk
        transaction.on_commit(lambda: tasks.generate_voucher.delay(booking_id))
        transaction.on_commit(lambda: _after_commit("confirmed", booking_id))
        return locked

    return _run_locked(write)


def booking_extend_option(*, booking: Booking, until, actor=None, reason="") -> Booking:
    def write():
        locked = _locked_booking(booking)
        if locked.status not in (BookingStatus.HELD, BookingStatus.PENDING_PAYMENT):
            raise InvalidTransition(_("Only an option can be extended."))
        if until <= timezone.now():
            raise BookingError({"until": _("The new expiry must be in the future.")})
        old = locked.expires_at
        locked.expires_at = until
        locked.save(update_fields=["expires_at", "updated_at"])
        _record(
            locked,
            action="extend_option",
            actor=actor,
            reason=reason,
            data={"from": old.isoformat() if old else None, "to": until.isoformat()},
        )
        return locked

    return _run_locked(write)


@dataclass
class CancellationResult:
    booking: Booking
    penalty: Decimal
    refund_due: Decimal
    lines: list[int]


def cancellation_preview(
    *, booking: Booking, line_ids=None, waive_penalty=False, today: date | None = None
) -> Decimal:
    today = today or timezone.localdate()
    lines = [
        ln
        for ln in booking.lines.filter(parent__isnull=True, status=LineStatus.ACTIVE)
        if line_ids is None or ln.pk in line_ids
    ]
    if waive_penalty or booking.status != BookingStatus.CONFIRMED:
        return Decimal("0.00")
    return money(
        sum(
            (
                penalty_for(
                    tiers=ln.cancellation_tiers,
                    amount=ln.retail_amount,
                    service_date=ln.service_date,
                    today=today,
                )
                for ln in lines
            ),
            Decimal("0"),
        )
    )


def booking_cancel(
    *,
    booking: Booking,
    reason: str,
    actor=None,
    line_ids=None,
    waive_penalty: bool = False,
    note: str = "",
    today: date | None = None,
) -> CancellationResult:
    """Cancel the whole booking or some of its lines, releasing their inventory. Confirmed
    lines carry the penalty of their tiers (none for a departure not guaranteed, for
    extraordinary circumstances, or when the DMC waives it); the rest is refund due, which
    payments executes."""
    if reason not in CancelReason.values:
        raise BookingError({"reason": _("Unknown cancellation reason.")})
    free = waive_penalty or reason in (
        CancelReason.NOT_GUARANTEED,
        CancelReason.EXTRAORDINARY,
        CancelReason.EXPIRED,
    )
    today = today or timezone.localdate()

    def write():
        locked = _locked_booking(booking)
        if locked.status == BookingStatus.CANCELLED:
            return CancellationResult(locked, Decimal("0"), Decimal("0"), [])
        top = list(locked.lines.filter(parent__isnull=True, status=LineStatus.ACTIVE))
        if line_ids is not None:
            unknown = set(line_ids) - {ln.pk for ln in top}
            if unknown:
                raise BookingError({"lines": _("Unknown or already cancelled line.")})
            top = [ln for ln in top if ln.pk in line_ids]
        if not top:
            raise BookingError({"lines": _("Nothing left to cancel.")})
        confirmed = locked.status == BookingStatus.CONFIRMED
        penalty_total = Decimal("0")
        refund = Decimal("0")
        for line in top:
            penalty = Decimal("0")
            if confirmed and not free:
                penalty = penalty_for(
                    tiers=line.cancellation_tiers,
                    amount=line.retail_amount,
                    service_date=line.service_date,
                    today=today,
                )
            line.penalty_amount = penalty
            line.status = LineStatus.CANCELLED
            line.save(update_fields=["penalty_amount", "status"])
            line.components.update(status=LineStatus.CANCELLED)
            penalty_total += penalty
            if confirmed:
                refund += line.retail_amount - penalty
        allocations = list(
            Allocation.objects.filter(
                line__in=[*top, *[c for ln in top for c in ln.components.all()]],
                state__in=(AllocationState.HELD, AllocationState.SOLD),
            )
        )
        for state in ("held", "sold"):
            subset = [a for a in allocations if a.state == state]
            if subset:
                _move(subset, from_state=state, to_state=None)
        _release_departures(top)
        remaining = locked.lines.filter(parent__isnull=True, status=LineStatus.ACTIVE).exists()
        locked.refund_due = money(locked.refund_due + refund)
        if not remaining:
            _transition(
                locked,
                BookingStatus.CANCELLED,
                actor=actor,
                action="cancel",
                reason=note or CancelReason(reason).label,
                data={"penalty": str(penalty_total), "refund_due": str(refund)},
            )
            locked.cancel_reason = reason
            locked.cancelled_at = timezone.now()
        else:
            _record(
                locked,
                action="cancel_lines",
                actor=actor,
                reason=note,
                data={
                    "lines": [ln.pk for ln in top],
                    "penalty": str(penalty_total),
                    "refund_due": str(refund),
                },
            )
        locked.save(
            update_fields=["refund_due", "cancel_reason", "cancelled_at", "status", "updated_at"]
        )
        _recompute_totals(locked)
        if reason != CancelReason.EXPIRED:
            _notify("cancelled", locked)
        cancelled_ids, booking_id = [ln.pk for ln in top], locked.pk
        transaction.on_commit(
            lambda: _after_commit("cancelled", booking_id, cancelled_ids if confirmed else None)
        )
        return CancellationResult(
            locked, money(penalty_total), money(refund), [ln.pk for ln in top]
        )

    return _run_locked(write)


def _release_departures(lines) -> None:
    """Give back the places a package line took on a fixed departure."""
    departure_lines = [ln for ln in lines if ln.package_departure_id]
    if not departure_lines:
        return
    from packages.models import Departure
    from packages.services import departure_release_pax

    for line in departure_lines:
        departure = Departure.objects.filter(pk=line.package_departure_id).first()
        if departure is not None:
            departure_release_pax(departure=departure, pax=line.quantity)


def bookings_cancel_for_departures(*, departure_ids: list[int], actor=None) -> int:
    """Cancel, free of charge, the bookings on departures that were not guaranteed."""
    cancelled = 0
    bookings = Booking.objects.filter(
        lines__package_departure_id__in=departure_ids, status__in=ACTIVE_STATUSES
    ).distinct()
    for booking in bookings:
        lines = list(
            booking.lines.filter(
                package_departure_id__in=departure_ids, status=LineStatus.ACTIVE
            ).values_list("pk", flat=True)
        )
        booking_cancel(
            booking=booking,
            reason=CancelReason.NOT_GUARANTEED,
            line_ids=lines,
            actor=actor,
            note=_("The departure did not reach its minimum."),
        )
        cancelled += 1
    return cancelled


def participants_cancel(
    *, booking: Booking, participant_ids: list[int], actor=None, today: date | None = None
) -> CancellationResult:
    """Cancel some participants of a confirmed or held booking: their seats are released on
    per-person experience lines, lines are re-priced for the smaller group, and the penalty
    applies to the difference."""
    today = today or timezone.localdate()

    def write():
        locked = _locked_booking(booking)
        if not locked.is_active:
            raise InvalidTransition(_("This booking is no longer active."))
        people = list(
            Participant.objects.filter(booking=locked, pk__in=participant_ids, cancelled=False)
        )
        if len(people) != len(set(participant_ids)):
            raise BookingError({"participants": _("Unknown or already cancelled participant.")})
        confirmed = locked.status == BookingStatus.CONFIRMED
        penalty_total = refund = Decimal("0")
        lines = {
            ln.pk: ln for ln in locked.lines.filter(parent__isnull=True, status=LineStatus.ACTIVE)
        }
        for line in lines.values():
            leaving = [p for p in people if p.line_id in (None, line.pk)]
            per_person = line.kind in (LineKind.EXPERIENCE, LineKind.SERVICE) and (
                line.product and line.product.pricing_unit == PricingUnit.PER_PERSON
            )
            if not leaving or not per_person:
                continue
            pax = PaxMix.of(**line.pax)
            adults = max(pax.adults - len(leaving), 0)
            new_pax = PaxMix.of(
                adults=adults,
                seniors=pax.seniors,
                children_ages=pax.children_ages,
                infants=pax.infants,
            )
            if new_pax.seats < 1:
                raise BookingError(
                    {"participants": _("Cancelling everyone on a line: cancel the line instead.")}
                )
            quote = price_product(line.product, day=line.service_date, pax=new_pax)
            diff = line.retail_amount - quote.retail_total
            penalty = (
                penalty_for(
                    tiers=line.cancellation_tiers,
                    amount=diff,
                    service_date=line.service_date,
                    today=today,
                )
                if confirmed
                else Decimal("0")
            )
            released = line.quantity - new_pax.seats
            allocation = line.allocations.filter(
                state__in=(AllocationState.HELD, AllocationState.SOLD)
            ).first()
            if allocation and released > 0:
                state = allocation.state
                Slot.objects.select_for_update().filter(pk=allocation.slot_id).first()
                Slot.objects.filter(pk=allocation.slot_id).update(**{state: F(state) - released})
                allocation.quantity -= released
                allocation.save(update_fields=["quantity"])
            line.quantity = new_pax.seats
            line.persons = new_pax.persons
            line.pax = new_pax.as_dict()
            line.retail_amount = quote.retail_total
            line.net_amount = quote.net_total
            line.commission_amount = quote.commission
            line.penalty_amount += penalty
            line.price_breakdown = quote.as_dict()["lines"]
            line.save()
            penalty_total += penalty
            if confirmed:
                refund += diff - penalty
        Participant.objects.filter(pk__in=[p.pk for p in people]).update(cancelled=True)
        locked.refund_due = money(locked.refund_due + refund)
        locked.save(update_fields=["refund_due", "updated_at"])
        booking_id = locked.pk
        transaction.on_commit(lambda: _after_commit("cancelled", booking_id))
        _record(
            locked,
            action="cancel_participants",
            actor=actor,
            data={
                "participants": participant_ids,
                "penalty": str(penalty_total),
                "refund_due": str(refund),
            },
        )
        _recompute_totals(locked)
        _notify("amended", locked)
        return CancellationResult(locked, money(penalty_total), money(refund), [])

    return _run_locked(write)


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


def booking_complete(*, booking: Booking, actor=None, no_show: bool = False) -> Booking:
    def write():
        locked = _locked_booking(booking)
        target = BookingStatus.NO_SHOW if no_show else BookingStatus.COMPLETED
        _transition(locked, target, actor=actor, action="no_show" if no_show else "complete")
        locked.lines.filter(status=LineStatus.ACTIVE).update(
            status=LineStatus.NO_SHOW if no_show else LineStatus.COMPLETED
        )
        locked.save(update_fields=["status", "updated_at"])
        return locked

    return _run_locked(write)


# --- amendments ----------------------------------------------------------------------------


@dataclass
class AmendmentPreview:
    old_total: Decimal
    new_total: Decimal
    problem: str | None = None

    @property
    def difference(self) -> Decimal:
        return self.new_total - self.old_total


def _amended_request(
    line: BookingLine, *, day=None, slot=None, pax=None, unit_type=None, check_out=None, units=None
) -> LineRequest:
    pax = pax or PaxMix.of(**line.pax)
    new_day = day or line.service_date
    if line.kind == LineKind.ACCOMMODATION and day and not check_out and line.end_date:
        check_out = day + (line.end_date - line.service_date)
    return LineRequest(
        product=line.product,
        day=new_day,
        pax=pax,
        slot=slot or (line.slot if not day or day == line.service_date else None),
        unit_type=unit_type or line.unit_type,
        check_out=check_out or line.end_date,
        units=units
        or (
            line.quantity
            if line.kind == LineKind.ACCOMMODATION
            else (line.quantity if line.product.pricing_unit == PricingUnit.PER_UNIT else 1)
        ),
        quantity=line.quantity,
        residents=line.tax_exempt_residents,
    )


def amendment_preview(*, line: BookingLine, **changes) -> AmendmentPreview:
    """What the line would cost after the change, and whether it can be made (no writes)."""
    booking = line.booking
    try:
        planned = _plan(_amended_request(line, **changes), timezone.localdate())
    except (ValidationError, SoldOut) as exc:
        message = exc.message if isinstance(exc, SoldOut) else "; ".join(exc.messages)
        return AmendmentPreview(booking.total_retail, booking.total_retail, message)
    problem = _needs_problem(
        planned.needs,
        own=list(line.allocations.filter(state__in=(AllocationState.HELD, AllocationState.SOLD))),
    )
    new_total = booking.total_retail - line.retail_amount + planned.quote.retail_total
    return AmendmentPreview(booking.total_retail, money(new_total), problem)


def _needs_problem(needs: list[_Need], own: list[Allocation]) -> str | None:
    """Whether the needs fit in what is left, counting what the line already holds as free
    (a read without locks: the change itself re-checks under locks)."""
    mine: dict[tuple[str, int], int] = {}
    for allocation in own:
        need = _allocation_need(allocation)
        mine[(need.kind, need.pk)] = mine.get((need.kind, need.pk), 0) + need.quantity
    for kind, model in _MODEL_OF.items():
        rows = model.objects.in_bulk([n.pk for n in needs if n.kind == kind])
        for need in (n for n in needs if n.kind == kind):
            row = rows[need.pk]
            capacity = {"slot": "capacity", "night": "units", "stock": "quantity"}[kind]
            left = getattr(row, capacity) - row.sold - row.held + mine.get((kind, need.pk), 0)
            if getattr(row, "closed", False) or getattr(row, "status", "open") != "open":
                left = 0
            if left < need.quantity:
                return _("Only %(left)s left for this change.") % {"left": max(left, 0)}
    return None


def booking_amend(
    *, line: BookingLine, actor=None, expected_total: Decimal | None = None, **changes
) -> Amendment:
    """Change date, slot, pax, unit type or dates of a line: release and re-take inventory and
    re-price in one transaction. `expected_total` is what the user was shown; a different
    price refuses the change so that nobody confirms a price they did not see."""
    request = _amended_request(line, **changes)
    planned = _plan(request, timezone.localdate())

    def write():
        booking = _locked_booking(line.booking)
        if not booking.is_active:
            raise InvalidTransition(_("This booking is no longer active."))
        current = BookingLine.objects.get(pk=line.pk, booking=booking)
        if current.status != LineStatus.ACTIVE or current.parent_id:
            raise BookingError({"line": _("This line cannot be amended.")})
        old_total = booking.total_retail
        new_total = money(old_total - current.retail_amount + planned.quote.retail_total)
        if expected_total is not None and money(expected_total) != new_total:
            raise BookingError(
                {
                    "expected_total": _("The price changed to %(total)s: review the change again.")
                    % {"total": new_total}
                }
            )
        old_allocations = list(
            current.allocations.filter(state__in=(AllocationState.HELD, AllocationState.SOLD))
        )
        state = "sold" if booking.status == BookingStatus.CONFIRMED else "held"
        # Lock everything involved (old and new rows) in the fixed order, then move.
        everything = [_allocation_need(a) for a in old_allocations] + planned.needs
        for kind, model in _MODEL_OF.items():
            _lock_rows(model, [n.pk for n in everything if n.kind == kind])
        for allocation in old_allocations:
            _move([allocation], from_state=allocation.state, to_state=None)
        _take(planned.needs, as_state=state)
        before = {
            "date": current.service_date.isoformat(),
            "pax": current.pax,
            "slot": current.slot_id,
            "unit_type": current.unit_type_id,
            "end_date": current.end_date.isoformat() if current.end_date else None,
            "retail": str(current.retail_amount),
        }
        current.service_date = request.day
        current.end_date = planned.end_date
        current.slot = request.slot
        current.start_time = planned.start_time
        current.unit_type = request.unit_type
        current.quantity = planned.quantity
        current.persons = planned.persons
        current.pax = request.pax.as_dict()
        current.title = planned.title[:300]
        current.retail_amount = planned.quote.retail_total
        current.net_amount = planned.quote.net_total
        current.commission_amount = planned.quote.commission
        current.price_breakdown = planned.quote.as_dict()["lines"]
        current.tourist_tax = planned.tourist_tax
        current.save()
        Allocation.objects.bulk_create(
            [
                Allocation(
                    line=current,
                    quantity=n.quantity,
                    state=AllocationState.SOLD if state == "sold" else AllocationState.HELD,
                    **{f"{n.kind}_id": n.pk},
                )
                for n in planned.needs
            ]
        )
        _recompute_totals(booking)
        after = {
            "date": current.service_date.isoformat(),
            "pax": current.pax,
            "slot": current.slot_id,
            "unit_type": current.unit_type_id,
            "end_date": current.end_date.isoformat() if current.end_date else None,
            "retail": str(current.retail_amount),
        }
        amendment = Amendment.objects.create(
            booking=booking,
            actor=actor if getattr(actor, "pk", None) else None,
            description=_("%(line)s changed") % {"line": current.title},
            old_total=old_total,
            new_total=booking.total_retail,
            data={"line": current.pk, "before": before, "after": after},
        )
        _record(
            booking,
            action="amend",
            actor=actor,
            data={"amendment": amendment.pk, "difference": str(amendment.difference)},
        )
        _notify("amended", booking)
        # payments follows the amended total once the amendment is committed.
        booking_id = booking.pk
        transaction.on_commit(lambda: _after_commit("amended", booking_id))
        return amendment

    return _run_locked(write)


# --- redemption ----------------------------------------------------------------------------


@dataclass
class RedemptionResult:
    accepted: bool
    message: str
    lines: list[BookingLine]
    booking: Booking | None = None


def voucher_redeem(*, organisation, actor, raw: str, method: str) -> RedemptionResult:
    """Redeem the operator's lines of a booking, once, by scanned token or typed reference.
    Every attempt is logged; a second redemption is refused."""
    from .models import RedemptionAttempt
    from .vouchers import reference_from_input

    reference, error = reference_from_input(raw)

    def refuse(message, booking=None, line=None):
        RedemptionAttempt.objects.create(
            line=line,
            organisation=organisation,
            actor=actor,
            method=method,
            accepted=False,
            reason=message,
            raw_input=raw[:500],
        )
        return RedemptionResult(False, message, [], booking)

    if error:
        return refuse(error)
    with transaction.atomic():
        booking = Booking.objects.select_for_update().filter(reference=reference).first()
        lines = (
            list(
                booking.lines.select_for_update()
                .filter(
                    supplier=organisation, kind__in=[k for k in LineKind.values if k != "package"]
                )
                .order_by("pk")
            )
            if booking
            else []
        )
        if booking is None or not lines:
            return refuse(_("No booking %(ref)s for your organisation.") % {"ref": reference})
        if booking.status not in (BookingStatus.CONFIRMED, BookingStatus.COMPLETED):
            return refuse(
                _("Booking %(ref)s is not confirmed (%(status)s).")
                % {"ref": reference, "status": booking.get_status_display()},
                booking,
            )
        open_lines = [ln for ln in lines if ln.status == LineStatus.ACTIVE and not ln.redeemed_at]
        if not open_lines:
            already = max((ln.redeemed_at for ln in lines if ln.redeemed_at), default=None)
            return refuse(
                _("Already redeemed on %(when)s.")
                % {
                    "when": date_format(timezone.localtime(already), "SHORT_DATETIME_FORMAT")
                    if already
                    else "—"
                },
                booking,
                lines[0],
            )
        now = timezone.now()
        for line in open_lines:
            line.redeemed_at = now
            line.redeemed_by = actor
            line.status = LineStatus.COMPLETED
            line.save(update_fields=["redeemed_at", "redeemed_by", "status"])
            RedemptionAttempt.objects.create(
                line=line,
                organisation=organisation,
                actor=actor,
                method=method,
                accepted=True,
                raw_input=raw[:500],
            )
        _record(
            booking,
            action="redeem",
            actor=actor,
            data={"lines": [ln.pk for ln in open_lines], "method": method},
        )
        if not booking.lines.filter(parent__isnull=True, status=LineStatus.ACTIVE).exists() and (
            booking.status == BookingStatus.CONFIRMED
        ):
            _transition(
                booking,
                BookingStatus.COMPLETED,
                actor=actor,
                action="complete",
                reason=_("All services redeemed."),
            )
            booking.save(update_fields=["status", "updated_at"])
    return RedemptionResult(
        True,
        _("Redeemed: %(n)s service(s) of %(ref)s.") % {"n": len(open_lines), "ref": reference},
        open_lines,
        booking,
    )


def settings_dmc_email() -> str:
    return getattr(settings, "DMC_NOTIFICATION_EMAIL", "") or settings.DEFAULT_FROM_EMAIL
