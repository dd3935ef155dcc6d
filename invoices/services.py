"""Writes of the invoices app: drafts, issuing with gapless numbers, credit notes, payment
and SdI status, operator statements. Keyword-only functions, one transaction each.

Input is plain data (`specs.CustomerData`, `specs.InvoiceLineSpec`): the adapters from
bookings, cancellations and payouts build those and call these functions."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import DatabaseError, IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Organisation, OrganisationKind
from marketplace.amounts import amount_text
from operators.models import SalesModel
from operators.pricing import money

from . import fatturapa
from .fiscal import customer_problems, dmc_organisation, supplier_snapshot
from .models import (
    SDI_TRANSITIONS,
    CustomerKind,
    DocumentType,
    Invoice,
    InvoiceEvent,
    InvoiceLine,
    InvoiceStatus,
    LineKind,
    OperatorStatement,
    OperatorStatementLine,
    OperatorStatementPayout,
    PaymentMethod,
    SdiFileCounter,
    SdiStatus,
    Series,
    SeriesCounter,
)
from .rules import FiscalSettings
from .specs import (
    ACCESSORY_KINDS,
    CustomerData,
    InvoiceLineSpec,
    PayoutSpec,
    StatementLineSpec,
    compute_totals,
    regime_for,
    split_by_regime,
)

TRADE_SERIES = "TR"
RECEIPT_SERIES = "RC"
CREDIT_NOTE_SERIES = "NC"
DEFAULT_PAYMENT_DAYS = 30

SERIES_DEFAULTS = {
    TRADE_SERIES: {
        "name": "Fatture a clienti business",
        "document_type": DocumentType.INVOICE,
        "customer_kind": CustomerKind.BUSINESS,
    },
    RECEIPT_SERIES: {
        "name": "Ricevute e fatture a viaggiatori",
        "document_type": DocumentType.INVOICE,
        "customer_kind": CustomerKind.CONSUMER,
    },
    CREDIT_NOTE_SERIES: {
        "name": "Note di credito",
        "document_type": DocumentType.CREDIT_NOTE,
        "customer_kind": "",
    },
}


def series_ensure() -> dict[str, Series]:
    """The three standard series (idempotent)."""
    result = {}
    for code, defaults in SERIES_DEFAULTS.items():
        result[code], _created = Series.objects.get_or_create(
            code=code, defaults={**defaults, "prefix": code}
        )
    return result


def _event(invoice, action, *, actor=None, from_status="", to_status="", note=""):
    InvoiceEvent.objects.create(
        invoice=invoice,
        action=action,
        actor=actor if getattr(actor, "pk", None) else None,
        from_status=from_status,
        to_status=to_status,
        note=note,
    )


def _as_customer(customer) -> CustomerData:
    if isinstance(customer, Organisation):
        return CustomerData.from_organisation(customer)
    if isinstance(customer, CustomerData):
        return customer
    raise TypeError("customer must be an Organisation or CustomerData")


def _apply_customer(invoice: Invoice, customer: CustomerData) -> None:
    invoice.customer_organisation = customer.organisation
    invoice.customer_kind = customer.kind
    invoice.customer_name = customer.name.strip()
    invoice.customer_first_name = customer.first_name.strip()
    invoice.customer_last_name = customer.last_name.strip()
    invoice.customer_partita_iva = customer.partita_iva
    invoice.customer_codice_fiscale = customer.codice_fiscale
    invoice.customer_vat_number = customer.vat_number
    invoice.customer_address = customer.address
    invoice.customer_postcode = customer.postcode
    invoice.customer_city = customer.city
    invoice.customer_province = customer.province
    invoice.customer_country = customer.country.upper()
    invoice.customer_sdi_code = customer.sdi_code.upper()
    invoice.customer_pec = customer.pec
    invoice.customer_email = customer.email
    invoice.language = customer.language or "it"


def _write_lines(invoice: Invoice, specs: Sequence[InvoiceLineSpec]) -> None:
    InvoiceLine.objects.bulk_create(
        [
            InvoiceLine(
                invoice=invoice,
                position=position,
                kind=spec.kind,
                description=spec.description[:1000],
                quantity=spec.quantity,
                unit_price=spec.unit_price,
                vat_rate=spec.vat_rate,
                natura=spec.natura or "",
                amount=spec.amount,
                gross_amount=spec.gross_amount,
                booking_reference=spec.booking_reference or "",
                service_date=spec.service_date,
                service_end_date=spec.service_end_date,
                sales_model=spec.sales_model or "",
            )
            for position, spec in enumerate(specs, start=1)
        ]
    )


def _apply_totals(invoice: Invoice, lines) -> None:
    totals = compute_totals(lines)
    invoice.taxable_total = totals.taxable_total
    invoice.vat_total = totals.vat_total
    invoice.non_taxable_total = totals.non_taxable_total
    invoice.total = totals.total


def _normalise(lines: Sequence[InvoiceLineSpec]) -> list[InvoiceLineSpec]:
    if not lines:
        raise ValidationError({"lines": _("A document needs at least one line.")})
    return [spec.normalised() for spec in lines]


STAMP_DUTY_NATURE = ("N1", "N2.1", "N2.2", "N3.2", "N4")


def stamp_duty_due(lines) -> Decimal:
    """The stamp duty a document owes: the setting's amount when its amounts without VAT
    (Natura N1-N4; not N5, the margin regime) exceed the threshold, else 0."""
    settings = FiscalSettings.current()
    base = sum(
        (
            money(line.amount)
            for line in lines
            if (line.natura or "") in STAMP_DUTY_NATURE and line.kind != LineKind.STAMP_DUTY
        ),
        Decimal("0.00"),
    )
    return settings.stamp_duty_amount if base > settings.stamp_duty_threshold else Decimal("0.00")


def _with_charged_stamp_duty(specs: list[InvoiceLineSpec], language: str):
    """The lines plus the stamp duty charged to the customer, when the DMC says so."""
    amount = stamp_duty_due(specs)
    if not amount or not FiscalSettings.current().stamp_duty_charged_to_customer:
        return specs
    line = InvoiceLineSpec(
        description="Imposta di bollo (rivalsa) / Stamp duty",
        quantity=Decimal("1"),
        unit_price=amount,
        kind=LineKind.STAMP_DUTY,
    ).normalised()
    return [*specs, line]


def _check_expected_total(total: Decimal, expected_total: Decimal | None) -> None:
    if expected_total is not None and total != Decimal(str(expected_total)):
        raise ValidationError(
            {
                "lines": _(
                    "The lines add up to %(total)s EUR but the booking totals %(expected)s EUR."
                )
                % {"total": amount_text(total), "expected": amount_text(expected_total)}
            }
        )


@transaction.atomic
def invoice_draft_create(
    *,
    customer: Organisation | CustomerData,
    lines: Sequence[InvoiceLineSpec],
    series_code: str | None = None,
    booking_reference: str = "",
    due_date: date | None = None,
    payment_method: str = PaymentMethod.BANK_TRANSFER,
    payment_terms: str = "",
    notes: str = "",
    expected_total: Decimal | None = None,
    actor=None,
) -> Invoice:
    """A draft (no number yet) from plain data. `expected_total`, when given, is the amount
    the booking totals: lines that add up to something else are refused."""
    customer = _as_customer(customer)
    specs = _normalise(lines)
    regime = regime_for(specs)
    totals = compute_totals(specs)
    _check_expected_total(totals.total, expected_total)
    specs = _with_charged_stamp_duty(specs, customer.language)
    series_ensure()
    if series_code is None:
        series_code = TRADE_SERIES if customer.is_business else RECEIPT_SERIES
    series = Series.objects.filter(code=series_code, is_active=True).first()
    if series is None or series.document_type != DocumentType.INVOICE:
        raise ValidationError({"series": _("“%s” is not an active invoice series.") % series_code})
    if payment_method not in PaymentMethod.values:
        raise ValidationError({"payment_method": _("Unknown payment method.")})
    invoice = Invoice(
        series=series,
        document_type=DocumentType.INVOICE,
        regime_fiscale=regime,
        booking_reference=booking_reference or "",
        due_date=due_date,
        payment_method=payment_method,
        payment_terms=payment_terms,
        notes=notes,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    _apply_customer(invoice, customer)
    _apply_totals(invoice, specs)
    invoice.full_clean(exclude=["customer_pec", "customer_email"])
    invoice.save()
    _write_lines(invoice, specs)
    _event(invoice, "created", actor=actor, to_status=InvoiceStatus.DRAFT)
    return invoice


class Busy(ValidationError):
    """The series counter stayed locked by another document past the database's
    lock_timeout, or a deadlock was detected: nothing was issued, try again (HTTP 409 through
    `marketplace.api`, like `bookings.services.Busy`). A ValidationError too, so the back-office
    pages and the invoicing adapters, which handle those, show or record it, never a 500."""

    api_status = 409

    def __init__(self, message=None):
        super().__init__(
            message
            or _("Invoice numbering is busy with another document: please try again in a moment."),
            code="busy",
        )


LOCK_SQLSTATES = ("55P03", "40P01")  # lock_not_available, deadlock_detected


def _is_lock_error(exc: DatabaseError) -> bool:
    cause = exc.__cause__
    return (getattr(cause, "sqlstate", None) or getattr(cause, "pgcode", None)) in LOCK_SQLSTATES


def _lock_counter(series: Series, year: int) -> SeriesCounter:
    """The (series, year) counter row, created if needed, locked for this transaction."""
    try:
        with transaction.atomic():
            SeriesCounter.objects.get_or_create(series=series, year=year)
    except IntegrityError:  # created by a concurrent transaction in the meantime
        pass
    return SeriesCounter.objects.select_for_update().get(series=series, year=year)


def _next_number(series: Series, issue_date: date) -> int:
    """Lock the (series, year) counter row and take its next number. The caller's
    transaction holds the lock until the invoice row is written and committed."""
    year = issue_date.year
    try:
        counter = _lock_counter(series, year)
    except DatabaseError as exc:  # OperationalError: lock timeout or deadlock
        if _is_lock_error(exc):
            raise Busy() from exc
        raise
    if counter.last_issue_date and issue_date < counter.last_issue_date:
        raise ValidationError(
            {
                "issue_date": _(
                    "The issue date cannot be earlier than the last document of series "
                    "%(series)s (%(date)s)."
                )
                % {"series": series.code, "date": counter.last_issue_date.isoformat()}
            }
        )
    counter.last_number += 1
    counter.last_issue_date = issue_date
    counter.save(update_fields=["last_number", "last_issue_date"])
    return counter.last_number


def _customer_data_of(invoice: Invoice) -> CustomerData:
    return CustomerData(
        name=invoice.customer_name,
        kind=invoice.customer_kind,
        country=invoice.customer_country,
        partita_iva=invoice.customer_partita_iva,
        codice_fiscale=invoice.customer_codice_fiscale,
        vat_number=invoice.customer_vat_number,
        address=invoice.customer_address,
        postcode=invoice.customer_postcode,
        city=invoice.customer_city,
        province=invoice.customer_province,
        sdi_code=invoice.customer_sdi_code,
        pec=invoice.customer_pec,
        first_name=invoice.customer_first_name,
        last_name=invoice.customer_last_name,
    )


@transaction.atomic
def invoice_issue(*, invoice: Invoice, actor=None, issue_date: date | None = None) -> Invoice:
    """Number the draft under the series lock, snapshot the DMC, build and validate the
    FatturaPA XML (business customers), and freeze the document. Anything invalid raises
    ValidationError and rolls everything back, the number included."""
    invoice = Invoice.objects.select_for_update().select_related("series").get(pk=invoice.pk)
    if invoice.is_issued:
        raise ValidationError(
            _("Invoice %(number)s is already issued.") % {"number": invoice.number},
            code="already_issued",
        )
    problems = customer_problems(_customer_data_of(invoice))
    supplier, supplier_problems = supplier_snapshot(dmc_organisation())
    problems.update(supplier_problems)
    if problems:
        raise ValidationError(problems)
    lines = list(invoice.lines.all())
    if not lines:
        raise ValidationError({"lines": _("A document needs at least one line.")})

    day = issue_date or timezone.localdate()
    if day > timezone.localdate():
        raise ValidationError(
            {"issue_date": _("An invoice cannot be issued with a date in the future.")},
            code="future_issue_date",
        )
    sequence = _next_number(invoice.series, day)
    invoice.issued_at = timezone.now()  # taken under the lock: same order as the numbers
    invoice.issue_date = day
    invoice.year = invoice.issue_date.year
    invoice.sequence = sequence
    invoice.number = invoice.series.format_number(invoice.year, sequence)
    invoice.status = InvoiceStatus.ISSUED
    invoice.supplier = supplier
    if invoice.document_type == DocumentType.INVOICE and invoice.due_date is None:
        invoice.due_date = invoice.issue_date + timedelta(days=DEFAULT_PAYMENT_DAYS)
    _apply_totals(invoice, lines)
    invoice.stamp_duty = stamp_duty_due(lines)
    invoice.stamp_duty_charged = any(line.kind == LineKind.STAMP_DUTY for line in lines)
    if fatturapa.needs_xml(invoice):
        invoice.xml_content = fatturapa.build_xml(invoice, lines).decode("utf-8")
        invoice.xml_filename = fatturapa.filename(invoice)
        invoice.sdi_transmissions = 1
        invoice.sdi_status = SdiStatus.TO_SEND
    else:
        invoice.sdi_status = SdiStatus.NOT_APPLICABLE
    invoice.full_clean(exclude=["customer_pec", "customer_email"])
    invoice.save()
    _event(
        invoice,
        "issued",
        actor=actor,
        from_status=InvoiceStatus.DRAFT,
        to_status=InvoiceStatus.ISSUED,
        note=invoice.number,
    )
    return invoice


@transaction.atomic
def invoice_issue_from_specs(
    *,
    customer: Organisation | CustomerData,
    lines: Sequence[InvoiceLineSpec],
    actor=None,
    issue_date: date | None = None,
    **draft_options,
) -> Invoice:
    """Draft and issue in one transaction: what the booking adapters call."""
    draft = invoice_draft_create(customer=customer, lines=lines, actor=actor, **draft_options)
    return invoice_issue(invoice=draft, actor=actor, issue_date=issue_date)


@transaction.atomic
def invoices_issue_split_by_regime(
    *,
    customer: Organisation | CustomerData,
    lines: Sequence[InvoiceLineSpec],
    expected_total: Decimal | None = None,
    actor=None,
    **draft_options,
) -> list[Invoice]:
    """One document per tax regime (margin-regime packages apart from VAT services), all or
    nothing; `expected_total` is checked against the sum of the documents."""
    specs = _normalise(lines)
    _check_expected_total(compute_totals(specs).total, expected_total)
    return [
        invoice_issue_from_specs(customer=customer, lines=part, actor=actor, **draft_options)
        for part in split_by_regime(specs).values()
    ]


@transaction.atomic
def invoice_draft_delete(*, invoice: Invoice) -> None:
    invoice.delete()


def _credited_amounts(original: Invoice) -> Decimal:
    return sum(
        (
            cn.total
            for cn in original.credit_notes.filter(status=InvoiceStatus.ISSUED).only("total")
        ),
        Decimal("0.00"),
    )


@transaction.atomic
def credit_note_issue(
    *,
    invoice: Invoice,
    reason: str,
    lines: Sequence[InvoiceLineSpec] | None = None,
    full: bool = False,
    actor=None,
    issue_date: date | None = None,
) -> Invoice:
    """A credit note (TD04, series NC) for an issued invoice: all of it (`full=True`) or the
    given lines. The credited total can never exceed what is left of the invoice."""
    original = Invoice.objects.select_for_update().get(pk=invoice.pk)
    if not original.is_issued or original.is_credit_note:
        raise ValidationError({"invoice": _("Only an issued invoice can be credited.")})
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Say why the invoice is credited.")})
    if full == bool(lines):
        raise ValidationError({"lines": _("Credit the whole invoice or give the lines.")})
    if full:
        specs = [
            InvoiceLineSpec(
                description=line.description,
                quantity=line.quantity,
                unit_price=line.unit_price,
                vat_rate=line.vat_rate,
                natura=line.natura or None,
                booking_reference=line.booking_reference or None,
                kind=line.kind,
                service_date=line.service_date,
                gross_amount=line.gross_amount,
                service_end_date=line.service_end_date,
                sales_model=line.sales_model,
            )
            for line in original.lines.all()
        ]
    else:
        specs = _normalise(lines)
    if regime_for(specs) != original.regime_fiscale and any(
        s.kind not in ACCESSORY_KINDS for s in specs
    ):
        raise ValidationError(
            {"lines": _("A credit note keeps the tax regime of the invoice it credits.")}
        )
    totals = compute_totals(specs)
    remaining = original.total - _credited_amounts(original)
    if totals.total > remaining:
        raise ValidationError(
            {
                "lines": _(
                    "The credit note (%(total)s EUR) exceeds what is left to credit on "
                    "%(number)s (%(remaining)s EUR)."
                )
                % {
                    "total": amount_text(totals.total),
                    "number": original.number,
                    "remaining": amount_text(remaining),
                }
            }
        )
    series_ensure()
    note = Invoice(
        series=Series.objects.get(code=CREDIT_NOTE_SERIES),
        document_type=DocumentType.CREDIT_NOTE,
        regime_fiscale=original.regime_fiscale,
        booking_reference=original.booking_reference,
        original=original,
        reason=reason.strip()[:200],
        payment_method=original.payment_method,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    for field in Invoice._meta.concrete_fields:
        if field.attname.startswith("customer_") or field.attname == "language":
            setattr(note, field.attname, getattr(original, field.attname))
    _apply_totals(note, specs)
    note.full_clean(exclude=["customer_pec", "customer_email"])
    note.save()
    _write_lines(note, specs)
    _event(note, "created", actor=actor, to_status=InvoiceStatus.DRAFT)
    note = invoice_issue(invoice=note, actor=actor, issue_date=issue_date)
    _event(original, "credited", actor=actor, note=f"{note.number}: {note.reason}")
    return note


@transaction.atomic
def invoice_mark_paid(*, invoice: Invoice, paid_at=None, actor=None) -> Invoice:
    invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
    if not invoice.is_issued:
        raise ValidationError(_("Only an issued invoice can be marked paid."))
    if invoice.paid_at is None:
        invoice.paid_at = paid_at or timezone.now()
        invoice.save(update_fields=["paid_at", "updated_at"])
        _event(invoice, "paid", actor=actor, to_status="paid")
    return invoice


@transaction.atomic
def invoice_sdi_status_set(*, invoice: Invoice, status: str, reason: str = "", actor=None):
    """Record what happened at the SdI: sent, accepted, or rejected with its reason."""
    invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
    if status not in SdiStatus.values:
        raise ValidationError({"status": _("Unknown SdI status.")})
    current = SdiStatus(invoice.sdi_status)
    if current == status:
        return invoice
    if status not in SDI_TRANSITIONS[current]:
        raise ValidationError(
            {
                "status": _("An e-invoice cannot go from “%(from)s” to “%(to)s”.")
                % {"from": current.label, "to": SdiStatus(status).label}
            }
        )
    if status == SdiStatus.REJECTED and not reason.strip():
        raise ValidationError({"reason": _("Enter the reason the SdI gave for the rejection.")})
    invoice.sdi_status = status
    invoice.sdi_status_reason = reason.strip()
    invoice.sdi_status_at = timezone.now()
    invoice.save(update_fields=["sdi_status", "sdi_status_reason", "sdi_status_at", "updated_at"])
    _event(invoice, "sdi", actor=actor, from_status=current, to_status=status, note=reason)
    return invoice


@transaction.atomic
def invoice_sdi_resend(*, invoice: Invoice, actor=None) -> Invoice:
    """Re-send a document the SdI rejected (scarto): the same number and date, the XML
    rebuilt and validated, under a new progressive file name (the SdI refuses a name it has
    already received); it goes back to "to send"."""
    invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
    if invoice.sdi_status != SdiStatus.REJECTED:
        raise ValidationError(
            {"status": _("Only a document rejected by the SdI is re-sent.")}, code="not_rejected"
        )
    SdiFileCounter.objects.get_or_create(pk=1)
    counter = SdiFileCounter.objects.select_for_update().get(pk=1)
    counter.last += 1
    counter.save(update_fields=["last"])
    previous = invoice.xml_filename
    invoice.xml_filename = (
        f"IT{invoice.supplier['codice_fiscale']}_{fatturapa.resend_progressive(counter.last)}.xml"
    )
    invoice.xml_content = fatturapa.build_xml(invoice).decode("utf-8")
    invoice.sdi_transmissions += 1
    invoice.sdi_status = SdiStatus.TO_SEND
    invoice.sdi_status_at = timezone.now()
    invoice.sdi_exported_at = None
    invoice.save(
        update_fields=[
            "xml_filename",
            "xml_content",
            "sdi_transmissions",
            "sdi_status",
            "sdi_status_at",
            "sdi_exported_at",
            "updated_at",
        ]
    )
    _event(
        invoice,
        "sdi_resent",
        actor=actor,
        from_status=SdiStatus.REJECTED,
        to_status=SdiStatus.TO_SEND,
        note=f"{previous} -> {invoice.xml_filename}",
    )
    return invoice


@transaction.atomic
def operator_statement_build(
    *,
    operator: Organisation,
    year: int,
    month: int,
    lines: Sequence[StatementLineSpec],
    payouts: Sequence[PayoutSpec] = (),
    opening_balance: Decimal = Decimal("0.00"),
    invoice_commission: bool = False,
    actor=None,
) -> OperatorStatement:
    """Build (or rebuild) an operator's monthly statement from plain data. With
    `invoice_commission`, the DMC's commission is invoiced to the operator (22% VAT on the
    commission, which is taken as a taxable amount); an invoiced statement is final."""
    from .selectors import month_bounds

    if operator.kind != OrganisationKind.OPERATOR:
        raise ValidationError({"operator": _("Statements are for operators.")})
    start, end = month_bounds(year, month)
    for line in lines:
        if not start <= line.service_date < end:
            raise ValidationError(
                {
                    "lines": _("%(ref)s is not in %(month)s.")
                    % {"ref": line.booking_reference, "month": start.strftime("%m/%Y")}
                }
            )
        if money(line.gross) - money(line.commission) != money(line.net):
            raise ValidationError(
                {
                    "lines": _("%(ref)s: gross minus commission is not the net amount.")
                    % {"ref": line.booking_reference}
                }
            )
    statement, _created = OperatorStatement.objects.select_for_update().get_or_create(
        operator=operator, period_start=start
    )
    if statement.commission_invoice_id:
        raise ValidationError(
            {"statement": _("This statement has been invoiced and can no longer change.")}
        )
    statement.lines.all().delete()
    statement.payouts.all().delete()
    OperatorStatementLine.objects.bulk_create(
        OperatorStatementLine(
            statement=statement,
            position=position,
            booking_reference=line.booking_reference,
            service_date=line.service_date,
            kind=line.kind,
            product=line.product[:200],
            sales_model=line.sales_model,
            gross=money(line.gross),
            commission=money(line.commission),
            net=money(line.net),
        )
        for position, line in enumerate(
            sorted(lines, key=lambda s: (s.service_date, s.booking_reference)), start=1
        )
    )
    OperatorStatementPayout.objects.bulk_create(
        OperatorStatementPayout(
            statement=statement,
            paid_on=payout.paid_on,
            reference=payout.reference[:100],
            amount=money(payout.amount),
        )
        for payout in payouts
    )
    zero = Decimal("0.00")
    statement.gross_total = money(sum((line.gross for line in lines), zero))
    statement.commission_total = money(sum((line.commission for line in lines), zero))
    statement.net_total = money(sum((line.net for line in lines), zero))
    statement.payouts_total = money(sum((payout.amount for payout in payouts), zero))
    statement.opening_balance = money(opening_balance)
    statement.balance = statement.opening_balance + statement.net_total - statement.payouts_total
    # Only agency sales earn the DMC a commission to invoice: on resale the DMC buys at net
    # and the operator invoices the DMC (docs/fiscal-decision-table.md).
    agency = [line for line in lines if line.sales_model == SalesModel.AGENCY]
    agency_commission = money(sum((line.commission for line in agency), zero))
    if invoice_commission and agency_commission > 0:
        statement.commission_invoice = invoice_issue_from_specs(
            customer=operator,
            lines=[
                InvoiceLineSpec(
                    description=(
                        f"Commissioni DMC {start:%m/%Y} su vendite in nome e per conto "
                        f"({len(agency)} prenotazioni)"
                    ),
                    quantity=Decimal("1"),
                    unit_price=agency_commission,
                    vat_rate=Decimal("22.00"),
                    sales_model=SalesModel.AGENCY,
                )
            ],
            actor=actor,
            notes=f"Estratto conto operatore {start:%m/%Y}",
        )
    statement.full_clean()
    statement.save()
    return statement
