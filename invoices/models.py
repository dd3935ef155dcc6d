"""Invoices, receipts and credit notes as self-contained fiscal documents.

A document holds a snapshot of the supplier (the DMC) and of the customer, its lines and its
totals, so that it never changes when an organisation or a booking changes later. Numbers
are assigned by `services.invoice_issue` from a per-(series, year) counter; issued documents
are immutable (corrections are credit notes)."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from operators.models import SalesModel

MONEY = {"max_digits": 12, "decimal_places": 2}


class DocumentType(models.TextChoices):
    """FatturaPA TipoDocumento."""

    INVOICE = "TD01", _("Invoice")
    CREDIT_NOTE = "TD04", _("Credit note")


class CustomerKind(models.TextChoices):
    BUSINESS = "business", _("Business")
    CONSUMER = "consumer", _("Consumer")


class RegimeFiscale(models.TextChoices):
    ORDINARY = "RF01", _("Ordinary VAT regime (RF01)")
    TRAVEL_AGENCY_MARGIN = "RF11", _("Travel agencies, margin regime art. 74-ter (RF11)")


class Natura(models.TextChoices):
    """FatturaPA Natura codes used by the DMC (a line without VAT needs one)."""

    N1 = "N1", _("N1 excluded under art. 15 (e.g. tourist tax collected for the comune)")
    N2_1 = "N2.1", _("N2.1 not subject, art. 7 to 7-septies (place of supply abroad)")
    N2_2 = "N2.2", _("N2.2 not subject, other cases")
    N3_2 = "N3.2", _("N3.2 non-taxable, intra-EU supplies")
    N4 = "N4", _("N4 exempt")
    N5 = "N5", _("N5 margin regime / VAT not shown")


class LineKind(models.TextChoices):
    SERVICE = "service", _("Service")
    PACKAGE_MARGIN = "package_margin", _("Package (margin regime)")
    TOURIST_TAX = "tourist_tax", _("Tourist tax")
    ON_BEHALF = "on_behalf", _("Collected in the name and on behalf of the operator")
    STAMP_DUTY = "stamp_duty", _("Stamp duty charged")


class PaymentMethod(models.TextChoices):
    """FatturaPA ModalitaPagamento."""

    BANK_TRANSFER = "MP05", _("Bank transfer")
    CARD = "MP08", _("Payment card")


class SdiStatus(models.TextChoices):
    NOT_APPLICABLE = "n/a", _("No e-invoice")
    TO_SEND = "to_send", _("To send")
    SENT = "sent", _("Sent")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")


SDI_TRANSITIONS = {
    SdiStatus.TO_SEND: {SdiStatus.SENT, SdiStatus.ACCEPTED, SdiStatus.REJECTED},
    SdiStatus.SENT: {SdiStatus.ACCEPTED, SdiStatus.REJECTED, SdiStatus.TO_SEND},
    # A rejected file leaves this state only by `invoice_sdi_resend` (a new file name).
    SdiStatus.REJECTED: set(),
    SdiStatus.ACCEPTED: set(),
    SdiStatus.NOT_APPLICABLE: set(),
}


class Series(models.Model):
    """A numbering series: numbers are progressive per calendar year, e.g. TR-2026-00042."""

    code = models.CharField(_("code"), max_length=4, unique=True)
    name = models.CharField(_("name"), max_length=100)
    document_type = models.CharField(_("document type"), max_length=4, choices=DocumentType.choices)
    customer_kind = models.CharField(
        _("customers"), max_length=10, choices=CustomerKind.choices, blank=True
    )
    prefix = models.CharField(_("prefix"), max_length=4)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("numbering series")
        verbose_name_plural = _("numbering series")

    def __str__(self):
        return f"{self.code} · {self.name}"

    def format_number(self, year: int, sequence: int) -> str:
        return f"{self.prefix}-{year}-{sequence:05d}"


class SeriesCounter(models.Model):
    """The last number given in a series and year. Locked with `select_for_update` while an
    invoice is issued, in the same transaction as the invoice row: a rollback gives the
    number back, so there are no gaps."""

    series = models.ForeignKey(Series, on_delete=models.PROTECT, related_name="counters")
    year = models.PositiveSmallIntegerField(_("year"))
    last_number = models.PositiveIntegerField(_("last number"), default=0)
    last_issue_date = models.DateField(_("last issue date"), null=True, blank=True)

    class Meta:
        verbose_name = _("series counter")
        verbose_name_plural = _("series counters")
        constraints = [
            models.UniqueConstraint(fields=["series", "year"], name="one_counter_per_series_year")
        ]

    def __str__(self):
        return f"{self.series.code} {self.year}: {self.last_number}"


class InvoiceStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ISSUED = "issued", _("Issued")


class InvoiceQuerySet(models.QuerySet):
    def issued(self):
        return self.filter(status=InvoiceStatus.ISSUED)

    def delete(self):
        """Drafts only: an issued document is never deleted (the database refuses it too)."""
        if self.filter(status=InvoiceStatus.ISSUED).exists():
            raise ValidationError(_("An issued invoice cannot be deleted."), code="immutable")
        return super().delete()


class Invoice(models.Model):
    """An invoice, a receipt or a credit note (document_type TD04)."""

    # Fields that may still change on an issued document: its life after issue.
    MUTABLE_AFTER_ISSUE = frozenset(
        {
            "paid_at",
            "sdi_status",
            "sdi_status_reason",
            "sdi_status_at",
            "sdi_exported_at",
            "updated_at",
            # a rejected file is re-sent under a new progressive name (same number and date)
            "xml_content",
            "xml_filename",
            "sdi_transmissions",
        }
    )

    series = models.ForeignKey(Series, on_delete=models.PROTECT, related_name="invoices")
    document_type = models.CharField(_("document type"), max_length=4, choices=DocumentType.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=InvoiceStatus.choices, default=InvoiceStatus.DRAFT
    )
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True)
    sequence = models.PositiveIntegerField(_("progressive number"), null=True, blank=True)
    number = models.CharField(_("number"), max_length=20, null=True, blank=True, unique=True)
    issue_date = models.DateField(_("issue date"), null=True, blank=True)
    issued_at = models.DateTimeField(_("issued at"), null=True, blank=True)
    due_date = models.DateField(_("due date"), null=True, blank=True)
    regime_fiscale = models.CharField(_("tax regime"), max_length=4, choices=RegimeFiscale.choices)
    language = models.CharField(_("language"), max_length=5, default="it")
    booking_reference = models.CharField(_("booking reference"), max_length=40, blank=True)
    original = models.ForeignKey(
        "self",
        verbose_name=_("credited invoice"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="credit_notes",
    )
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    # Supplier (the DMC) as it was when the document was issued.
    supplier = models.JSONField(_("supplier"), default=dict, blank=True)

    # Customer snapshot. `customer_organisation` scopes the document to a trade partner.
    customer_organisation = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("customer organisation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="invoices",
    )
    customer_kind = models.CharField(
        _("customer kind"), max_length=10, choices=CustomerKind.choices
    )
    customer_name = models.CharField(_("customer"), max_length=200)
    # A person (a traveller's invoice): Nome and Cognome in FatturaPA.
    customer_first_name = models.CharField(_("first name"), max_length=60, blank=True)
    customer_last_name = models.CharField(_("last name"), max_length=60, blank=True)
    customer_partita_iva = models.CharField(_("Partita IVA"), max_length=20, blank=True)
    customer_codice_fiscale = models.CharField(_("codice fiscale"), max_length=16, blank=True)
    customer_vat_number = models.CharField(_("VAT number"), max_length=20, blank=True)
    customer_address = models.CharField(_("address"), max_length=200, blank=True)
    customer_postcode = models.CharField(_("postcode"), max_length=10, blank=True)
    customer_city = models.CharField(_("city"), max_length=100, blank=True)
    customer_province = models.CharField(_("province"), max_length=2, blank=True)
    customer_country = models.CharField(_("country"), max_length=2, default="IT")
    customer_sdi_code = models.CharField(_("SdI code"), max_length=7, blank=True)
    customer_pec = models.EmailField(_("PEC"), blank=True)
    customer_email = models.EmailField(_("email"), blank=True)

    # Totals, exact to the cent, computed by the service from the lines.
    taxable_total = models.DecimalField(_("taxable amount"), default=0, **MONEY)
    vat_total = models.DecimalField(_("VAT"), default=0, **MONEY)
    non_taxable_total = models.DecimalField(_("amounts without VAT"), default=0, **MONEY)
    total = models.DecimalField(_("total"), default=0, **MONEY)
    # Imposta di bollo (DPR 642/72, Tariffa art. 13): due on amounts without VAT above the
    # threshold; paid virtually by the DMC, charged to the customer per the DMC's setting.
    stamp_duty = models.DecimalField(_("stamp duty"), default=0, **MONEY)
    stamp_duty_charged = models.BooleanField(_("stamp duty charged to the customer"), default=False)

    payment_method = models.CharField(
        _("payment method"),
        max_length=4,
        choices=PaymentMethod.choices,
        default=PaymentMethod.BANK_TRANSFER,
    )
    payment_terms = models.CharField(_("payment terms"), max_length=200, blank=True)
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)

    # FatturaPA
    xml_filename = models.CharField(_("XML file name"), max_length=40, blank=True)
    xml_content = models.TextField(_("FatturaPA XML"), blank=True)
    sdi_status = models.CharField(
        _("SdI status"),
        max_length=10,
        choices=SdiStatus.choices,
        default=SdiStatus.NOT_APPLICABLE,
    )
    sdi_status_reason = models.TextField(_("SdI outcome"), blank=True)
    sdi_status_at = models.DateTimeField(null=True, blank=True)
    sdi_exported_at = models.DateTimeField(_("exported at"), null=True, blank=True)
    sdi_transmissions = models.PositiveSmallIntegerField(_("files sent to the SdI"), default=0)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = InvoiceQuerySet.as_manager()

    class Meta:
        ordering = ["-issue_date", "-sequence", "-pk"]
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")
        constraints = [
            models.UniqueConstraint(
                fields=["series", "year", "sequence"], name="unique_invoice_number_in_series_year"
            ),
            models.CheckConstraint(
                condition=models.Q(status="draft", number__isnull=True)
                | models.Q(
                    status="issued",
                    number__isnull=False,
                    sequence__isnull=False,
                    issue_date__isnull=False,
                ),
                name="issued_invoice_has_number",
            ),
        ]
        indexes = [
            models.Index(fields=["issue_date"]),
            models.Index(fields=["customer_organisation", "issue_date"]),
            models.Index(fields=["booking_reference"]),
        ]

    def __str__(self):
        return self.number or _("Draft %(pk)s") % {"pk": self.pk}

    def save(self, *args, **kwargs):
        loaded = getattr(self, "_loaded", None)
        if loaded and loaded.get("status") == InvoiceStatus.ISSUED:
            changed = [
                f.attname
                for f in self._meta.concrete_fields
                if f.attname in loaded
                and f.attname not in self.MUTABLE_AFTER_ISSUE
                and getattr(self, f.attname) != loaded[f.attname]
            ]
            if changed:
                raise ValidationError(
                    _("An issued invoice cannot be changed (%(fields)s); issue a credit note.")
                    % {"fields": ", ".join(changed)},
                    code="immutable",
                )
        super().save(*args, **kwargs)
        self._loaded = {f.attname: getattr(self, f.attname) for f in self._meta.concrete_fields}

    def delete(self, *args, **kwargs):
        # Re-read: a stale object loaded as a draft may have been issued since.
        if self.is_issued or Invoice.objects.filter(pk=self.pk, status="issued").exists():
            raise ValidationError(_("An issued invoice cannot be deleted."), code="immutable")
        return super().delete(*args, **kwargs)

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance._loaded = dict(zip(field_names, values, strict=True))
        return instance

    @property
    def is_issued(self) -> bool:
        return self.status == InvoiceStatus.ISSUED

    @property
    def is_credit_note(self) -> bool:
        return self.document_type == DocumentType.CREDIT_NOTE

    @property
    def is_paid(self) -> bool:
        return self.paid_at is not None

    @property
    def has_xml(self) -> bool:
        return bool(self.xml_content)


class InvoiceLine(models.Model):
    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveSmallIntegerField(_("line"))
    kind = models.CharField(_("kind"), max_length=20, choices=LineKind.choices)
    description = models.CharField(_("description"), max_length=1000)
    quantity = models.DecimalField(_("quantity"), max_digits=10, decimal_places=2)
    unit_price = models.DecimalField(_("unit price"), **MONEY)
    vat_rate = models.DecimalField(
        _("VAT rate %"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    natura = models.CharField(_("Natura"), max_length=5, choices=Natura.choices, blank=True)
    amount = models.DecimalField(_("amount"), **MONEY)
    gross_amount = models.DecimalField(
        _("amount VAT included"),
        null=True,
        blank=True,
        help_text=_("Set when the price was agreed VAT included (bookings)."),
        **MONEY,
    )
    booking_reference = models.CharField(_("booking reference"), max_length=40, blank=True)
    service_date = models.DateField(_("service date"), null=True, blank=True)
    service_end_date = models.DateField(_("last service day"), null=True, blank=True)
    sales_model = models.CharField(
        _("sales model"), max_length=10, choices=SalesModel.choices, blank=True
    )

    class Meta:
        ordering = ["invoice", "position"]
        verbose_name = _("invoice line")
        verbose_name_plural = _("invoice lines")
        constraints = [
            models.UniqueConstraint(fields=["invoice", "position"], name="unique_line_position"),
            models.CheckConstraint(
                condition=models.Q(vat_rate__isnull=False, natura="")
                | models.Q(vat_rate__isnull=True) & ~models.Q(natura=""),
                name="line_has_vat_rate_or_natura",
            ),
        ]

    def __str__(self):
        return f"{self.position}. {self.description}"

    def save(self, *args, **kwargs):
        if Invoice.objects.filter(pk=self.invoice_id, status=InvoiceStatus.ISSUED).exists():
            raise ValidationError(_("An issued invoice cannot be changed."), code="immutable")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self.invoice.is_issued:
            raise ValidationError(_("An issued invoice cannot be changed."), code="immutable")
        return super().delete(*args, **kwargs)


class InvoiceEvent(models.Model):
    """Who did what to a document, and when: issue, payment, SdI outcomes, credit notes."""

    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    action = models.CharField(_("action"), max_length=30)
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("invoice event")
        verbose_name_plural = _("invoice events")

    def __str__(self):
        return f"{self.invoice} {self.action}"


class OperatorStatement(models.Model):
    """A monthly statement for an operator: bookings served, gross sales, DMC commission,
    net due, payouts made."""

    operator = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="operator_statements"
    )
    period_start = models.DateField(_("month"))
    gross_total = models.DecimalField(_("gross sales"), default=0, **MONEY)
    commission_total = models.DecimalField(_("DMC commission"), default=0, **MONEY)
    net_total = models.DecimalField(_("net due"), default=0, **MONEY)
    payouts_total = models.DecimalField(_("payouts made"), default=0, **MONEY)
    opening_balance = models.DecimalField(_("due from earlier months"), default=0, **MONEY)
    balance = models.DecimalField(_("balance to pay"), default=0, **MONEY)
    commission_invoice = models.ForeignKey(
        Invoice,
        verbose_name=_("commission invoice"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-period_start", "operator__name"]
        verbose_name = _("operator statement")
        verbose_name_plural = _("operator statements")
        constraints = [
            models.UniqueConstraint(
                fields=["operator", "period_start"], name="one_statement_per_operator_month"
            )
        ]

    def __str__(self):
        return f"{self.operator} {self.period_start:%Y-%m}"


class StatementLineKind(models.TextChoices):
    """What a statement line is (the payments app's `OwedKind`, kept on the stored row)."""

    SERVICE = "service", _("Service")
    NO_SHOW = "no_show", _("No-show")
    EARLY_REDEMPTION = "early_redemption", _("Redeemed early")
    PENALTY_SHARE = "penalty_share", _("Cancellation penalty (your share)")
    AMENDMENT = "amendment", _("Amendment")
    CANCELLED_AFTER_PAYOUT = "cancellation_after_payout", _("Cancelled after payout")


class OperatorStatementLine(models.Model):
    statement = models.ForeignKey(OperatorStatement, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveSmallIntegerField()
    kind = models.CharField(
        _("kind"), max_length=30, choices=StatementLineKind.choices, default="service"
    )
    booking_reference = models.CharField(_("booking"), max_length=40)
    service_date = models.DateField(_("service date"))
    product = models.CharField(_("product"), max_length=200)
    sales_model = models.CharField(
        _("sales model"), max_length=10, choices=SalesModel.choices, blank=True
    )
    gross = models.DecimalField(_("gross"), **MONEY)
    commission = models.DecimalField(_("commission"), **MONEY)
    net = models.DecimalField(_("net"), **MONEY)

    class Meta:
        ordering = ["statement", "position"]

    def __str__(self):
        return f"{self.booking_reference} {self.product}"


class OperatorStatementPayout(models.Model):
    statement = models.ForeignKey(
        OperatorStatement, on_delete=models.CASCADE, related_name="payouts"
    )
    paid_on = models.DateField(_("paid on"))
    reference = models.CharField(_("reference"), max_length=100)
    amount = models.DecimalField(_("amount"), **MONEY)

    class Meta:
        ordering = ["statement", "paid_on", "pk"]

    def __str__(self):
        return f"{self.paid_on} {self.amount}"


# --- Documents of bookings (invoices.adapters) ----------------------------------------------


class BookingInvoicingStatus(models.TextChoices):
    INVOICED = "invoiced", _("Invoiced")
    ON_ACCOUNT = "on_account", _("Waiting for the monthly summary")
    FAILED = "failed", _("Not invoiced")
    NOTHING = "nothing", _("Nothing to invoice")


class MonthlySummary(models.Model):
    """The summary invoice(s) of a trade partner on account for one month: one per tax
    regime, listing each booking confirmed in the month. One per partner and month."""

    partner = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("trade partner"),
        on_delete=models.PROTECT,
        related_name="monthly_summaries",
    )
    period_start = models.DateField(_("month"))
    documents = models.ManyToManyField(Invoice, related_name="monthly_summaries", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-period_start", "partner__name"]
        verbose_name = _("monthly summary")
        verbose_name_plural = _("monthly summaries")
        constraints = [
            models.UniqueConstraint(
                fields=["partner", "period_start"], name="one_summary_per_partner_month"
            )
        ]

    def __str__(self):
        return f"{self.partner} {self.period_start:%Y-%m}"


class BookingInvoicing(models.Model):
    """How one booking is invoiced: its documents (or the monthly summary it waits for), the
    amount still invoiced per booking line (what a later cancellation credits), and the
    last failure that finance must fix. One per booking: the unique key is the idempotency."""

    booking = models.OneToOneField(
        "bookings.Booking", on_delete=models.PROTECT, related_name="invoicing"
    )
    status = models.CharField(_("status"), max_length=12, choices=BookingInvoicingStatus.choices)
    customer_organisation = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("customer organisation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    period_start = models.DateField(_("summary month"), null=True, blank=True)
    summary = models.ForeignKey(
        MonthlySummary,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="invoicings",
    )
    documents = models.ManyToManyField(Invoice, related_name="booking_invoicings", blank=True)
    # {booking line id: amount VAT included still invoiced for it}
    lines_invoiced = models.JSONField(default=dict, blank=True)
    problems = models.JSONField(_("problems"), default=dict, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_attempt_at = models.DateTimeField(_("last attempt"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("booking invoicing")
        verbose_name_plural = _("booking invoicing")
        indexes = [
            models.Index(fields=["status"]),
            models.Index(fields=["customer_organisation", "period_start", "status"]),
        ]

    def __str__(self):
        return f"{self.booking_id} {self.status}"


class CreditOutcome(models.TextChoices):
    CREDITED = "credited", _("Credit note issued")
    NOTHING = "nothing", _("Nothing to credit")
    SUMMARY_ADJUSTED = "summary", _("Left out of the monthly summary")
    FAILED = "failed", _("Failed")


class CancellationCredit(models.Model):
    """What a cancellation of an invoiced booking produced, once per cancellation event
    (`event_key`, unique per booking): the credit notes, or why there was nothing to do."""

    invoicing = models.ForeignKey(
        BookingInvoicing, on_delete=models.CASCADE, related_name="credits"
    )
    event_key = models.CharField(max_length=200)
    outcome = models.CharField(_("outcome"), max_length=10, choices=CreditOutcome.choices)
    amount = models.DecimalField(_("credited"), default=0, **MONEY)
    credit_notes = models.ManyToManyField(Invoice, related_name="+", blank=True)
    problems = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("cancellation credit")
        verbose_name_plural = _("cancellation credits")
        constraints = [
            models.UniqueConstraint(
                fields=["invoicing", "event_key"], name="one_credit_per_cancellation_event"
            )
        ]

    def __str__(self):
        return f"{self.invoicing_id} {self.event_key} {self.outcome}"


class SdiFileCounter(models.Model):
    """The last ProgressivoInvio given (one row): every file sent to the SdI, a re-sent one
    included, gets a new progressive name, since the SdI rejects a name it has seen."""

    last = models.PositiveIntegerField(default=0)

    def __str__(self):
        return str(self.last)


class InvoiceRequest(models.Model):
    """A traveller's request for an invoice in their name (at checkout or afterwards from
    their account): the codice fiscale and address the consumer e-invoice needs."""

    booking = models.OneToOneField(
        "bookings.Booking", on_delete=models.CASCADE, related_name="invoice_request"
    )
    first_name = models.CharField(_("first name"), max_length=60)
    last_name = models.CharField(_("last name"), max_length=60)
    codice_fiscale = models.CharField(_("codice fiscale"), max_length=16, blank=True)
    address = models.CharField(_("address"), max_length=200)
    postcode = models.CharField(_("postcode (CAP)"), max_length=10, blank=True)
    city = models.CharField(_("city"), max_length=100)
    province = models.CharField(_("province"), max_length=2, blank=True)
    country = models.CharField(_("country"), max_length=2)
    pec = models.EmailField(_("PEC"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("invoice request")
        verbose_name_plural = _("invoice requests")

    def __str__(self):
        return f"{self.booking_id} {self.last_name}"


from .rules import FiscalSettings, FiscalTreatment  # noqa: E402,F401 - models of this app
