"""Invoicing of bookings: the adapters between the booking engine and `invoices.services`.

They read confirmed bookings and their frozen prices, build plain line specs and call the
invoicing services; they never write to the bookings' tables. What each booking got is kept
in `BookingInvoicing` (one per booking: the idempotency key) and `CancellationCredit` (one
per cancellation event).

Decisions:
- Prices in bookings are VAT included. Services are carved out rate by rate
  (`specs.vat_included_lines`), packages go under the margin regime (RF11, Natura N5), and
  every document set is checked against `booking.total_retail` to the cent.
- The tourist tax (imposta di soggiorno) is NOT invoiced: on this platform it is paid on
  site to the accommodation, which collects it for the comune; `Booking.tourist_tax` is
  shown to the buyer but is not part of `total_retail` nor of the DMC's revenue. Were the
  DMC ever to collect it, it would be a `tourist_tax` line (Natura N1, art. 15 DPR 633/72,
  already supported by the specs) and `total_retail` would have to include it.
- A cancellation penalty stays invoiced with the treatment of the line it comes from; the
  credit note covers the price minus the penalty kept.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, Subquery, Sum
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from accounts.models import Organisation, OrganisationKind
from bookings.models import Booking, BookingLine, BookingStatus, LineStatus
from operators.pricing import money

from . import services
from .models import (
    BookingInvoicing,
    BookingInvoicingStatus,
    CancellationCredit,
    CreditOutcome,
    CustomerKind,
    DocumentType,
    Invoice,
    InvoiceRequest,
    MonthlySummary,
    OperatorStatement,
    PaymentMethod,
    RegimeFiscale,
)
from .rules import FiscalTreatment, Treatment
from .selectors import month_bounds
from .specs import (
    CustomerData,
    GrossItem,
    InvoiceLineSpec,
    PayoutSpec,
    StatementLineSpec,
    vat_included_lines,
)
from .treatments import TreatmentTable

logger = logging.getLogger(__name__)
ZERO = Decimal("0.00")
INVOICED_BOOKING_STATUSES = (
    BookingStatus.CONFIRMED,
    BookingStatus.COMPLETED,
    BookingStatus.NO_SHOW,
    BookingStatus.CANCELLED,
)


# --- what a booking owes ----------------------------------------------------------------------


def line_target(line: BookingLine) -> Decimal:
    """What a top-level booking line should have invoiced now: its price unless cancelled,
    plus the penalties kept. Over the lines this adds up to `booking.total_retail`."""
    price = line.retail_amount if line.status != LineStatus.CANCELLED else ZERO
    return money(price + line.penalty_amount)


@dataclass(frozen=True)
class _Part:
    """An amount (VAT included) to invoice for one booking line, with its treatment."""

    line: BookingLine
    amount: Decimal
    description: str
    treatment: FiscalTreatment

    @property
    def is_margin(self) -> bool:
        return self.treatment.treatment == Treatment.MARGIN


def _date(day: date | None) -> str:
    return formats.date_format(day, "SHORT_DATE_FORMAT") if day else ""


def describe_line(line: BookingLine) -> str:
    """“Guided walk · 12/05/2026 · 3 pax” in the active language."""
    when = _date(line.service_date)
    if line.end_date and line.end_date != line.service_date:
        when = f"{when}–{_date(line.end_date)}"
    text = f"{line.title} · {when}"
    if line.persons:
        text += f" · {line.persons} pax"
    return text


def _top_lines(booking: Booking) -> list[BookingLine]:
    return list(
        booking.lines.filter(parent__isnull=True)
        .select_related("supplier")
        .order_by("position", "pk")
    )


class _Treatments:
    """The decision table applied for one customer."""

    def __init__(self, customer: CustomerData):
        self.table = TreatmentTable()
        self.customer = customer

    def of(self, line: BookingLine) -> FiscalTreatment:
        return self.table.for_line(
            line, customer_kind=self.customer.kind, country=self.customer.country
        )


def _parts(booking: Booking, customer: CustomerData) -> list[_Part]:
    parts = []
    treatments = _Treatments(customer)
    with translation.override(customer.language):
        for line in _top_lines(booking):
            treatment = treatments.of(line)
            if line.status != LineStatus.CANCELLED and line.retail_amount > 0:
                parts.append(_Part(line, money(line.retail_amount), describe_line(line), treatment))
            if line.penalty_amount > 0:
                parts.append(
                    _Part(
                        line,
                        money(line.penalty_amount),
                        _("Cancellation penalty: %(line)s") % {"line": describe_line(line)},
                        treatment,
                    )
                )
    return parts


def _on_behalf_text(part: _Part) -> str:
    seller = part.line.supplier
    name = (seller.legal_name or seller.name) if seller else ""
    return _("%(line)s - collected in the name and on behalf of %(seller)s") % {
        "line": part.description,
        "seller": name,
    }


def _specs(parts: list[_Part], reference: str | None) -> list[InvoiceLineSpec]:
    """Lines by treatment: margin-regime packages at their price, VAT services carved out of
    their gross price, services without VAT (Natura) and sums collected on the operator's
    behalf (agency sales, N1) at their price."""
    vat_parts = [p for p in parts if p.treatment.treatment == Treatment.VAT]
    carved = iter(
        vat_included_lines(
            [
                GrossItem(
                    description=p.description,
                    gross=p.amount,
                    vat_rate=p.line.vat_rate,
                    booking_reference=reference,
                    service_date=p.line.service_date,
                    service_end_date=p.line.end_date,
                    sales_model=p.line.sales_model,
                )
                for p in vat_parts
            ]
        )
    )
    specs = []
    for part in parts:
        common = {
            "quantity": Decimal("1"),
            "unit_price": part.amount,
            "booking_reference": reference,
            "service_date": part.line.service_date,
            "service_end_date": part.line.end_date,
            "sales_model": part.line.sales_model,
        }
        kind = part.treatment.treatment
        if kind == Treatment.MARGIN:
            specs.append(
                InvoiceLineSpec(description=part.description, kind="package_margin", **common)
            )
        elif kind == Treatment.NOT_SUBJECT:
            specs.append(
                InvoiceLineSpec(
                    description=part.description, natura=part.treatment.natura, **common
                )
            )
        elif kind == Treatment.ON_BEHALF:
            specs.append(
                InvoiceLineSpec(description=_on_behalf_text(part), kind="on_behalf", **common)
            )
        else:
            specs.append(next(carved))
    return specs


def _customer(booking: Booking) -> CustomerData:
    if booking.buyer_organisation_id:
        return CustomerData.from_organisation(booking.buyer_organisation)
    request = InvoiceRequest.objects.filter(booking_id=booking.pk).first()
    if request is not None:
        return CustomerData.from_invoice_request(
            request, email=booking.contact_email, language=booking.language or "it"
        )
    return CustomerData(
        name=booking.contact_name,
        kind=CustomerKind.CONSUMER,
        email=booking.contact_email,
        language=booking.language or "it",
    )


def _contract(organisation: Organisation):
    from bookings.models import TradeContract

    return TradeContract.objects.filter(organisation=organisation).first()


def is_on_account(organisation: Organisation | None) -> bool:
    """A trade partner whose contract says its bookings are invoiced monthly."""
    if organisation is None or organisation.kind != OrganisationKind.TRADE:
        return False
    contract = _contract(organisation)
    return bool(contract and contract.on_account)


def _due_date(organisation: Organisation | None, issue_date: date | None) -> date | None:
    contract = _contract(organisation) if organisation else None
    if contract is None:
        return None
    return (issue_date or timezone.localdate()) + timedelta(days=contract.payment_terms_days)


def _problems_of(exc: ValidationError) -> dict[str, str]:
    if hasattr(exc, "error_dict"):
        return {field: " ".join(messages) for field, messages in exc.message_dict.items()}
    return {"__all__": " ".join(exc.messages)}


def _invoicing_locked(booking: Booking) -> BookingInvoicing:
    """The booking's invoicing row, created on first use and locked for this transaction."""
    BookingInvoicing.objects.get_or_create(
        booking=booking, defaults={"status": BookingInvoicingStatus.FAILED}
    )
    return BookingInvoicing.objects.select_for_update().get(booking=booking)


def _snapshot_targets(record: BookingInvoicing, booking: Booking) -> None:
    record.lines_invoiced = {
        str(line.pk): str(line_target(line))
        for line in _top_lines(booking)
        if line_target(line) > 0
    }


# --- 1. the invoice or receipt of a confirmed booking -----------------------------------------


@transaction.atomic
def invoice_for_booking(
    *, booking: Booking, actor=None, issue_date: date | None = None
) -> list[Invoice]:
    """The document(s) of a confirmed booking, once: a trade partner gets an invoice in the
    trade series (FatturaPA XML), unless its contract is on account (the booking then waits
    for the monthly summary, and [] is returned); a traveller gets a receipt in the booking's
    language. Packages (margin regime) and services (VAT) go on separate documents. A second
    call returns the documents already issued. Fiscal data problems raise ValidationError
    and write nothing (`invoice_booking_or_record_failure` records them)."""
    booking = Booking.objects.select_related("buyer_organisation").get(pk=booking.pk)
    if booking.confirmed_at is None or booking.status not in INVOICED_BOOKING_STATUSES:
        raise ValidationError(
            {"booking": _("Booking %(ref)s is not confirmed.") % {"ref": booking.reference}}
        )
    record = _invoicing_locked(booking)
    if record.status != BookingInvoicingStatus.FAILED:
        return list(record.documents.order_by("pk"))
    partner = booking.buyer_organisation
    record.customer_organisation = partner
    record.attempts += 1
    record.last_attempt_at = timezone.now()
    record.problems = {}
    if is_on_account(partner):
        period = timezone.localtime(booking.confirmed_at).date().replace(day=1)
        if MonthlySummary.objects.filter(partner=partner, period_start=period).exists():
            # Recorded after that month's summary went out: it joins the current month's.
            period = timezone.localdate().replace(day=1)
        record.status = BookingInvoicingStatus.ON_ACCOUNT
        record.period_start = period
        record.save()
        return []
    customer = _customer(booking)
    parts = _parts(booking, customer)
    if not parts:
        record.status = BookingInvoicingStatus.NOTHING
        record.save()
        return []
    notes = ""
    if booking.buyer_reference:
        with translation.override(customer.language):
            notes = _("Your reference: %(ref)s") % {"ref": booking.buyer_reference}
    documents = services.invoices_issue_split_by_regime(
        customer=customer,
        lines=_specs(parts, booking.reference),
        expected_total=booking.total_retail,
        booking_reference=booking.reference,
        payment_method=PaymentMethod.BANK_TRANSFER if partner else PaymentMethod.CARD,
        due_date=_due_date(partner, issue_date),
        notes=notes,
        actor=actor,
        issue_date=issue_date,
    )
    record.status = BookingInvoicingStatus.INVOICED
    _snapshot_targets(record, booking)
    record.save()
    record.documents.set(documents)
    return documents


@transaction.atomic
def booking_invoicing_failed(*, booking: Booking, problems: dict[str, str]) -> BookingInvoicing:
    """Record why a booking (or its monthly summary) could not be invoiced, where finance
    sees it; a later success clears it."""
    record = _invoicing_locked(booking)
    if record.status in (BookingInvoicingStatus.INVOICED, BookingInvoicingStatus.NOTHING):
        return record
    record.problems = problems
    record.attempts += 1
    record.last_attempt_at = timezone.now()
    record.save()
    return record


def invoice_booking_or_record_failure(
    *, booking: Booking, actor=None
) -> tuple[list[Invoice], dict[str, str]]:
    """What the confirmation task and the retry button call: never raises for bad fiscal
    data, so a confirmed booking stays confirmed; the problem is kept for finance."""
    try:
        return invoice_for_booking(booking=booking, actor=actor), {}
    except ValidationError as exc:
        problems = _problems_of(exc)
    logger.warning("booking %s not invoiced: %s", booking.pk, problems)
    booking_invoicing_failed(booking=booking, problems=problems)
    return [], problems


# --- 2. credit notes for cancellations --------------------------------------------------------


@dataclass(frozen=True)
class CancelledLines:
    """The part of the engine's CancellationResult the credit note needs (task payload)."""

    lines: list[int]


def cancellation_event_key(line_ids) -> str:
    return "lines:" + ",".join(str(pk) for pk in sorted(set(line_ids)))


def pending_credit(record: BookingInvoicing, lines: list[BookingLine] | None = None) -> dict:
    """{booking line: amount to credit} for an invoiced booking: what is still invoiced for
    each line beyond its price now (0 when cancelled) plus the penalty kept."""
    if record.status != BookingInvoicingStatus.INVOICED:
        return {}
    lines = _top_lines(record.booking) if lines is None else lines
    result = {}
    for line in lines:
        invoiced = Decimal(record.lines_invoiced.get(str(line.pk), "0"))
        difference = money(invoiced - line_target(line))
        if difference > 0:
            result[line] = difference
    return result


def _credit_specs(
    amounts: dict[BookingLine, Decimal], reference: str, treatments: _Treatments
) -> list[InvoiceLineSpec]:
    parts = []
    for line, amount in amounts.items():
        if line.status == LineStatus.CANCELLED:
            if line.penalty_amount > 0:
                text = _("Cancellation of %(line)s (penalty kept: EUR %(penalty)s)") % {
                    "line": describe_line(line),
                    "penalty": line.penalty_amount,
                }
            else:
                text = _("Cancellation of %(line)s") % {"line": describe_line(line)}
        else:
            text = _("Reduction of %(line)s") % {"line": describe_line(line)}
        parts.append(_Part(line, amount, text, treatments.of(line)))
    return _specs(parts, reference)


def _credit_record(record, key, outcome, *, amount=ZERO, notes=(), problems=None):
    credit, _created = CancellationCredit.objects.update_or_create(
        invoicing=record,
        event_key=key,
        defaults={"outcome": outcome, "amount": amount, "problems": problems or {}},
    )
    credit.credit_notes.set(notes)
    return credit


@transaction.atomic
def credit_note_for_cancellation(
    *,
    booking: Booking,
    result=None,
    actor=None,
    issue_date: date | None = None,
    event_key: str | None = None,
) -> list[Invoice]:
    """Credit notes after lines of a confirmed, invoiced booking were cancelled: per line,
    its price minus the penalty kept (the penalty stays invoiced); the whole document (a
    full credit) when everything is refunded. `result` is the engine's CancellationResult:
    one cancellation event, credited once. Without it, every line of the booking is
    reconciled (the back office's button). A booking still waiting for its monthly summary
    gets no credit note: the summary will bill what is left."""
    line_ids = sorted(result.lines) if result is not None else None
    if line_ids == []:
        return []  # that call cancelled nothing
    record = (
        BookingInvoicing.objects.select_for_update()
        .select_related("booking")
        .filter(booking_id=booking.pk)
        .first()
    )
    if record is None or record.status in (
        BookingInvoicingStatus.FAILED,
        BookingInvoicingStatus.NOTHING,
    ):
        return []  # not invoiced yet: the invoice will show the booking as it is then
    if line_ids is not None:
        key = cancellation_event_key(line_ids)
    else:
        key = event_key or f"reconcile:{timezone.now().isoformat()}"
    done = record.credits.filter(event_key=key).exclude(outcome=CreditOutcome.FAILED).first()
    if done is not None:
        return list(done.credit_notes.order_by("pk"))
    if record.status == BookingInvoicingStatus.ON_ACCOUNT:
        _credit_record(record, key, CreditOutcome.SUMMARY_ADJUSTED)
        return []
    lines = _top_lines(record.booking)
    if line_ids is not None:
        lines = [line for line in lines if line.pk in line_ids]
    amounts = pending_credit(record, lines)
    if not amounts:
        _credit_record(record, key, CreditOutcome.NOTHING)
        return []
    documents = {}  # per regime, the document with the most left to credit (supplements)
    for doc in sorted(record.documents.all(), key=lambda d: d.pk):
        held = documents.get(doc.regime_fiscale)
        if held is None or _creditable(doc) > _creditable(held):
            documents[doc.regime_fiscale] = doc
    treatments = _Treatments(_customer(record.booking))
    notes = []
    for regime in (RegimeFiscale.TRAVEL_AGENCY_MARGIN, RegimeFiscale.ORDINARY):
        margin = regime == RegimeFiscale.TRAVEL_AGENCY_MARGIN
        part = {
            ln: a
            for ln, a in amounts.items()
            if (treatments.of(ln).treatment == Treatment.MARGIN) == margin
        }
        if not part:
            continue
        original = documents.get(regime)
        if original is None:
            raise ValidationError(
                {"invoice": _("No invoice of this booking to credit under %s.") % regime}
            )
        total = money(sum(part.values(), ZERO))
        own_document = record.summary_id is None
        whole = own_document and total == original.total and not original.credit_notes.exists()
        with translation.override(original.language):
            if key.startswith("amendment:"):
                reason = _("Amendment of booking %(ref)s") % {"ref": record.booking.reference}
            else:
                reason = _("Cancellation of booking %(ref)s") % {"ref": record.booking.reference}
            notes.append(
                services.credit_note_issue(
                    invoice=original,
                    reason=reason,
                    full=whole,
                    lines=None
                    if whole
                    else _credit_specs(part, record.booking.reference, treatments),
                    actor=actor,
                    issue_date=issue_date,
                )
            )
    lines_invoiced = dict(record.lines_invoiced)
    for line, amount in amounts.items():
        left = money(Decimal(lines_invoiced.get(str(line.pk), "0")) - amount)
        lines_invoiced[str(line.pk)] = str(left)
    record.lines_invoiced = lines_invoiced
    record.save(update_fields=["lines_invoiced", "updated_at"])
    _credit_record(
        record,
        key,
        CreditOutcome.CREDITED,
        amount=money(sum(amounts.values(), ZERO)),
        notes=notes,
    )
    return notes


@transaction.atomic
def cancellation_credit_failed(*, booking: Booking, key: str, problems: dict) -> None:
    record = BookingInvoicing.objects.select_for_update().filter(booking_id=booking.pk).first()
    if record is not None:
        _credit_record(record, key, CreditOutcome.FAILED, problems=problems)


def credit_cancellation_or_record_failure(
    *, booking: Booking, line_ids=None, actor=None
) -> tuple[list[Invoice], dict[str, str]]:
    """What the cancellation task and the back-office button call: never raises for a
    fiscal problem; the failure is kept on the booking for finance."""
    result = CancelledLines(list(line_ids)) if line_ids is not None else None
    try:
        return credit_note_for_cancellation(booking=booking, result=result, actor=actor), {}
    except ValidationError as exc:
        problems = _problems_of(exc)
    key = cancellation_event_key(line_ids) if line_ids else "reconcile:failed"
    logger.warning("booking %s: credit note not issued: %s", booking.pk, problems)
    cancellation_credit_failed(booking=booking, key=key, problems=problems)
    return [], problems


def _creditable(document: Invoice) -> Decimal:
    return document.total - sum((n.total for n in document.credit_notes.issued()), ZERO)


# --- 2b. amendments of an invoiced booking ------------------------------------------------------


def pending_supplement(record: BookingInvoicing) -> dict:
    """{booking line: amount to invoice}: what each line should have invoiced now beyond what
    its documents certify (a line added to the booking, a larger party, a dearer date)."""
    if record.status != BookingInvoicingStatus.INVOICED:
        return {}
    result = {}
    for line in _top_lines(record.booking):
        invoiced = Decimal(record.lines_invoiced.get(str(line.pk), "0"))
        difference = money(line_target(line) - invoiced)
        if difference > 0:
            result[line] = difference
    return result


@transaction.atomic
def documents_for_amendment(
    *, booking: Booking, amendment_id: int | None = None, actor=None, issue_date=None
) -> list[Invoice]:
    """After an amendment of a confirmed, invoiced booking, its documents follow the lines:
    a supplementary invoice (or receipt) for what grew (an added line, a larger party), a
    credit note for what shrank. Idempotent: each line's invoiced amount is kept on the
    booking's invoicing record, so a second run finds nothing to do. A booking not invoiced
    yet (an option) or waiting for its monthly summary gets nothing here: its invoice, or
    the summary, bills it as it is then."""
    record = BookingInvoicing.objects.select_for_update().filter(booking_id=booking.pk).first()
    if record is None or record.status != BookingInvoicingStatus.INVOICED:
        return []
    booking = Booking.objects.select_related("buyer_organisation").get(pk=booking.pk)
    documents = []
    amounts = pending_supplement(record)
    if amounts:
        customer = _customer(booking)
        treatments = _Treatments(customer)
        parts = []
        with translation.override(customer.language):
            invoiced = {str(k) for k, v in record.lines_invoiced.items() if Decimal(v) > 0}
            for line, amount in amounts.items():
                text = describe_line(line)
                if str(line.pk) in invoiced:
                    text = _("Supplement: %(line)s") % {"line": text}
                parts.append(_Part(line, amount, text, treatments.of(line)))
            notes = _("Amendment of booking %(ref)s") % {"ref": booking.reference}
        partner = booking.buyer_organisation
        documents = services.invoices_issue_split_by_regime(
            customer=customer,
            lines=_specs(parts, booking.reference),
            expected_total=money(sum(amounts.values(), ZERO)),
            booking_reference=booking.reference,
            payment_method=PaymentMethod.BANK_TRANSFER if partner else PaymentMethod.CARD,
            due_date=_due_date(partner, issue_date),
            notes=notes,
            actor=actor,
            issue_date=issue_date,
        )
        lines_invoiced = dict(record.lines_invoiced)
        for line, amount in amounts.items():
            before = Decimal(lines_invoiced.get(str(line.pk), "0"))
            lines_invoiced[str(line.pk)] = str(money(before + amount))
        record.lines_invoiced = lines_invoiced
        record.save(update_fields=["lines_invoiced", "updated_at"])
        record.documents.add(*documents)
    if pending_credit(record):
        documents += credit_note_for_cancellation(
            booking=booking,
            actor=actor,
            issue_date=issue_date,
            event_key=f"amendment:{amendment_id or timezone.now().isoformat()}",
        )
    return documents


def documents_for_amendment_or_record_failure(*, booking: Booking, actor=None):
    """What the "amended" handler calls: never raises for a fiscal problem (recorded)."""
    from bookings.models import Amendment

    amendment = Amendment.objects.filter(booking=booking).order_by("-pk").first()
    try:
        return documents_for_amendment(
            booking=booking, amendment_id=amendment.pk if amendment else None, actor=actor
        ), {}
    except ValidationError as exc:
        problems = _problems_of(exc)
    logger.warning("booking %s: amendment documents not issued: %s", booking.pk, problems)
    cancellation_credit_failed(
        booking=booking,
        key=f"amendment:{amendment.pk if amendment else 'unknown'}",
        problems=problems,
    )
    return [], problems


# --- 3. monthly summary for trade partners on account -----------------------------------------


def _summary_specs(
    records: list[BookingInvoicing], customer: CustomerData
) -> list[InvoiceLineSpec]:
    """One line per booking and per treatment (and VAT rate or Natura), by reference."""
    other_specs: list[InvoiceLineSpec] = []
    gross_items: list[GrossItem] = []
    kinds = {Treatment.MARGIN: "package_margin", Treatment.ON_BEHALF: "on_behalf"}
    with translation.override(customer.language):
        for record in records:
            booking = record.booking
            groups: dict[tuple, list[_Part]] = {}
            for part in _parts(booking, customer):
                treatment = part.treatment
                rate = money(part.line.vat_rate) if treatment.treatment == Treatment.VAT else None
                key = (treatment.treatment, rate, treatment.natura, part.line.sales_model)
                groups.setdefault(key, []).append(part)
            for (kind, rate, natura, sales_model), parts in groups.items():
                label = _("Booking %(ref)s of %(date)s") % {
                    "ref": booking.reference,
                    "date": _date(timezone.localtime(booking.confirmed_at).date()),
                }
                if booking.buyer_reference:
                    label += f" ({booking.buyer_reference})"
                description = f"{label}: " + "; ".join(p.description for p in parts)
                amount = money(sum((p.amount for p in parts), ZERO))
                first_day = min(p.line.service_date for p in parts)
                last_day = max((p.line.end_date or p.line.service_date) for p in parts)
                common = {
                    "quantity": Decimal("1"),
                    "unit_price": amount,
                    "booking_reference": booking.reference,
                    "service_date": first_day,
                    "service_end_date": last_day,
                    "sales_model": sales_model,
                }
                if kind == Treatment.VAT:
                    gross_items.append(
                        GrossItem(
                            description[:1000],
                            amount,
                            rate,
                            booking.reference,
                            first_day,
                            service_end_date=last_day,
                            sales_model=sales_model,
                        )
                    )
                elif kind == Treatment.NOT_SUBJECT:
                    other_specs.append(
                        InvoiceLineSpec(description=description[:1000], natura=natura, **common)
                    )
                else:
                    other_specs.append(
                        InvoiceLineSpec(description=description[:1000], kind=kinds[kind], **common)
                    )
    return other_specs + vat_included_lines(gross_items)


@transaction.atomic
def monthly_summary_issue(
    *, partner: Organisation, year: int, month: int, actor=None, issue_date: date | None = None
) -> list[Invoice]:
    """The summary invoice(s) of a partner on account for a month that is over: one line per
    booking confirmed in the month, at what it costs now (cancellations before the summary
    simply lower it). Once per partner and month: a second call returns the documents."""
    start, end = month_bounds(year, month)
    day = issue_date or timezone.localdate()
    if day < end:
        raise ValidationError(
            {"month": _("%(month)s is not over yet.") % {"month": start.strftime("%m/%Y")}}
        )
    existing = MonthlySummary.objects.filter(partner=partner, period_start=start).first()
    if existing is not None:
        return list(existing.documents.order_by("pk"))
    records = list(
        BookingInvoicing.objects.select_for_update()
        .filter(
            customer_organisation=partner,
            period_start=start,
            status=BookingInvoicingStatus.ON_ACCOUNT,
        )
        .select_related("booking")
        .order_by("booking__confirmed_at", "booking__reference")
    )
    if not records:
        return []
    customer = CustomerData.from_organisation(partner)
    specs = _summary_specs(records, customer)
    expected = money(sum((r.booking.total_retail for r in records), ZERO))
    documents = []
    if specs:
        with translation.override(customer.language):
            notes = _("Monthly summary of the bookings confirmed in %(month)s") % {
                "month": start.strftime("%m/%Y")
            }
        documents = services.invoices_issue_split_by_regime(
            customer=customer,
            lines=specs,
            expected_total=expected,
            payment_method=PaymentMethod.BANK_TRANSFER,
            due_date=_due_date(partner, day),
            notes=notes,
            actor=actor,
            issue_date=issue_date,
        )
    summary = MonthlySummary.objects.create(partner=partner, period_start=start)
    summary.documents.set(documents)
    for record in records:
        _snapshot_targets(record, record.booking)
        record.status = (
            BookingInvoicingStatus.INVOICED
            if record.lines_invoiced
            else BookingInvoicingStatus.NOTHING
        )
        record.summary = summary
        record.problems = {}
        record.save()
        record.documents.set(documents)
    return documents


def monthly_summary_issue_or_record_failure(
    *, partner: Organisation, year: int, month: int, actor=None
) -> tuple[list[Invoice], dict[str, str]]:
    """What the monthly task and the back-office button call: a partner whose fiscal data
    is wrong gets the problem recorded on its bookings (the "not invoiced" list)."""
    try:
        return monthly_summary_issue(partner=partner, year=year, month=month, actor=actor), {}
    except ValidationError as exc:
        problems = _problems_of(exc)
    if "month" not in problems:
        _summary_failed(partner=partner, start=month_bounds(year, month)[0], problems=problems)
    logger.warning("monthly summary of %s not issued: %s", partner.pk, problems)
    return [], problems


def monthly_summaries_issue(*, year: int, month: int, actor=None) -> dict:
    """Every partner's summary for the month; the others go ahead when one fails."""
    start, _end = month_bounds(year, month)
    partner_ids = (
        BookingInvoicing.objects.filter(
            period_start=start, status=BookingInvoicingStatus.ON_ACCOUNT
        )
        .values_list("customer_organisation_id", flat=True)
        .distinct()
    )
    issued, failed = [], {}
    for partner in Organisation.objects.filter(pk__in=list(partner_ids)).order_by("name"):
        documents, problems = monthly_summary_issue_or_record_failure(
            partner=partner, year=year, month=month, actor=actor
        )
        issued += documents
        if problems:
            failed[partner.name] = problems
    return {"issued": issued, "failed": failed}


@transaction.atomic
def _summary_failed(*, partner, start, problems) -> None:
    BookingInvoicing.objects.filter(
        customer_organisation=partner, period_start=start, status=BookingInvoicingStatus.ON_ACCOUNT
    ).update(problems=problems, last_attempt_at=timezone.now())


# --- 4. operator statements from bookings -----------------------------------------------------


def _balance(operator: Organisation, year: int, month: int):
    """What the operator was owed, paid and is due in the month: the payments app's one
    computation, which its payout runs and the operator's page use too."""
    from payments.selectors import operator_balance

    start, end = month_bounds(year, month)
    return operator_balance(operator=operator, start=start, end=end)


def payouts_for(operator: Organisation, year: int, month: int) -> list[PayoutSpec]:
    """The payouts paid to the operator in the month (SEPA transfers or Stripe Connect)."""
    return [
        PayoutSpec(paid_on=p.paid_on, reference=p.reference, amount=p.amount)
        for p in _balance(operator, year, month).payouts
    ]


def statement_lines_for_operator(
    operator: Organisation, year: int, month: int
) -> list[StatementLineSpec]:
    """The amounts owed to the operator in the month: services (by their day or an earlier
    redemption), no-shows, shares of cancellation penalties and adjustments."""
    return _lines(_balance(operator, year, month))


def _lines(balance) -> list[StatementLineSpec]:
    return [
        StatementLineSpec(
            booking_reference=row.booking_reference,
            service_date=row.earned_on,
            product=row.product,
            gross=money(row.gross),
            commission=money(row.commission),
            net=money(row.net),
            kind=row.kind,
            sales_model=row.payable.line.sales_model,
        )
        for row in balance.rows
    ]


def statement_for_operator(
    *,
    operator: Organisation,
    year: int,
    month: int,
    invoice_commission: bool = False,
    actor=None,
) -> OperatorStatement:
    """Build (or rebuild, until its commission is invoiced) the operator's statement of the
    month from `payments.selectors.operator_balance`; with `invoice_commission` the DMC's
    commission is invoiced to the operator and the statement becomes final."""
    from payments.payouts import payables_release_due

    payables_release_due()
    balance = _balance(operator, year, month)
    return services.operator_statement_build(
        operator=operator,
        year=year,
        month=month,
        lines=_lines(balance),
        payouts=[
            PayoutSpec(paid_on=p.paid_on, reference=p.reference, amount=p.amount)
            for p in balance.payouts
        ],
        opening_balance=balance.opening,
        invoice_commission=invoice_commission,
        actor=actor,
    )


def operators_served_in(year: int, month: int) -> list[Organisation]:
    """Operators with anything owed or paid in the month."""
    from payments.selectors import operators_with_money_in

    start, end = month_bounds(year, month)
    ids = operators_with_money_in(start, end)
    return list(
        Organisation.objects.filter(pk__in=ids, kind=OrganisationKind.OPERATOR).order_by("name")
    )


def statements_for_month(*, year: int, month: int) -> list[OperatorStatement]:
    """Every served operator's statement of the month; invoiced (final) ones are kept."""
    statements = []
    for operator in operators_served_in(year, month):
        start, _end = month_bounds(year, month)
        final = OperatorStatement.objects.filter(
            operator=operator, period_start=start, commission_invoice__isnull=False
        ).first()
        statements.append(
            final or statement_for_operator(operator=operator, year=year, month=month)
        )
    return statements


# --- totals for reconciliation ------------------------------------------------------------


def booking_documents() -> Q:
    """Invoices, receipts and summaries issued for bookings (not commission invoices)."""
    return Q(booking_invoicings__isnull=False) | Q(monthly_summaries__isnull=False)


def invoiced_total_for_period(start: date, end: date) -> Decimal:
    """What was invoiced for bookings with start <= issue date < end: booking invoices,
    receipts and monthly summaries minus their credit notes. The figure to set against the
    payments ledger of the same period."""
    issued = Invoice.objects.issued().filter(issue_date__gte=start, issue_date__lt=end)
    invoices = issued.filter(document_type=DocumentType.INVOICE).filter(booking_documents())
    credit_notes = issued.filter(document_type=DocumentType.CREDIT_NOTE).filter(
        Q(original__booking_invoicings__isnull=False) | Q(original__monthly_summaries__isnull=False)
    )

    def total(queryset) -> Decimal:
        ids = Subquery(queryset.values("pk"))
        value = Invoice.objects.filter(pk__in=ids).aggregate(total=Sum("total"))["total"]
        return money(value or ZERO)

    return money(total(invoices) - total(credit_notes))
