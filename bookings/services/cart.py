"""The traveller's cart: one HELD booking that several items join before a single payment.

`booking_hold` creates the cart with its first item; `cart_lines_add` adds lines to the same
held booking (inventory taken in one transaction, the hold restarted: 15 minutes from the
last addition), `cart_line_remove` releases a line's inventory and deletes it (a cart line
was never sold), `cart_checkout_save` records the participants and the consents before
payment, and `cart_release_if_expired` is the hold-expiry sweep for one cart. Only a HELD,
unexpired booking of the web or IAT channel is a cart; once its payment has started
(PENDING_PAYMENT) it is closed to changes, so the amount being paid cannot move.

These are additive to the engine (they reuse its planning, locking and line creation); the
back office's amendments have their own entry point in `changes.py`."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from marketplace.errors import DomainError

from ..models import (
    Allocation,
    AllocationState,
    Booking,
    BookingLine,
    BookingStatus,
    CancelReason,
    Channel,
    LineStatus,
    Participant,
)
from .allotment_hooks import draw_from_partner_allotment, partner_reserved_places
from .cancellation import _release_departures, booking_cancel
from .common import _locked_booking, _notify, _recompute_totals
from .errors import BookingError, Busy
from .holds import _create_line
from .inventory import _move, _run_locked, _take
from .planning import (
    LineRequest,
    _option_expiry,
    _plan,
    _planned_services,
    _record,
    _transition,
)
from .terms import option_latest_expiry

logger = logging.getLogger(__name__)

CART_CHANNELS = (Channel.WEB, Channel.IAT)


class CartClosed(DomainError):
    """The cart cannot change any more: its payment started, or it was paid or cancelled."""

    code = "cart_closed"
    default_message = gettext_lazy("This cart can no longer be changed.")


class CartExpired(DomainError):
    """The cart's 15 minutes are over: its places were (or are being) released."""

    code = "cart_expired"
    api_status = 410


def cart_is_expired(booking: Booking, *, now=None) -> bool:
    now = now or timezone.now()
    return (
        booking.status in (BookingStatus.HELD, BookingStatus.PENDING_PAYMENT)
        and booking.expires_at is not None
        and booking.expires_at <= now
    )


def _ensure_open(locked: Booking) -> None:
    if locked.channel not in CART_CHANNELS or locked.buyer_organisation_id:
        raise CartClosed()
    if cart_is_expired(locked):
        raise CartExpired(_("Your cart expired: its places were released."))
    if locked.status != BookingStatus.HELD:
        raise CartClosed(
            _("The payment of booking %(ref)s has started: it can no longer be changed.")
            % {"ref": locked.reference}
        )


def _release_line(line: BookingLine) -> None:
    """Give back what a cart line (and its package components) holds and delete it; its
    participants stay on the booking, unassigned."""
    lines = [line, *line.components.all()]
    held = list(Allocation.objects.filter(line__in=lines, state=AllocationState.HELD))
    if held:
        _move(held, from_state="held", to_state=None)
    _release_departures([line])
    Participant.objects.filter(line__in=lines).update(line=None)
    line.components.all().delete()
    line.delete()


def _latest_expiry(locked: Booking, planned, planned_packages):
    """The operators' option cut-off over every line of the cart, old and new."""
    services = [
        (ln.supplier_id, ln.service_date, ln.start_time)
        for ln in locked.lines.filter(status=LineStatus.ACTIVE).exclude(supplier=None)
    ]
    services += _planned_services(planned, planned_packages)
    return option_latest_expiry(services)


def cart_lines_add(
    *,
    booking: Booking,
    lines: list[LineRequest] | None = None,
    package_lines: list | None = None,
    actor=None,
) -> Booking:
    """Add items to a held cart: their inventory is taken in the same transaction as the new
    lines, all or nothing, and the whole cart is held again for 15 minutes from now."""
    lines = list(lines or [])
    package_lines = list(package_lines or [])
    if not lines and not package_lines:
        raise BookingError({"lines": _("Add at least one item to book.")})
    today = timezone.localdate()
    buyer = booking.buyer_organisation
    reserved = partner_reserved_places(organisation=buyer, requests=lines)
    planned = [_plan(request, today, own=reserved, buyer=buyer) for request in lines]
    planned_packages = [pkg.plan(today, buyer=buyer) for pkg in package_lines]

    def write():
        locked = _locked_booking(booking)
        _ensure_open(locked)
        needs = [need for p in planned for need in p.needs]
        needs += [need for pkg in planned_packages for need in pkg.needs]
        _take(
            draw_from_partner_allotment(booking=locked, needs=needs, as_state="held"),
            as_state="held",
        )
        position = (
            locked.lines.filter(parent__isnull=True)
            .order_by("-position")
            .values_list("position", flat=True)
        ).first() or 0
        added = []
        for p in planned:
            position += 1
            added.append(_create_line(locked, p, position, locked.buyer_organisation).pk)
        for pkg in planned_packages:
            position += 1
            added.append(pkg.create_lines(locked, position).pk)
        locked.expires_at = _option_expiry(
            locked.channel, None, None, latest=_latest_expiry(locked, planned, planned_packages)
        )
        _recompute_totals(locked)
        _record(
            locked,
            action="cart_add",
            actor=actor,
            data={"lines": added, "expires_at": locked.expires_at.isoformat()},
        )
        return locked

    return _run_locked(write)


def cart_line_remove(*, booking: Booking, line_id: int, actor=None) -> Booking:
    """Take one item out of a held cart: its inventory (and a package's departure places) is
    released and the line deleted. Removing the last item cancels the cart."""

    def write():
        locked = _locked_booking(booking)
        _ensure_open(locked)
        line = (
            BookingLine.objects.filter(
                booking=locked, pk=line_id, parent__isnull=True, status=LineStatus.ACTIVE
            )
            .select_related(None)
            .first()
        )
        if line is None:
            raise BookingError({"line": _("This item is not in your cart.")})
        removed = {"line": line.pk, "title": line.title, "amount": str(line.retail_amount)}
        _release_line(line)
        if not locked.lines.filter(parent__isnull=True, status=LineStatus.ACTIVE).exists():
            _transition(
                locked,
                BookingStatus.CANCELLED,
                actor=actor,
                action="cart_emptied",
                data=removed,
            )
            locked.cancel_reason = CancelReason.BUYER
            locked.cancelled_at = timezone.now()
            locked.save(update_fields=["cancel_reason", "cancelled_at"])
        else:
            _record(locked, action="cart_remove", actor=actor, data=removed)
        _recompute_totals(locked)
        return locked

    return _run_locked(write)


@dataclass
class CheckoutDetails:
    """What the traveller gives before paying. `participants` are dicts of Participant
    fields (first_name, last_name, dietary_needs, accessibility_needs)."""

    participants: list[dict]
    terms_accepted: bool
    privacy_accepted: bool
    package_terms_accepted: bool = False


def cart_checkout_save(*, booking: Booking, details: CheckoutDetails, actor=None) -> Booking:
    """Replace the cart's participant list and record the consents (terms, privacy and, when
    the cart holds a package, the pre-contract information), all or nothing."""
    from ..rooming import participant_add

    errors: dict[str, list[str]] = {}
    if not details.terms_accepted:
        errors.setdefault("accept_terms", []).append(
            _("Accept the terms and conditions to continue.")
        )
    if not details.privacy_accepted:
        errors.setdefault("accept_privacy", []).append(_("Accept the privacy notice to continue."))
    if not details.participants:
        errors.setdefault("participants", []).append(_("Give at least the lead traveller."))
    with transaction.atomic():
        locked = _locked_booking(booking)
        _ensure_open(locked)
        has_package = locked.lines.filter(
            parent__isnull=True, status=LineStatus.ACTIVE, kind="package"
        ).exists()
        if has_package and not details.package_terms_accepted:
            errors.setdefault("accept_package_terms", []).append(
                _("Read and accept the package's pre-contract information first.")
            )
        if errors:
            raise BookingError(errors)
        locked.participants.filter(cancelled=False).delete()
        for data in details.participants:
            participant_add(booking=locked, actor=actor, **data)
        now = timezone.now()
        if has_package:
            locked.package_terms_accepted_at = now
            locked.save(update_fields=["package_terms_accepted_at"])
        _record(
            locked,
            action="checkout_consent",
            actor=actor,
            data={
                "terms": True,
                "privacy": True,
                "package_precontract": has_package,
                "participants": len(details.participants),
                "at": now.isoformat(),
            },
        )
    return locked


def cart_release_if_expired(*, booking: Booking) -> bool:
    """The hold-expiry sweep (`holds_release_expired`) for one cart, run when its owner looks
    at it: an expired cart's inventory is released at once. A cart whose payment is being
    processed (row locked) is left to the periodic sweep."""
    if not cart_is_expired(booking):
        return False
    try:
        with transaction.atomic():
            locked = (
                Booking.objects.select_for_update(skip_locked=True)
                .filter(
                    pk=booking.pk,
                    status__in=(BookingStatus.HELD, BookingStatus.PENDING_PAYMENT),
                    expires_at__lte=timezone.now(),
                )
                .first()
            )
            if locked is None:
                return False
            booking_cancel(
                booking=locked, reason=CancelReason.EXPIRED, note=_("The option expired.")
            )
            _notify("expired", locked)
    except Busy:
        logger.info("cart %s busy, expiry left to the sweep", booking.pk)
        return False
    return True


@dataclass
class CartMerge:
    """What signing in did to the carts: the cart the session keeps, the titles of the items
    that moved into it from the account's earlier cart(s), and those that could not be kept
    (released)."""

    booking: Booking | None
    moved: list[str]
    dropped: list[str]


def _account_carts(user, *, exclude_pk=None):
    return (
        Booking.objects.filter(
            buyer_user=user,
            status=BookingStatus.HELD,
            channel__in=CART_CHANNELS,
            buyer_organisation__isnull=True,
        )
        .exclude(pk=exclude_pk)
        .order_by("created_at", "pk")
    )


def cart_claim_on_sign_in(*, user, booking: Booking | None) -> CartMerge:
    """The traveller signed in (or up): the guest cart `booking` (the session's, may be None)
    becomes the account's and keeps its countdown; the account's other open carts are merged
    into it. Their lines move over WITH their held allocations (no release and re-take: the
    places are held once, and never lost to someone else in between); a line that can no
    longer be sold (its day has passed) is released instead and reported as dropped. An
    emptied earlier cart is cancelled quietly (`cart_merged`, no email). With no usable guest
    cart the account's most recent open cart is the one to keep."""
    now = timezone.now()
    today = timezone.localdate()
    guest_open = (
        booking is not None
        and booking.status == BookingStatus.HELD
        and booking.channel in CART_CHANNELS
        and not booking.buyer_organisation_id
        and booking.buyer_user_id in (None, user.pk)
        and not cart_is_expired(booking, now=now)
    )
    if not guest_open:
        if booking is not None and booking.buyer_user_id not in (None, user.pk):
            booking = None  # someone else's cart never follows a new sign-in
        if (
            booking is not None
            and booking.status in (BookingStatus.HELD, BookingStatus.PENDING_PAYMENT)
            and not (booking.status == BookingStatus.HELD and cart_is_expired(booking, now=now))
        ):
            if not booking.buyer_user_id and not booking.buyer_organisation_id:
                Booking.objects.filter(pk=booking.pk, buyer_user=None).update(buyer_user=user)
            return CartMerge(booking=booking, moved=[], dropped=[])
        latest = _account_carts(user).filter(expires_at__gt=now).order_by("-created_at").first()
        return CartMerge(booking=latest, moved=[], dropped=[])

    others = list(_account_carts(user, exclude_pk=booking.pk).values_list("pk", flat=True))
    moved: list[str] = []
    dropped: list[str] = []

    def write():
        target = _locked_booking(booking)
        if target.status != BookingStatus.HELD:
            return target
        if target.buyer_user_id is None:
            target.buyer_user = user
            target.save(update_fields=["buyer_user"])
        position = (
            target.lines.filter(parent__isnull=True)
            .order_by("-position")
            .values_list("position", flat=True)
        ).first() or 0
        for other_pk in others:
            source = (
                Booking.objects.select_for_update()
                .filter(pk=other_pk, status=BookingStatus.HELD, buyer_user=user)
                .first()
            )
            if source is None:
                continue  # paid, expired or changed meanwhile
            lines = list(
                source.lines.filter(parent__isnull=True, status=LineStatus.ACTIVE).order_by(
                    "position", "pk"
                )
            )
            source_moved, source_dropped = [], []
            for line in lines:
                if line.service_date < today:
                    source_dropped.append(line.title)
                    _release_line(line)
                    continue
                position += 1
                BookingLine.objects.filter(pk=line.pk).update(booking=target, position=position)
                BookingLine.objects.filter(parent=line).update(booking=target)
                Participant.objects.filter(line__in=[line, *line.components.all()]).update(
                    line=None
                )
                source_moved.append(line.title)
            _transition(
                source,
                BookingStatus.CANCELLED,
                actor=user,
                action="cart_merged",
                data={"into": target.reference, "moved": source_moved, "dropped": source_dropped},
            )
            source.cancel_reason = CancelReason.BUYER
            source.cancelled_at = timezone.now()
            source.save(update_fields=["cancel_reason", "cancelled_at"])
            _recompute_totals(source)
            moved.extend(source_moved)
            dropped.extend(source_dropped)
        if moved:
            latest = _latest_expiry(target, [], [])
            if latest is not None and target.expires_at and latest < target.expires_at:
                target.expires_at = latest
                target.save(update_fields=["expires_at"])
        _recompute_totals(target)
        _record(
            target,
            action="cart_claimed",
            actor=user,
            data={"user": user.pk, "moved": moved, "dropped": dropped},
        )
        return target

    target = _run_locked(write)
    return CartMerge(booking=target, moved=moved, dropped=dropped)
