"""Money movements of the marketplace.

`LedgerEntry` is the book of record: every cent taken, refunded, received on account or paid
out to an operator is one row, and balances and reports are sums over it. The other models
describe the work around a movement (a PaymentIntent attempt, a refund being executed, an
instalment of the payment schedule, an operator's payable, a payout run)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

MONEY = {"max_digits": 12, "decimal_places": 2}


class StripeEvent(models.Model):
    """A webhook event, stored under its unique Stripe id before it is handled, so that a
    replayed delivery is recognised by the database constraint and changes nothing."""

    stripe_event_id = models.CharField(max_length=255, unique=True)
    type = models.CharField(max_length=100)
    payload = models.JSONField()
    received_at = models.DateTimeField(auto_now_add=True)
    processed_at = models.DateTimeField(null=True, blank=True)
    result = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-received_at"]
        verbose_name = _("Stripe event")
        verbose_name_plural = _("Stripe events")

    def __str__(self):
        return f"{self.type} {self.stripe_event_id}"


class Method(models.TextChoices):
    CARD = "card", _("Card (Stripe)")
    BANK_TRANSFER = "bank_transfer", _("Bank transfer")
    ON_ACCOUNT = "on_account", _("On account")
    SEPA = "sepa", _("SEPA credit transfer")
    CONNECT = "connect", _("Stripe Connect transfer")


class ScheduleKind(models.TextChoices):
    FULL = "full", _("Full payment")
    DEPOSIT = "deposit", _("Deposit")
    BALANCE = "balance", _("Balance")
    ON_ACCOUNT = "on_account", _("On account (invoice)")


class ScheduleStatus(models.TextChoices):
    OPEN = "open", _("Open")
    PAID = "paid", _("Paid")
    WAIVED = "waived", _("Waived")


class OverdueAction(models.TextChoices):
    ATTENTION = "attention", _("Put on the DMC's attention list")
    CANCEL = "cancel", _("Cancel the booking")


class ScheduleItem(models.Model):
    """One instalment of a booking's payment schedule: what is due, by when, and what
    happens if it is not paid after the grace period."""

    booking = models.ForeignKey(
        "bookings.Booking", on_delete=models.CASCADE, related_name="payment_schedule"
    )
    kind = models.CharField(_("instalment"), max_length=20, choices=ScheduleKind.choices)
    due_date = models.DateField(_("due date"))
    amount = models.DecimalField(_("amount"), **MONEY)
    status = models.CharField(
        max_length=10, choices=ScheduleStatus.choices, default=ScheduleStatus.OPEN
    )
    overdue_action = models.CharField(
        max_length=10, choices=OverdueAction.choices, default=OverdueAction.ATTENTION
    )
    position = models.PositiveSmallIntegerField(default=0)
    reminder_sent_at = models.DateTimeField(null=True, blank=True)
    overdue_handled_at = models.DateTimeField(null=True, blank=True)
    paid_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["booking", "position", "due_date"]
        verbose_name = _("payment schedule item")
        verbose_name_plural = _("payment schedule")
        constraints = [
            models.UniqueConstraint(fields=["booking", "position"], name="schedule_position"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="schedule_amount_not_negative"),
        ]
        indexes = [models.Index(fields=["status", "due_date"])]

    def __str__(self):
        return f"{self.booking_id} {self.kind} {self.amount} {self.due_date}"


class PaymentStatus(models.TextChoices):
    CREATED = "created", _("Waiting for the card")
    REQUIRES_ACTION = "requires_action", _("3-D Secure")
    PROCESSING = "processing", _("Processing")
    SUCCEEDED = "succeeded", _("Paid")
    FAILED = "failed", _("Failed")
    CANCELED = "canceled", _("Cancelled")


OPEN_PAYMENT_STATUSES = (
    PaymentStatus.CREATED,
    PaymentStatus.REQUIRES_ACTION,
    PaymentStatus.PROCESSING,
)


class Payment(models.Model):
    """One attempt to collect money for a booking: a Stripe PaymentIntent (one per booking,
    instalment and attempt, so that a double click reuses it) or money received otherwise."""

    booking = models.ForeignKey(
        "bookings.Booking", on_delete=models.PROTECT, related_name="payments"
    )
    schedule_item = models.ForeignKey(
        ScheduleItem, on_delete=models.SET_NULL, null=True, blank=True, related_name="payments"
    )
    method = models.CharField(max_length=20, choices=Method.choices, default=Method.CARD)
    purpose = models.CharField(max_length=20, choices=ScheduleKind.choices)
    attempt = models.PositiveIntegerField(default=1)
    amount = models.DecimalField(_("amount"), **MONEY)
    status = models.CharField(
        max_length=20, choices=PaymentStatus.choices, default=PaymentStatus.CREATED
    )
    stripe_payment_intent_id = models.CharField(max_length=255, null=True, blank=True, unique=True)
    stripe_charge_id = models.CharField(max_length=255, blank=True)
    idempotency_key = models.CharField(max_length=120, blank=True)
    failure_message = models.CharField(max_length=300, blank=True)
    is_demo = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    succeeded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        constraints = [
            # A double click, two tabs or a retry all land on the same attempt.
            models.UniqueConstraint(
                fields=["booking", "schedule_item", "attempt"],
                condition=Q(method="card"),
                name="one_card_payment_per_attempt",
            ),
        ]

    def __str__(self):
        return f"{self.booking_id} {self.purpose} #{self.attempt} {self.status}"


class RefundStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SUCCEEDED = "succeeded", _("Refunded")
    FAILED = "failed", _("Failed")


class RefundSource(models.TextChoices):
    CANCELLATION = "cancellation", _("Cancellation")
    MANUAL = "manual", _("By DMC finance")
    ORPHAN = "orphan", _("Payment for a cancelled or expired booking")
    STRIPE = "stripe", _("Made in Stripe")
    AMENDMENT = "amendment", _("Amendment lowering the total")


class Refund(models.Model):
    """A refund of a card payment. The row is written (pending) before Stripe is called so
    that two refunds in parallel can never exceed what was captured."""

    booking = models.ForeignKey(
        "bookings.Booking", on_delete=models.PROTECT, related_name="refunds"
    )
    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="refunds")
    amount = models.DecimalField(_("amount"), **MONEY)
    source = models.CharField(max_length=20, choices=RefundSource.choices)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    status = models.CharField(
        max_length=10, choices=RefundStatus.choices, default=RefundStatus.PENDING
    )
    stripe_refund_id = models.CharField(max_length=255, null=True, blank=True, unique=True)
    failure_message = models.CharField(max_length=300, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    retry_of = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="retry"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("refund")
        verbose_name_plural = _("refunds")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="refund_amount_positive")
        ]

    def __str__(self):
        return f"{self.booking_id} -{self.amount} {self.status}"


class EntryKind(models.TextChoices):
    CHARGE = "charge", _("Card charge")
    DEPOSIT = "deposit", _("Deposit received")
    BALANCE = "balance", _("Balance received")
    REFUND = "refund", _("Refund")
    ON_ACCOUNT = "on_account", _("Sale on account")
    RECEIPT = "receipt", _("On-account receipt")
    PAYOUT = "payout", _("Payout to operator")
    COMMISSION = "commission", _("DMC commission")


# Kinds that move cash into or out of the DMC's accounts (Stripe or bank).
CASH_KINDS = (
    EntryKind.CHARGE,
    EntryKind.DEPOSIT,
    EntryKind.BALANCE,
    EntryKind.REFUND,
    EntryKind.RECEIPT,
    EntryKind.PAYOUT,
)
# Kinds that count as the buyer's payments for a booking (refunds included, negative).
BUYER_PAYMENT_KINDS = (
    EntryKind.CHARGE,
    EntryKind.DEPOSIT,
    EntryKind.BALANCE,
    EntryKind.REFUND,
    EntryKind.RECEIPT,
)


class LedgerEntry(models.Model):
    """One money movement, in integer euro cents.

    Sign convention: `amount_cents` is the effect on the DMC's cash: money in is positive
    (charge, deposit, balance, on-account receipt), money out is negative (refund, payout).
    Two kinds are not cash: `on_account` is a sale on credit to a trade partner (positive:
    the partner owes it; negative: a credit for a cancellation), and `commission` is the
    DMC's share recognised when an operator is paid (positive). So a partner's outstanding
    balance is the sum of its `on_account` rows minus its `receipt` rows, a booking's paid
    amount is the sum of its BUYER_PAYMENT_KINDS rows, and the Stripe balance of a day is the
    sum of its rows with a Stripe id.

    Rows are never updated or deleted; a correction is a new row. A Stripe object is
    recorded once (unique per kind and Stripe id), so a webhook and the return page that
    race each other write one row."""

    kind = models.CharField(max_length=20, choices=EntryKind.choices)
    method = models.CharField(max_length=20, choices=Method.choices)
    amount_cents = models.BigIntegerField()
    currency = models.CharField(max_length=3, default="EUR")
    booking = models.ForeignKey(
        "bookings.Booking",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="ledger_entries",
    )
    counterparty = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="ledger_entries",
    )
    counterparty_label = models.CharField(max_length=200, blank=True)
    stripe_id = models.CharField(max_length=255, blank=True)
    external_ref = models.CharField(max_length=255, blank=True)
    payment = models.ForeignKey(
        Payment, on_delete=models.PROTECT, null=True, blank=True, related_name="ledger_entries"
    )
    refund = models.ForeignKey(
        Refund, on_delete=models.PROTECT, null=True, blank=True, related_name="ledger_entries"
    )
    payout_item = models.ForeignKey(
        "PayoutItem",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="ledger_entries",
    )
    note = models.CharField(max_length=300, blank=True)
    is_demo = models.BooleanField(default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    booked_on = models.DateField(_("date"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-booked_on", "-pk"]
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "stripe_id"],
                condition=~Q(stripe_id=""),
                name="ledger_stripe_object_once",
            ),
            models.UniqueConstraint(
                fields=["external_ref"],
                condition=~Q(external_ref=""),
                name="ledger_external_ref_once",
            ),
        ]
        indexes = [
            models.Index(fields=["booking", "kind"]),
            models.Index(fields=["counterparty", "kind"]),
            models.Index(fields=["booked_on"]),
        ]

    def __str__(self):
        return f"{self.booked_on} {self.kind} {self.amount_cents}"


class AttentionItem(models.Model):
    """Something DMC staff must look at: an overdue balance, a payment that arrived for a
    cancelled booking and was refunded, a payout that could not be made."""

    booking = models.ForeignKey(
        "bookings.Booking",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="payment_attention",
    )
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    reason = models.CharField(max_length=40)
    message = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("attention item")
        verbose_name_plural = _("attention list")

    def __str__(self):
        return f"{self.reason}: {self.message[:60]}"


class BankTransaction(models.Model):
    """A line of a bank statement (imported CSV or typed by finance), matched to a booking
    by its reference. The fingerprint makes a re-import change nothing."""

    fingerprint = models.CharField(max_length=64, unique=True)
    booked_on = models.DateField(_("date"))
    amount = models.DecimalField(_("amount"), **MONEY)
    description = models.CharField(_("description"), max_length=500)
    payer_name = models.CharField(_("payer"), max_length=200, blank=True)
    payer_iban = models.CharField(_("payer IBAN"), max_length=42, blank=True)
    booking = models.ForeignKey(
        "bookings.Booking",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="bank_transactions",
    )
    ledger_entry = models.OneToOneField(
        LedgerEntry, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-booked_on", "-pk"]
        verbose_name = _("bank transaction")
        verbose_name_plural = _("bank transactions")

    def __str__(self):
        return f"{self.booked_on} {self.amount} {self.description[:40]}"


class PayableStatus(models.TextChoices):
    ACCRUED = "accrued", _("Upcoming")
    PAYABLE = "payable", _("Payable")
    IN_RUN = "in_run", _("In a payout run")
    PAID = "paid", _("Paid")
    CANCELLED = "cancelled", _("Cancelled")


class PayableKind(models.TextChoices):
    SERVICE = "service", _("Service")
    ADJUSTMENT = "adjustment", _("Adjustment")


class OperatorPayable(models.Model):
    """The operator's net amount of one confirmed booking line: accrued at confirmation,
    payable after the service date (or redemption), paid by a payout run. A cancelled line
    keeps its payable for the operator's share of the penalty. A change after the payable
    was paid (an amendment, a cancellation) is a new `adjustment` row, positive or negative,
    so that what was paid is never rewritten. `earned_on` is the day the amount became owed:
    the service day (or an earlier redemption), the cancellation day, the adjustment day."""

    line = models.ForeignKey(
        "bookings.BookingLine", on_delete=models.PROTECT, related_name="operator_payables"
    )
    kind = models.CharField(max_length=12, choices=PayableKind.choices, default=PayableKind.SERVICE)
    earned_on = models.DateField(_("owed from"), null=True, blank=True)
    note = models.CharField(max_length=200, blank=True)
    booking = models.ForeignKey(
        "bookings.Booking", on_delete=models.PROTECT, related_name="operator_payables"
    )
    operator = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="payables"
    )
    amount = models.DecimalField(_("net amount"), **MONEY)
    commission = models.DecimalField(_("commission"), default=0, **MONEY)
    service_date = models.DateField(_("service date"))
    status = models.CharField(
        max_length=10, choices=PayableStatus.choices, default=PayableStatus.ACCRUED
    )
    payout_item = models.ForeignKey(
        "PayoutItem", on_delete=models.SET_NULL, null=True, blank=True, related_name="payables"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["service_date", "pk"]
        verbose_name = _("operator payable")
        verbose_name_plural = _("operator payables")
        indexes = [
            models.Index(fields=["operator", "status"]),
            models.Index(fields=["operator", "earned_on"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["line"], condition=Q(kind="service"), name="one_service_payable_per_line"
            )
        ]

    def __str__(self):
        return f"{self.operator_id} {self.amount} {self.status}"


class PayoutProfile(models.Model):
    """How an operator is paid: by SEPA credit transfer to its IBAN (on the organisation)
    or by a Stripe Connect transfer to its connected account."""

    organisation = models.OneToOneField(
        "accounts.Organisation", on_delete=models.CASCADE, related_name="payout_profile"
    )
    stripe_account_id = models.CharField(_("Stripe connected account"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("payout profile")
        verbose_name_plural = _("payout profiles")

    def __str__(self):
        return f"{self.organisation} {self.stripe_account_id or 'SEPA'}"


class PayoutRunStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PAID = "paid", _("Paid")


class PayoutRun(models.Model):
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    execution_date = models.DateField(_("execution date"))
    status = models.CharField(
        max_length=10, choices=PayoutRunStatus.choices, default=PayoutRunStatus.DRAFT
    )
    paid_at = models.DateTimeField(null=True, blank=True)
    sepa_message_id = models.CharField(max_length=35, blank=True)
    skipped = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("payout run")
        verbose_name_plural = _("payout runs")

    def __str__(self):
        return f"Payout run {self.pk} ({self.execution_date})"


class PayoutItemStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    PAID = "paid", _("Paid")
    FAILED = "failed", _("Failed")


class PayoutItem(models.Model):
    run = models.ForeignKey(PayoutRun, on_delete=models.CASCADE, related_name="items")
    operator = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="payout_items"
    )
    method = models.CharField(max_length=20, choices=Method.choices)
    amount = models.DecimalField(_("amount"), **MONEY)
    commission = models.DecimalField(_("commission"), default=0, **MONEY)
    iban = models.CharField(max_length=42, blank=True)
    stripe_account_id = models.CharField(max_length=255, blank=True)
    stripe_transfer_id = models.CharField(max_length=255, blank=True)
    status = models.CharField(
        max_length=10, choices=PayoutItemStatus.choices, default=PayoutItemStatus.PENDING
    )
    error = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["run", "operator__name"]
        constraints = [
            models.UniqueConstraint(fields=["run", "operator"], name="one_item_per_operator")
        ]

    def __str__(self):
        return f"{self.run_id} {self.operator_id} {self.amount}"


class ReconciliationReport(models.Model):
    """The daily comparison of the ledger with Stripe's charges and refunds."""

    day = models.DateField(unique=True)
    created_at = models.DateTimeField(auto_now=True)
    ledger_cents = models.BigIntegerField(default=0)
    stripe_cents = models.BigIntegerField(default=0)
    differences = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-day"]

    def __str__(self):
        return f"Reconciliation {self.day}"

    @property
    def is_clean(self) -> bool:
        return not self.differences
