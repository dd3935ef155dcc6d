"""On-account payment for trade partners: bookings confirmed within the partner's credit
limit, the outstanding balance and the credit left always computed from the ledger, and
bank transfers received (typed by finance or imported from a bank CSV) matched to bookings
by their reference."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bookings.models import (
    REFERENCE_ALPHABET,
    REFERENCE_LENGTH,
    Booking,
    BookingStatus,
    TradeContract,
)
from bookings.services import PaymentRequired
from operators.pricing import money

from .gateway import from_cents, to_cents
from .ledger import ledger_record
from .models import AttentionItem, BankTransaction, EntryKind, Method, ScheduleKind

logger = logging.getLogger(__name__)


def booking_confirm_on_account(*, booking: Booking, organisation, actor=None) -> Booking:
    """Confirm without a card if the booking's total fits in the partner's credit left.
    The partner's contract row is locked so that two confirmations cannot both use the
    same credit."""
    from bookings.services import booking_confirm

    from .schedule import schedule_on_account
    from .selectors import partner_outstanding
    from .services import on_booking_confirmed

    with transaction.atomic():
        contract = (
            TradeContract.objects.select_for_update().filter(organisation=organisation).first()
        )
        if contract is None or not contract.on_account:
            raise PaymentRequired(
                _("Your contract does not allow booking on account: pay the booking by card.")
            )
        locked = Booking.objects.select_for_update().get(pk=booking.pk)
        if locked.buyer_organisation_id != organisation.pk:
            raise PaymentRequired(_("This booking is not yours."))
        if locked.status == BookingStatus.CONFIRMED:
            return locked
        left = contract.credit_limit - partner_outstanding(organisation)
        total = money(locked.total_retail)
        if total > left:
            logger.info(
                "on-account confirmation of %s refused: %s > credit left %s",
                locked.reference,
                total,
                left,
            )
            raise PaymentRequired(
                _(
                    "The booking total (%(total)s EUR) exceeds your credit left "
                    "(%(left)s EUR): pay it by card or settle open invoices first."
                )
                % {"total": total, "left": max(left, Decimal("0"))}
            )
        confirmed = booking_confirm(booking=locked, actor=actor, via="on_account")
        ledger_record(
            kind=EntryKind.ON_ACCOUNT,
            method=Method.ON_ACCOUNT,
            amount_cents=to_cents(total),
            booking=confirmed,
            counterparty=organisation,
            external_ref=f"on_account:{confirmed.pk}",
            actor=actor,
            note=_("Booking %(ref)s on account") % {"ref": confirmed.reference},
        )
        schedule_on_account(booking=confirmed, terms_days=contract.payment_terms_days)
        on_booking_confirmed(confirmed.pk)
        return confirmed


def receipt_record(
    *,
    amount,
    booked_on: date | None = None,
    booking: Booking | None = None,
    organisation=None,
    reference: str = "",
    actor=None,
    note: str = "",
    is_demo: bool = False,
):
    """Money received by bank transfer. For a booking: counted as its deposit / balance /
    on-account payment, the schedule follows, and an option whose first instalment is now
    covered is confirmed. Without a booking: a payment on the partner's account."""
    from bookings.services import booking_confirm

    from .schedule import next_open_item, schedule_ensure, schedule_mark_paid
    from .selectors import booking_paid

    try:
        amount = money(Decimal(str(amount)))
    except (InvalidOperation, ValueError) as exc:
        raise ValidationError({"amount": _("Enter an amount in euro.")}) from exc
    if amount <= 0:
        raise ValidationError({"amount": _("The amount must be positive.")})
    if booking is None and organisation is None:
        raise ValidationError({"booking": _("Name the booking or the trade partner.")})
    with transaction.atomic():
        kind = EntryKind.RECEIPT
        if booking is not None:
            booking = Booking.objects.select_for_update().get(pk=booking.pk)
            organisation = organisation or booking.buyer_organisation
            if booking.status in (BookingStatus.HELD, BookingStatus.PENDING_PAYMENT):
                schedule_ensure(booking=booking)
            item = next_open_item(booking)
            if item is not None and item.kind != ScheduleKind.ON_ACCOUNT:
                kind = {
                    ScheduleKind.DEPOSIT: EntryKind.DEPOSIT,
                    ScheduleKind.BALANCE: EntryKind.BALANCE,
                }.get(item.kind, EntryKind.CHARGE)
        entry = ledger_record(
            kind=kind,
            method=Method.BANK_TRANSFER,
            amount_cents=to_cents(amount),
            booking=booking,
            counterparty=organisation,
            counterparty_label="" if organisation else (booking.contact_name if booking else ""),
            external_ref=reference,
            booked_on=booked_on,
            actor=actor,
            note=note or _("Bank transfer"),
            is_demo=is_demo,
        )
        if entry is None:
            raise ValidationError({"reference": _("This transfer is already recorded.")})
        if booking is not None:
            schedule_mark_paid(booking=booking, paid=booking_paid(booking))
            first = booking.payment_schedule.order_by("position").first()
            if (
                booking.status in (BookingStatus.HELD, BookingStatus.PENDING_PAYMENT)
                and first is not None
                and first.status == "paid"
                and not (booking.expires_at and booking.expires_at <= timezone.now())
            ):
                from .services import on_booking_confirmed

                booking_confirm(booking=booking, actor=actor, via="bank_transfer")
                on_booking_confirmed(booking.pk)
        logger.info("receipt of %s recorded (%s)", amount, booking or organisation)
        return entry


# --- bank statement import ------------------------------------------------------------------

REFERENCE_RE = re.compile(rf"\b([{REFERENCE_ALPHABET}]{{{REFERENCE_LENGTH}}})\b")


@dataclass
class ImportResult:
    kind: str = "csv"
    matched: list = field(default_factory=list)
    unmatched: list = field(default_factory=list)
    to_decide: list = field(default_factory=list)
    duplicates: int = 0
    skipped_debits: int = 0


def amounts_due(booking: Booking) -> set[Decimal]:
    """The amounts a transfer for the booking may be without a decision by finance: the next
    open instalment, or everything still owed."""
    from .schedule import next_open_item
    from .selectors import booking_paid

    owed = money(booking.total_retail) - booking_paid(booking)
    item = next_open_item(booking)
    return {a for a in (owed, item.amount if item else None) if a is not None and a > 0}


def _ask_finance(tx: BankTransaction, booking: Booking) -> None:
    """An amount that is not what is due is never matched silently: finance decides."""
    due = amounts_due(booking)
    AttentionItem.objects.get_or_create(
        booking=booking,
        reason="bank_amount_differs",
        resolved_at=None,
        message=_(
            "Bank transfer of %(amount)s EUR on %(day)s quotes booking %(ref)s, which has "
            "%(due)s EUR due: decide on the bank lines page (partial payment, credit on "
            "account or refund of the surplus)."
        )
        % {
            "amount": tx.amount,
            "day": tx.booked_on.isoformat(),
            "ref": booking.reference,
            "due": " / ".join(str(a) for a in sorted(due)) or "0.00",
        },
    )


def _match(tx: BankTransaction, booking: Booking, actor) -> bool:
    """Record the line as the booking's payment when its amount is what is due; otherwise
    keep the booking as a suggestion and ask finance. Returns True when matched."""
    tx.booking = booking
    if booking.status in (BookingStatus.HELD, BookingStatus.PENDING_PAYMENT):
        from .schedule import schedule_ensure

        schedule_ensure(booking=booking)
    if booking.status == BookingStatus.CANCELLED or tx.amount not in amounts_due(booking):
        tx.save(update_fields=["booking"])
        _ask_finance(tx, booking)
        return False
    tx.ledger_entry = receipt_record(
        amount=tx.amount,
        booked_on=tx.booked_on,
        booking=booking,
        reference=f"bank:{tx.fingerprint}",
        actor=actor,
        note=tx.description[:300],
    )
    tx.save(update_fields=["booking", "ledger_entry"])
    return True


def bank_statement_import(
    *, data: bytes, amount_format: str = "auto", layout: str = "auto", actor=None
) -> ImportResult:
    """Import a bank statement (CSV of a known layout or CAMT.053 XML). The whole file is
    read first: a refused row refuses the file, naming every row, and writes nothing.
    Credits quoting a booking reference for the amount due become receipts; another amount
    waits for finance's decision; the same movement imported again changes nothing."""
    from .bank_import import line_fingerprint, read_bank_file

    kind, lines = read_bank_file(data, amount_format=amount_format, layout=layout)
    result = ImportResult(kind=kind)
    seen: dict[tuple, int] = {}
    for line in lines:
        if line.amount <= 0:
            result.skipped_debits += 1
            continue
        key = (line.booked_on, line.amount, line.description, line.payer, line.iban)
        occurrence = seen.get(key, 0)
        seen[key] = occurrence + 1
        fingerprint = line_fingerprint(line, occurrence)
        booking = None
        for candidate in REFERENCE_RE.findall(line.description.upper()):
            booking = Booking.objects.filter(reference=candidate).first()
            if booking:
                break
        with transaction.atomic():
            try:
                with transaction.atomic():
                    tx = BankTransaction.objects.create(
                        fingerprint=fingerprint,
                        booked_on=line.booked_on,
                        amount=money(line.amount),
                        description=line.description[:500],
                        payer_name=line.payer[:200],
                        payer_iban=line.iban[:42],
                        imported_by=actor if getattr(actor, "pk", None) else None,
                    )
            except IntegrityError:
                result.duplicates += 1
                continue
            if booking is None:
                result.unmatched.append(tx)
                logger.info("bank line %s not matched to a booking", fingerprint[:12])
            elif _match(tx, booking, actor):
                result.matched.append(tx)
            else:
                result.to_decide.append(tx)
                logger.warning(
                    "bank line %s: %s for %s is not the amount due",
                    fingerprint[:12],
                    tx.amount,
                    booking.reference,
                )
    return result


def bank_csv_import(*, content: str, actor=None, amount_format: str = "auto") -> ImportResult:
    """A CSV given as text (see `bank_statement_import`)."""
    return bank_statement_import(
        data=content.encode("utf-8"), amount_format=amount_format, actor=actor
    )


def bank_transaction_match(*, transaction_id: int, booking: Booking, actor=None):
    """Finance matches an unmatched bank line to a booking by hand. An amount that is not
    what is due is not recorded: the line waits for finance's decision."""
    with transaction.atomic():
        tx = BankTransaction.objects.select_for_update().get(pk=transaction_id)
        if tx.ledger_entry_id:
            raise ValidationError({"booking": _("This bank line is already matched.")})
        locked = Booking.objects.select_for_update().get(pk=booking.pk)
        _match(tx, locked, actor)
        return tx


class BankDecision:
    PARTIAL = "partial"
    CREDIT = "credit"
    REFUND = "refund"


def bank_transaction_decide(*, transaction_id: int, decision: str, actor=None):
    """Finance's decision on a bank line whose amount is not what its booking has due:
    less -> a partial payment (the rest stays due); more -> the amount due is the booking's
    payment and the surplus is either a credit on the partner's account or due back by
    bank transfer (an attention item for the refund)."""
    from .refunds import _flag_refund_by_transfer
    from .selectors import booking_paid

    with transaction.atomic():
        tx = BankTransaction.objects.select_for_update().get(pk=transaction_id)
        if tx.ledger_entry_id:
            raise ValidationError({"decision": _("This bank line is already recorded.")})
        if tx.booking_id is None:
            raise ValidationError({"decision": _("Name the booking first.")})
        booking = Booking.objects.select_for_update().get(pk=tx.booking_id)
        owed = max(money(booking.total_retail) - booking_paid(booking), Decimal("0"))
        surplus = tx.amount - owed
        if decision == BankDecision.PARTIAL:
            if surplus >= 0:
                raise ValidationError(
                    {"decision": _("The transfer covers what is due: it is not partial.")}
                )
            paid_part = tx.amount
        elif decision in (BankDecision.CREDIT, BankDecision.REFUND):
            if surplus <= 0:
                raise ValidationError({"decision": _("The transfer is not more than what is due.")})
            if decision == BankDecision.CREDIT and booking.buyer_organisation_id is None:
                raise ValidationError(
                    {"decision": _("Only a trade partner has an account to credit.")}
                )
            paid_part = owed if decision == BankDecision.CREDIT else tx.amount
        else:
            raise ValidationError({"decision": _("Unknown decision.")})
        entry = None
        if paid_part > 0:
            entry = receipt_record(
                amount=paid_part,
                booked_on=tx.booked_on,
                booking=booking,
                reference=f"bank:{tx.fingerprint}",
                actor=actor,
                note=tx.description[:300],
            )
        if decision == BankDecision.CREDIT:
            credit = receipt_record(
                amount=surplus,
                booked_on=tx.booked_on,
                organisation=booking.buyer_organisation,
                reference=f"bank:{tx.fingerprint}:credit",
                actor=actor,
                note=_("Credit on account: surplus of a transfer for %(ref)s")
                % {"ref": booking.reference},
            )
            entry = entry or credit
        elif decision == BankDecision.REFUND:
            _flag_refund_by_transfer(booking, surplus)
        tx.ledger_entry = entry
        tx.save(update_fields=["ledger_entry"])
        AttentionItem.objects.filter(
            booking=booking, reason="bank_amount_differs", resolved_at__isnull=True
        ).update(resolved_at=timezone.now())
        logger.info("bank line %s decided: %s", tx.pk, decision)
        return tx


def booking_for_reference(reference: str) -> Booking:
    """The booking named by its reference or by the number of one of its invoices (as a
    payer writes it on a transfer: `ABC123`, `TR-2026-00042`). Unknown: a field error."""
    from invoices.models import Invoice

    text = (reference or "").strip()
    if not text:
        raise ValidationError({"reference": _("Enter a booking reference or an invoice number.")})
    booking = Booking.objects.filter(reference=text.upper()).first()
    if booking is None:
        invoice = Invoice.objects.filter(number__iexact=text).exclude(booking_reference="").first()
        if invoice is not None:
            booking = Booking.objects.filter(reference=invoice.booking_reference).first()
    if booking is None:
        raise ValidationError(
            {"reference": _("No booking or invoice %(ref)s was found.") % {"ref": text[:40]}}
        )
    return booking


def bank_transaction_match_reference(*, transaction_id: int, reference: str, actor=None):
    """Finance matches an unmatched bank line by a booking reference or an invoice number."""
    booking = booking_for_reference(reference)
    if not BankTransaction.objects.filter(pk=transaction_id).exists():
        raise ValidationError({"transaction": _("Unknown bank line.")})
    return bank_transaction_match(transaction_id=transaction_id, booking=booking, actor=actor)


__all__ = ["booking_confirm_on_account", "from_cents", "receipt_record"]
