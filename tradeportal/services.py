"""Quotes of a trade partner: create, add and remove lines, reprice, send (PDF by email),
turn into an option through the booking engine (all lines or none), and confirm the option
on account. One transaction per call; side effects (emails) go through the outbox."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from marketplace.amounts import amount_text
from marketplace.errors import DomainError
from operators.models import ProductKind
from operators.pricing import PaxMix, money

from .models import OPEN_STATUSES, Quote, QuoteLine, QuoteLineKind, QuoteStatus
from .pricing import SLOT_KINDS, price_quote_line

logger = logging.getLogger(__name__)

MAX_LINES = 40
MAX_VALIDITY_DAYS = 365


class QuoteNotOpen(DomainError):
    """The quote was sent and accepted, or expired: it cannot change any more (409)."""

    code = "quote_not_open"


class QuoteEmpty(DomainError):
    code = "quote_empty"
    api_status = 400


@dataclass
class LineError:
    line_id: int
    position: int
    title: str
    message: str
    code: str


class QuoteNotBookable(DomainError):
    """Some lines cannot be held: nothing was held; `line_errors` says which and why."""

    code = "quote_not_bookable"

    def __init__(self, message=None, line_errors: list[LineError] | None = None):
        super().__init__(message)
        self.line_errors = line_errors or []


@dataclass
class ConfirmResult:
    confirmed: bool
    reason: str = ""
    code: str = ""
    details: dict = field(default_factory=dict)


# --- quotes ---------------------------------------------------------------------------------


def _locked(quote: Quote) -> Quote:
    return Quote.objects.select_for_update().get(pk=quote.pk)


def quote_expire_if_due(*, quote: Quote, today: date | None = None) -> bool:
    """An open quote past its validity becomes expired (its own statement, so that it stays
    expired when the caller's change is then refused and rolled back)."""
    today = today or timezone.localdate()
    return bool(
        Quote.objects.filter(pk=quote.pk, status__in=OPEN_STATUSES, valid_until__lt=today).update(
            status=QuoteStatus.EXPIRED, updated_at=timezone.now()
        )
    )


def _ensure_open(quote: Quote, today: date) -> None:
    if quote.status in OPEN_STATUSES and quote.valid_until < today:
        quote.status = QuoteStatus.EXPIRED
    if quote.status not in OPEN_STATUSES:
        raise QuoteNotOpen(
            _("Quote %(ref)s is %(status)s: it cannot change any more.")
            % {"ref": quote.reference, "status": quote.get_status_display().lower()}
        )


def _check_header(*, title: str, valid_until, client_email: str, today: date) -> None:
    errors = {}
    if not (title or "").strip():
        errors["title"] = _("Give the quote a title.")
    if not isinstance(valid_until, date):
        errors["valid_until"] = _("Give the date until which the quote is valid.")
    elif valid_until < today:
        errors["valid_until"] = _("The validity date is in the past.")
    elif valid_until > today + timedelta(days=MAX_VALIDITY_DAYS):
        errors["valid_until"] = _("A quote is valid for at most a year.")
    if client_email:
        try:
            validate_email(client_email)
        except ValidationError:
            errors["client_email"] = _("Enter a valid email address.")
    if errors:
        raise ValidationError(errors)


def quote_create(
    *,
    organisation,
    actor=None,
    title: str,
    valid_until: date | None = None,
    client_reference: str = "",
    client_email: str = "",
    language: str = "en",
    notes: str = "",
    today: date | None = None,
) -> Quote:
    today = today or timezone.localdate()
    valid_until = valid_until or today + timedelta(days=14)
    _check_header(title=title, valid_until=valid_until, client_email=client_email, today=today)
    quote = Quote(
        organisation=organisation,
        title=title.strip()[:200],
        client_reference=(client_reference or "").strip()[:60],
        client_email=client_email or "",
        valid_until=valid_until,
        language=language or "en",
        notes=notes or "",
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    quote.full_clean(validate_unique=False)
    quote.save()
    return quote


def quote_update(
    *,
    quote: Quote,
    title: str,
    valid_until: date,
    client_reference: str = "",
    client_email: str = "",
    notes: str = "",
    today: date | None = None,
) -> Quote:
    today = today or timezone.localdate()
    quote_expire_if_due(quote=quote, today=today)
    with transaction.atomic():
        locked = _locked(quote)
        _ensure_open(locked, today)
        _check_header(title=title, valid_until=valid_until, client_email=client_email, today=today)
        locked.title = title.strip()[:200]
        locked.valid_until = valid_until
        locked.client_reference = (client_reference or "").strip()[:60]
        locked.client_email = client_email or ""
        locked.notes = notes or ""
        locked.full_clean(validate_unique=False)
        locked.save()
        return locked


def quote_line_add(
    *,
    quote: Quote,
    product=None,
    package=None,
    day: date,
    pax: PaxMix,
    slot=None,
    unit_type=None,
    check_out: date | None = None,
    units: int = 1,
    quantity: int = 1,
    today: date | None = None,
) -> QuoteLine:
    """Add a product or a package, priced for the partner. A line that is not bookable as it
    is (a wrong slot, a past date, no rate) is refused with its reason; nothing is written."""
    today = today or timezone.localdate()
    if (product is None) == (package is None):
        raise ValidationError({"product": _("Choose a product or a package.")})
    if not isinstance(day, date):
        raise ValidationError({"day": _("Give the date.")})
    if day < today:
        raise ValidationError({"day": _("The date %(d)s is in the past.") % {"d": day}})
    if not 1 <= int(units or 0) <= 500:
        raise ValidationError({"units": _("Rooms / units must be between 1 and 500.")})
    if not 1 <= int(quantity or 0) <= 10000:
        raise ValidationError({"quantity": _("Items must be between 1 and 10000.")})
    if product is not None and product.kind != ProductKind.GOODS and pax.seats < 1:
        raise ValidationError({"adults": _("Book at least one person.")})
    if product is not None and product.kind in SLOT_KINDS and slot is not None:
        day = slot.date
    quote_expire_if_due(quote=quote, today=today)
    with transaction.atomic():
        locked = _locked(quote)
        _ensure_open(locked, today)
        if locked.lines.count() >= MAX_LINES:
            raise ValidationError(
                {"product": _("A quote holds at most %(n)s lines.") % {"n": MAX_LINES}}
            )
        line = QuoteLine(
            quote=locked,
            kind=QuoteLineKind.PACKAGE if package is not None else QuoteLineKind.PRODUCT,
            product=product,
            package=package,
            day=day,
            check_out=check_out
            if product is not None and product.kind == "accommodation"
            else None,
            slot=slot if product is not None and product.kind in SLOT_KINDS else None,
            unit_type=unit_type
            if product is not None and product.kind == "accommodation"
            else None,
            units=int(units),
            quantity=int(quantity),
            pax=pax.as_dict(),
            title=_line_title(product, package, unit_type)[:300],
            position=(
                locked.lines.order_by("-position").values_list("position", flat=True).first() or 0
            )
            + 1,
        )
        priced = price_quote_line(locked.organisation, line, today)
        if priced.problem and not priced.amount:
            raise ValidationError({"product": priced.problem})
        line.amount = priced.amount
        line.problem = priced.problem[:300]
        line.full_clean()
        line.save()
        _refresh_total(locked)
        return line


def quote_create_with_lines(*, organisation, actor=None, lines: list[dict], **header) -> Quote:
    """A quote and its lines in one transaction: a refused line leaves no quote behind."""
    with transaction.atomic():
        quote = quote_create(organisation=organisation, actor=actor, **header)
        for index, line in enumerate(lines):
            try:
                quote_line_add(quote=quote, **line)
            except ValidationError as exc:
                raise ValidationError(
                    {f"lines.{index}": exc.messages}, code="invalid_line"
                ) from exc
        quote.refresh_from_db()
        return quote


def _line_title(product, package, unit_type) -> str:
    if package is not None:
        return str(package.title)
    if unit_type is not None:
        return f"{product} · {unit_type.name}"
    return str(product)


def _refresh_total(quote: Quote) -> None:
    quote.total = money(sum((ln.amount for ln in quote.lines.all()), Decimal("0")))
    quote.save(update_fields=["total", "updated_at"])


def quote_line_remove(*, quote: Quote, line_id: int, today: date | None = None) -> None:
    today = today or timezone.localdate()
    quote_expire_if_due(quote=quote, today=today)
    with transaction.atomic():
        locked = _locked(quote)
        _ensure_open(locked, today)
        deleted, _rows = QuoteLine.objects.filter(quote=locked, pk=line_id).delete()
        if not deleted:
            raise ValidationError({"line": _("No such line in this quote.")})
        _refresh_total(locked)


def quote_reprice(*, quote: Quote, today: date | None = None) -> Quote:
    """Price every line again at the partner's prices of today (a draft follows the rates
    and the inventory; a sent quote keeps the prices the client saw)."""
    today = today or timezone.localdate()
    with transaction.atomic():
        locked = _locked(quote)
        if locked.status in OPEN_STATUSES and locked.valid_until < today:
            locked.status = QuoteStatus.EXPIRED
            locked.save(update_fields=["status", "updated_at"])
            return locked
        if locked.status != QuoteStatus.DRAFT:
            return locked
        lines = list(locked.lines.select_related("product", "package", "slot", "unit_type"))
        for line in lines:
            priced = price_quote_line(locked.organisation, line, today)
            if (line.amount, line.problem) != (priced.amount, priced.problem[:300]):
                line.amount, line.problem = priced.amount, priced.problem[:300]
                line.save(update_fields=["amount", "problem"])
        locked.priced_at = timezone.now()
        locked.total = money(sum((ln.amount for ln in lines), Decimal("0")))
        locked.save(update_fields=["priced_at", "total", "updated_at"])
        return locked


def quote_send(*, quote: Quote, actor=None, today: date | None = None) -> Quote:
    """Mark the quote sent and email its PDF to the partner's contact and the client email
    (after commit, from the outbox)."""
    from outbox.services import outbox_enqueue

    from . import tasks

    today = today or timezone.localdate()
    quote_reprice(quote=quote, today=today)
    with transaction.atomic():
        locked = _locked(quote)
        _ensure_open(locked, today)
        if not locked.lines.exists():
            raise QuoteEmpty(_("Add at least one line before sending the quote."))
        locked.status = QuoteStatus.SENT
        locked.sent_at = timezone.now()
        locked.save(update_fields=["status", "sent_at", "updated_at"])
        recipients = quote_recipients(locked, actor)
        outbox_enqueue(
            handler=tasks.send_quote_email,
            kwargs={"quote_id": locked.pk, "recipients": recipients},
        )
        return locked


def quote_recipients(quote: Quote, actor=None) -> list[str]:
    emails = []
    organisation = quote.organisation
    for email in (
        getattr(actor, "email", ""),
        getattr(organisation, "email", ""),
        quote.client_email,
    ):
        if email and email not in emails:
            emails.append(email)
    return emails


# --- from quote to option -------------------------------------------------------------------


class _DryRun(Exception):
    pass


def _requests(quote: Quote, accept_package_terms: bool):
    from bookings.package_lines import PackageLineRequest
    from bookings.services import LineRequest

    from .pricing import pax_of

    product_requests, package_requests = [], []
    for line in quote.lines.select_related("product", "package", "slot", "unit_type"):
        pax = pax_of(line.pax or {})
        if line.kind == QuoteLineKind.PACKAGE:
            package_requests.append(
                (
                    line,
                    PackageLineRequest(
                        package=line.package,
                        start_date=line.day,
                        pax=pax,
                        terms_accepted=accept_package_terms,
                    ),
                )
            )
        else:
            product_requests.append(
                (
                    line,
                    LineRequest(
                        product=line.product,
                        day=line.day,
                        pax=pax,
                        slot=line.slot,
                        unit_type=line.unit_type,
                        check_out=line.check_out,
                        units=line.units,
                        quantity=line.quantity,
                    ),
                )
            )
    return product_requests, package_requests


def _error_text(exc: Exception) -> tuple[str, str]:
    """The message and the machine code of a refusal of the booking engine."""
    if isinstance(exc, ValidationError):
        errors = (
            [e for field in exc.error_dict.values() for e in field]
            if hasattr(exc, "error_dict")
            else exc.error_list
        )
        code = next((e.code for e in errors if e.code), None) or "invalid"
        return " ".join(exc.messages), code
    return str(getattr(exc, "message", "") or exc), getattr(exc, "code", "error")


def quote_convert(
    *,
    quote: Quote,
    actor=None,
    contact_name: str = "",
    contact_email: str = "",
    accept_package_terms: bool = False,
    today: date | None = None,
):
    """Hold every line of the quote as one option (a held trade booking, expiring after the
    contract's option days and before the operators' cut-offs), or nothing: then each line
    that cannot be held is named with its reason (QuoteNotBookable)."""
    from bookings.models import Channel
    from bookings.services import booking_hold

    today = today or timezone.localdate()
    organisation = quote.organisation
    full_name = getattr(actor, "get_full_name", None)
    contact_name = contact_name or (full_name() if full_name else "") or organisation.name
    contact_email = contact_email or getattr(actor, "email", "") or organisation.email
    quote_expire_if_due(quote=quote, today=today)
    product_requests, package_requests = _requests(quote, accept_package_terms)
    hold_kwargs = {
        "channel": Channel.TRADE,
        "contact_name": contact_name,
        "contact_email": contact_email,
        "language": quote.language,
        "buyer_user": actor if getattr(actor, "pk", None) else None,
        "buyer_organisation": organisation,
        "actor": actor,
        "buyer_reference": quote.client_reference or quote.reference,
        "notes": _("From quote %(ref)s: %(title)s")
        % {"ref": quote.reference, "title": quote.title},
    }
    try:
        with transaction.atomic():
            locked = _locked(quote)
            _ensure_open(locked, today)
            if not product_requests and not package_requests:
                raise QuoteEmpty(_("Add at least one line before asking for an option."))
            booking = booking_hold(
                lines=[r for _line, r in product_requests],
                package_lines=[r for _line, r in package_requests],
                today=today,
                **hold_kwargs,
            )
            locked.booking = booking
            locked.status = QuoteStatus.ACCEPTED
            locked.save(update_fields=["booking", "status", "updated_at"])
            return booking
    except (QuoteNotOpen, QuoteEmpty):
        raise
    except (DomainError, ValidationError) as exc:
        message, _code = _error_text(exc)
        line_errors = _diagnose(product_requests, package_requests, hold_kwargs, today)
        raise QuoteNotBookable(
            _("Nothing was held: %(reason)s") % {"reason": message}
            if not line_errors
            else _("Nothing was held: %(n)s line(s) cannot be booked as quoted.")
            % {"n": len(line_errors)},
            line_errors=line_errors,
        ) from exc


def _diagnose(product_requests, package_requests, hold_kwargs, today) -> list[LineError]:
    """Try each line alone in a rolled-back savepoint, through the same booking engine, to
    say which ones cannot be held and why."""
    from bookings.services import booking_hold

    errors = []
    for line, request in product_requests + package_requests:
        is_package = line.kind == QuoteLineKind.PACKAGE
        try:
            with transaction.atomic():
                booking_hold(
                    lines=[] if is_package else [request],
                    package_lines=[request] if is_package else [],
                    today=today,
                    **hold_kwargs,
                )
                raise _DryRun
        except _DryRun:
            continue
        except (DomainError, ValidationError) as exc:
            message, code = _error_text(exc)
            errors.append(LineError(line.pk, line.position, line.title, message, code))
    return errors


# --- confirmation ---------------------------------------------------------------------------


def option_confirm_check(booking) -> ConfirmResult:
    """Whether the option can be confirmed on account now, and if not the reason (read only;
    the confirmation itself re-checks under a lock)."""
    from bookings.models import BookingStatus, TradeContract
    from payments.selectors import partner_credit_left

    if booking.status == BookingStatus.CONFIRMED:
        return ConfirmResult(True)
    if booking.status not in (BookingStatus.HELD, BookingStatus.PENDING_PAYMENT):
        return ConfirmResult(False, _("This booking is no longer an option."), "not_an_option")
    if booking.expires_at and booking.expires_at <= timezone.now():
        return ConfirmResult(False, _("This option has expired."), "option_expired")
    contract = TradeContract.objects.filter(organisation_id=booking.buyer_organisation_id).first()
    if contract is None or not contract.on_account:
        return ConfirmResult(
            False,
            _("Your contract does not allow booking on account: pay the deposit by card."),
            "on_account_not_allowed",
        )
    left = partner_credit_left(booking.buyer_organisation)
    total = money(booking.total_retail)
    if total > left:
        return ConfirmResult(
            False,
            _(
                "The option's total (%(total)s EUR) is more than your credit left "
                "(%(left)s EUR): it stays an option until the deposit is paid by card or "
                "open invoices are settled."
            )
            % {"total": amount_text(total), "left": amount_text(max(left, Decimal("0")))},
            "credit_exceeded",
            {"total": total, "credit_left": left},
        )
    return ConfirmResult(False, "", "", {"total": total, "credit_left": left})


def option_confirm_on_account(*, booking, organisation, actor=None):
    """Confirm the option on account (the payments app checks the credit under a lock)."""
    from bookings.confirmation import confirm_on_account

    return confirm_on_account(booking=booking, organisation=organisation, actor=actor)
