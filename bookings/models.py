"""Bookings, their lines and the inventory each line holds, the state machine's events,
participants, amendments, tourist-tax rules, vouchers and redemptions."""

import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from operators.models import SalesModel

MONEY = {"max_digits": 12, "decimal_places": 2}
# A reference a person can read on the phone: no 0/O, 1/I/L.
REFERENCE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
REFERENCE_LENGTH = 7


def new_reference() -> str:
    return "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(REFERENCE_LENGTH))


class BookingStatus(models.TextChoices):
    HELD = "held", _("Option / held")
    PENDING_PAYMENT = "pending_payment", _("Pending payment")
    CONFIRMED = "confirmed", _("Confirmed")
    COMPLETED = "completed", _("Completed")
    NO_SHOW = "no_show", _("No-show")
    CANCELLED = "cancelled", _("Cancelled")


# The allowed transitions: anything else is refused.
TRANSITIONS = {
    BookingStatus.HELD: {
        BookingStatus.PENDING_PAYMENT,
        BookingStatus.CONFIRMED,
        BookingStatus.CANCELLED,
    },
    BookingStatus.PENDING_PAYMENT: {
        BookingStatus.CONFIRMED,
        BookingStatus.CANCELLED,
        BookingStatus.HELD,
    },
    BookingStatus.CONFIRMED: {
        BookingStatus.COMPLETED,
        BookingStatus.NO_SHOW,
        BookingStatus.CANCELLED,
    },
    BookingStatus.COMPLETED: set(),
    BookingStatus.NO_SHOW: set(),
    BookingStatus.CANCELLED: set(),
}
ACTIVE_STATUSES = (BookingStatus.HELD, BookingStatus.PENDING_PAYMENT, BookingStatus.CONFIRMED)


class CancelReason(models.TextChoices):
    BUYER = "buyer", _("Cancelled by the buyer")
    OPERATOR = "operator", _("Cancelled by the operator")
    DMC = "dmc", _("Cancelled by the DMC")
    EXPIRED = "expired", _("Option expired")
    NOT_GUARANTEED = "not_guaranteed", _("Departure not guaranteed")
    EXTRAORDINARY = "extraordinary", _("Extraordinary circumstances")


class Channel(models.TextChoices):
    WEB = "web", _("Website")
    TRADE = "trade", _("Trade portal")
    API = "api", _("API")
    IAT = "iat", _("IAT desk")
    BACKOFFICE = "backoffice", _("Back office")


class TradeContract(models.Model):
    """A trade partner's terms with the DMC: option length, cancellation terms, credit."""

    organisation = models.OneToOneField(
        "accounts.Organisation", on_delete=models.CASCADE, related_name="trade_contract"
    )
    option_days = models.PositiveSmallIntegerField(_("option length (days)"), default=3)
    cancellation_policy = models.ForeignKey(
        "operators.CancellationPolicy",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("cancellation policy"),
    )
    credit_limit = models.DecimalField(_("credit limit"), default=0, **MONEY)
    on_account = models.BooleanField(_("may book on account"), default=False)
    payment_terms_days = models.PositiveSmallIntegerField(_("payment terms (days)"), default=30)
    deposit_percent = models.DecimalField(
        _("deposit %"), max_digits=5, decimal_places=2, default=30
    )
    balance_days_before = models.PositiveSmallIntegerField(
        _("balance due (days before service)"), default=30
    )

    class Meta:
        verbose_name = _("trade contract")
        verbose_name_plural = _("trade contracts")

    def __str__(self):
        return f"{self.organisation} ({self.option_days}d)"


class SupplierTerms(models.Model):
    """An operator's booking terms with the DMC, where they differ from the platform's
    defaults (settings BOOKINGS_OPTION_CUTOFF_HOURS, BOOKINGS_EARLY_CHECKIN_DAYS)."""

    organisation = models.OneToOneField(
        "accounts.Organisation", on_delete=models.CASCADE, related_name="supplier_terms"
    )
    option_cutoff_hours = models.PositiveSmallIntegerField(
        _("option cut-off (hours before the service)"),
        null=True,
        blank=True,
        help_text=_("Options on this operator's services end at the latest this long before."),
    )
    early_checkin_days = models.PositiveSmallIntegerField(
        _("early check-in tolerance (days)"),
        null=True,
        blank=True,
        help_text=_("A stay's voucher may be redeemed this many days before the check-in."),
    )

    class Meta:
        verbose_name = _("operator booking terms")
        verbose_name_plural = _("operator booking terms")

    def __str__(self):
        return str(self.organisation)


class Booking(models.Model):
    reference = models.CharField(max_length=12, unique=True, default=new_reference)
    status = models.CharField(
        _("status"), max_length=20, choices=BookingStatus.choices, default=BookingStatus.HELD
    )
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    language = models.CharField(_("language"), max_length=5, default="it")
    buyer_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="bookings",
    )
    buyer_organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="bookings_bought",
    )
    contact_name = models.CharField(_("contact name"), max_length=200)
    contact_email = models.EmailField(_("contact email"))
    contact_phone = models.CharField(_("contact phone"), max_length=40, blank=True)
    buyer_reference = models.CharField(_("your reference"), max_length=60, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    expires_at = models.DateTimeField(_("option expires"), null=True, blank=True)
    total_retail = models.DecimalField(_("total"), default=0, **MONEY)
    total_net = models.DecimalField(_("operators' net"), default=0, **MONEY)
    tourist_tax = models.DecimalField(_("tourist tax (on site)"), default=0, **MONEY)
    penalty_total = models.DecimalField(_("cancellation penalties"), default=0, **MONEY)
    refund_due = models.DecimalField(_("refund due"), default=0, **MONEY)
    cancel_reason = models.CharField(
        _("cancellation reason"), max_length=20, choices=CancelReason.choices, blank=True
    )
    first_service_date = models.DateField(null=True, blank=True)
    package_terms_accepted_at = models.DateTimeField(null=True, blank=True)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("booking")
        verbose_name_plural = _("bookings")
        indexes = [
            models.Index(fields=["status", "expires_at"]),
            models.Index(fields=["buyer_organisation", "status"]),
            models.Index(fields=["first_service_date"]),
        ]

    def __str__(self):
        return self.reference

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES


class LineKind(models.TextChoices):
    EXPERIENCE = "experience", _("Experience")
    ACCOMMODATION = "accommodation", _("Accommodation")
    GOODS = "goods", _("Goods")
    SERVICE = "service", _("Service")
    PACKAGE = "package", _("Package")


class LineStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    CANCELLED = "cancelled", _("Cancelled")
    COMPLETED = "completed", _("Completed")
    NO_SHOW = "no_show", _("No-show")


class VatRegime(models.TextChoices):
    ORDINARY = "ordinary", _("Ordinary VAT")
    MARGIN = "margin_74ter", _("Travel agency margin regime (art. 74-ter)")


class BookingLine(models.Model):
    """What was bought, with its prices frozen. A package line is a parent whose component
    lines hold the inventory."""

    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="lines")
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="components"
    )
    kind = models.CharField(max_length=20, choices=LineKind.choices)
    status = models.CharField(max_length=20, choices=LineStatus.choices, default=LineStatus.ACTIVE)
    product = models.ForeignKey(
        "operators.Product", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    supplier = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="booking_lines",
    )
    unit_type = models.ForeignKey(
        "operators.UnitType", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    slot = models.ForeignKey(
        "operators.Slot", on_delete=models.PROTECT, null=True, blank=True, related_name="lines"
    )
    package_slug = models.CharField(max_length=120, blank=True)
    package_departure_id = models.BigIntegerField(null=True, blank=True)
    title = models.CharField(_("description"), max_length=300)
    service_date = models.DateField(_("date"))
    end_date = models.DateField(_("until"), null=True, blank=True)
    start_time = models.TimeField(null=True, blank=True)
    quantity = models.PositiveIntegerField(
        _("quantity"),
        default=1,
        validators=[MinValueValidator(1)],
        help_text=_("Seats, units, rooms or items taken from inventory."),
    )
    pax = models.JSONField(default=dict, blank=True)
    persons = models.PositiveIntegerField(default=0)

    retail_amount = models.DecimalField(default=0, **MONEY)
    net_amount = models.DecimalField(default=0, **MONEY)
    commission_amount = models.DecimalField(default=0, **MONEY)
    # Trade bookings: retail_amount is what the partner pays; public_amount keeps the public
    # price and partner_pricing the contract version and rules it was priced with (trade app).
    public_amount = models.DecimalField(_("public price"), null=True, blank=True, **MONEY)
    partner_pricing = models.JSONField(default=dict, blank=True)
    vat_rate = models.DecimalField(max_digits=5, decimal_places=2, default=0)
    vat_regime = models.CharField(
        max_length=20, choices=VatRegime.choices, default=VatRegime.ORDINARY
    )
    # The operator contract's sales model when the line was booked (invoices follow it).
    sales_model = models.CharField(
        _("sales model"), max_length=10, choices=SalesModel.choices, default=SalesModel.RESALE
    )
    price_breakdown = models.JSONField(default=list, blank=True)
    cancellation_tiers = models.JSONField(default=list, blank=True)
    tourist_tax = models.DecimalField(default=0, **MONEY)
    tax_exempt_residents = models.PositiveIntegerField(default=0)
    # {exemption reason code: persons} beyond age and residence (TouristTaxExemptionReason)
    tax_exemptions = models.JSONField(default=dict, blank=True)
    penalty_amount = models.DecimalField(default=0, **MONEY)
    redeemed_at = models.DateTimeField(null=True, blank=True)
    redeemed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["booking", "position", "pk"]
        indexes = [
            models.Index(fields=["supplier", "service_date"]),
            models.Index(fields=["slot"]),
        ]

    def __str__(self):
        return f"{self.booking.reference} · {self.title}"

    @property
    def booked_quantity(self) -> int:
        """What the line holds in inventory, read from its allocations: seats of the slot,
        rooms a night, items; for a cancelled line what it held. Prefetch `allocations`."""
        allocations = list(self.allocations.all())
        live = [a for a in allocations if a.state != AllocationState.RELEASED] or allocations
        per_row: dict[tuple, int] = {}
        for a in live:
            key = (a.slot_id, a.night_id, a.stock_id)
            per_row[key] = per_row.get(key, 0) + a.quantity
        return max(per_row.values(), default=self.quantity)


class AllocationState(models.TextChoices):
    HELD = "held", _("Held")
    SOLD = "sold", _("Sold")
    RELEASED = "released", _("Released")


class Allocation(models.Model):
    """One inventory row taken by a line: a slot, a night of a unit type, or goods stock."""

    line = models.ForeignKey(BookingLine, on_delete=models.CASCADE, related_name="allocations")
    slot = models.ForeignKey(
        "operators.Slot",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="allocations",
    )
    night = models.ForeignKey(
        "operators.NightInventory",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="allocations",
    )
    stock = models.ForeignKey(
        "operators.GoodsStock",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="allocations",
    )
    quantity = models.PositiveIntegerField(validators=[MinValueValidator(1)])
    state = models.CharField(
        max_length=10, choices=AllocationState.choices, default=AllocationState.HELD
    )
    # Whether a partner's allotment gave (part of) these places: a release gives them back.
    # None for rows written before it was recorded (and by paths that do not record it).
    from_allotment = models.BooleanField(null=True, default=None)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(slot__isnull=False, night__isnull=True, stock__isnull=True)
                    | Q(slot__isnull=True, night__isnull=False, stock__isnull=True)
                    | Q(slot__isnull=True, night__isnull=True, stock__isnull=False)
                ),
                name="allocation_exactly_one_resource",
            ),
        ]

    def __str__(self):
        return f"{self.line_id}: {self.quantity} {self.state}"


class BookingEvent(models.Model):
    """A transition or a notable action on a booking: who, when, from, to, why."""

    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20, blank=True)
    action = models.CharField(max_length=40)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    actor_label = models.CharField(max_length=200, blank=True)
    reason = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.booking_id} {self.action} {self.from_status}->{self.to_status}"


class Participant(models.Model):
    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="participants")
    line = models.ForeignKey(
        BookingLine, on_delete=models.SET_NULL, null=True, blank=True, related_name="participants"
    )
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    nationality = models.CharField(_("nationality"), max_length=2, blank=True)
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    document_type = models.CharField(_("document type"), max_length=30, blank=True)
    document_number = models.CharField(_("document number"), max_length=40, blank=True)
    dietary_needs = models.CharField(_("dietary needs"), max_length=200, blank=True)
    accessibility_needs = models.CharField(_("accessibility needs"), max_length=200, blank=True)
    room = models.CharField(_("room"), max_length=40, blank=True)
    unit_type = models.ForeignKey(
        "operators.UnitType", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    is_leader = models.BooleanField(_("group leader"), default=False)
    cancelled = models.BooleanField(default=False)

    class Meta:
        ordering = ["booking", "room", "last_name", "first_name"]
        verbose_name = _("participant")
        verbose_name_plural = _("participants")

    def __str__(self):
        return f"{self.first_name} {self.last_name}"


class Amendment(models.Model):
    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="amendments")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    description = models.TextField()
    old_total = models.DecimalField(**MONEY)
    new_total = models.DecimalField(**MONEY)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.booking_id}: {self.old_total} -> {self.new_total}"

    @property
    def difference(self):
        return self.new_total - self.old_total


class TouristTaxRule(models.Model):
    """Imposta di soggiorno of a comune, per accommodation category, with validity dates,
    a nightly cap and an age exemption. Editable by DMC staff (admin)."""

    comune = models.ForeignKey(
        "places.Comune", on_delete=models.CASCADE, related_name="tourist_tax_rules"
    )
    categories = models.CharField(
        _("accommodation categories"),
        max_length=200,
        blank=True,
        help_text=_(
            "Comma-separated category codes (e.g. hotel_1,hotel_2,hotel_3); "
            "empty: every category not matched by another rule."
        ),
    )
    rate_per_night = models.DecimalField(_("per person per night"), **MONEY)
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    max_nights = models.PositiveSmallIntegerField(_("nightly cap"), null=True, blank=True)
    exempt_under_age = models.PositiveSmallIntegerField(
        _("exempt under age"), null=True, blank=True
    )
    residents_exempt = models.BooleanField(_("residents exempt"), default=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["comune", "valid_from"]
        verbose_name = _("tourist tax rule")
        verbose_name_plural = _("tourist tax rules")

    def __str__(self):
        return f"{self.comune} {self.categories or '*'} {self.rate_per_night}"

    def category_list(self) -> list[str]:
        return [c.strip() for c in self.categories.split(",") if c.strip()]

    def clean(self):
        from .policies import rules_conflict

        if self.valid_until and self.valid_until < self.valid_from:
            raise ValidationError({"valid_until": _("The end date is before the start date.")})
        others = TouristTaxRule.objects.filter(comune_id=self.comune_id).exclude(pk=self.pk)
        for other in others:
            if rules_conflict(
                self.valid_from,
                self.valid_until,
                self.category_list(),
                other.valid_from,
                other.valid_until,
                other.category_list(),
            ):
                raise ValidationError(
                    _(
                        "This rule overlaps “%(other)s” (from %(from)s) for the same comune and "
                        "category: end that rule first or change the dates."
                    )
                    % {"other": other, "from": other.valid_from.isoformat()},
                    code="overlapping_rule",
                )


class TouristTaxExemptionReason(models.Model):
    """A reason for not paying the tourist tax that a municipal regulation lists (drivers
    and escorts of groups, patients and their carers, volunteers in emergencies, ...):
    data, so that each comune's list is kept by DMC staff."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    label = models.CharField(_("reason"), max_length=200)
    reference = models.CharField(_("regulation reference"), max_length=200, blank=True)
    comuni = models.ManyToManyField(
        "places.Comune",
        verbose_name=_("comuni"),
        blank=True,
        related_name="+",
        help_text=_("Empty: every comune."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("tourist tax exemption reason")
        verbose_name_plural = _("tourist tax exemption reasons")

    def __str__(self):
        return self.label


def voucher_path(instance, filename):
    return f"vouchers/{instance.booking.reference}/{filename}"


class Voucher(models.Model):
    booking = models.OneToOneField(Booking, on_delete=models.CASCADE, related_name="voucher")
    pdf = models.FileField(upload_to=voucher_path, blank=True)
    language = models.CharField(max_length=5, default="it")
    generated_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=0)

    def __str__(self):
        return f"Voucher {self.booking.reference}"


class RedemptionAttempt(models.Model):
    """Every redemption try, accepted or refused, for the audit trail."""

    line = models.ForeignKey(
        BookingLine,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="redemption_attempts",
    )
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    method = models.CharField(max_length=10)  # scan / code
    accepted = models.BooleanField()
    reason = models.CharField(max_length=200, blank=True)
    raw_input = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{'ok' if self.accepted else 'refused'} {self.line_id}"


class IdempotencyRecord(models.Model):
    """The first response to a POST with an Idempotency-Key, replayed for the same key; it is
    stored in the transaction of what the request did, so it exists if and only if that
    committed."""

    owner = models.CharField(max_length=100)  # "org:<id>" or "user:<id>"
    key = models.CharField(max_length=200)
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=300)
    request_hash = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField(null=True)
    response_body = models.JSONField(null=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # While the first request runs: after this time (its worker died) a retry takes over.
    leased_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["owner", "key"], name="unique_idempotency_key")
        ]

    def __str__(self):
        return f"{self.owner} {self.key}"
