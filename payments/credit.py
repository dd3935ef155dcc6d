"""On-account payment for trade partners: bookings confirmed within the partner's credit
limit, the outstanding balance and the credit left always computed from the ledger, and
bank transfers received (typed by finance or imported from a bank CSV) matched to bookings
by their reference."""

from __future__ import annotations

import csv
import hashlib
import io
import logging
import re
from dataclasses import dataclass, field
from datetime import date, datetime
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
from .models import BankTransaction, EntryKind, Method, ScheduleKind

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


# --- bank CSV import -----------------------------------------------------------------------

REFERENCE_RE = re.compile(rf"\b([{REFERENCE_ALPHABET}]{{{REFERENCE_LENGTH}}})\b")
COLUMNS = {
    "date": ("date", "data", "booking date", "data contabile", "data operazione"),
    "amount": ("amount", "importo", "credit", "avere"),
    "description": ("description", "descrizione", "causale", "reference", "remittance"),
    "payer": ("payer", "ordinante", "name", "counterparty"),
    "iban": ("iban", "payer iban", "iban ordinante"),
}


def _parse_amount(raw: str) -> Decimal:
    text = raw.strip().replace("€", "").replace("EUR", "").replace(" ", "")
    if "," in text and "." in text:
        text = text.replace(".", "").replace(",", ".")
    elif "," in text:
        text = text.replace(",", ".")
    return money(Decimal(text))


def _parse_date(raw: str) -> date:
    for fmt in ("%Y-%m-%d", "%d/%m/%Y", "%d.%m.%Y", "%d-%m-%Y"):
        try:
            return datetime.strptime(raw.strip(), fmt).date()
        except ValueError:
            continue
    raise ValueError(raw)


@dataclass
class ImportResult:
    matched: list = field(default_factory=list)
    unmatched: list = field(default_factory=list)
    duplicates: int = 0
    skipped_debits: int = 0


def bank_csv_import(*, content: str, actor=None) -> ImportResult:
    """Import a bank statement CSV (columns date, amount, description, payer, iban; `,` or
    `;`; Italian or English headers). The whole file is checked first: a bad line refuses
    the file and writes nothing. Credits quoting a booking reference become receipts."""
    try:
        dialect = csv.Sniffer().sniff(content[:2048], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(content), dialect)
    rows = list(reader)
    if not rows:
        raise ValidationError({"file": _("The file is empty.")})
    header = [h.strip().lower() for h in rows[0]]
    index = {}
    for key, names in COLUMNS.items():
        for i, name in enumerate(header):
            if name in names:
                index[key] = i
                break
    missing = [k for k in ("date", "amount", "description") if k not in index]
    if missing:
        raise ValidationError(
            {"file": _("Missing columns: %(cols)s.") % {"cols": ", ".join(missing)}}
        )
    parsed, errors = [], []
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        try:
            day = _parse_date(row[index["date"]])
            amount = _parse_amount(row[index["amount"]])
        except (ValueError, InvalidOperation, IndexError):
            errors.append(_("line %(n)s: unreadable date or amount") % {"n": number})
            continue
        description = row[index["description"]].strip()
        payer = (
            row[index["payer"]].strip() if "payer" in index and index["payer"] < len(row) else ""
        )
        iban = row[index["iban"]].strip() if "iban" in index and index["iban"] < len(row) else ""
        fingerprint = hashlib.sha256(
            f"{day.isoformat()}|{amount}|{description}|{payer}|{iban}".encode()
        ).hexdigest()
        parsed.append((day, amount, description, payer, iban, fingerprint))
    if errors:
        logger.warning("bank CSV refused: %s", "; ".join(errors))
        raise ValidationError({"file": errors})
    result = ImportResult()
    for day, amount, description, payer, iban, fingerprint in parsed:
        if amount <= 0:
            result.skipped_debits += 1
            continue
        booking = None
        for candidate in REFERENCE_RE.findall(description.upper()):
            booking = Booking.objects.filter(reference=candidate).first()
            if booking:
                break
        with transaction.atomic():
            try:
                with transaction.atomic():
                    tx = BankTransaction.objects.create(
                        fingerprint=fingerprint,
                        booked_on=day,
                        amount=amount,
                        description=description[:500],
                        payer_name=payer[:200],
                        payer_iban=iban[:42],
                        booking=booking,
                        imported_by=actor if getattr(actor, "pk", None) else None,
                    )
            except IntegrityError:
                result.duplicates += 1
                continue
            if booking is not None:
                tx.ledger_entry = receipt_record(
                    amount=amount,
                    booked_on=day,
                    booking=booking,
                    reference=f"bank:{fingerprint}",
                    actor=actor,
                    note=description[:300],
                )
                tx.save(update_fields=["ledger_entry"])
                result.matched.append(tx)
            else:
                result.unmatched.append(tx)
                logger.info("bank line %s not matched to a booking", fingerprint[:12])
    return result


def bank_transaction_match(*, transaction_id: int, booking: Booking, actor=None):
    """Finance matches an unmatched bank line to a booking by hand."""
    with transaction.atomic():
        tx = BankTransaction.objects.select_for_update().get(pk=transaction_id)
        if tx.ledger_entry_id:
            raise ValidationError({"booking": _("This bank line is already matched.")})
        tx.booking = booking
        tx.ledger_entry = receipt_record(
            amount=tx.amount,
            booked_on=tx.booked_on,
            booking=booking,
            reference=f"bank:{tx.fingerprint}",
            actor=actor,
            note=tx.description[:300],
        )
        tx.save(update_fields=["booking", "ledger_entry"])
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
