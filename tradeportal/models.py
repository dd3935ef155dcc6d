"""A trade partner's quotes: several products and packages with their dates, slots, room
types and pax, priced at the partner's prices; a quote becomes an option (a held booking)."""

import secrets

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

MONEY = {"max_digits": 12, "decimal_places": 2}
QUOTE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


def new_quote_reference() -> str:
    return "Q" + "".join(secrets.choice(QUOTE_ALPHABET) for _ in range(6))


class QuoteStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SENT = "sent", pgettext_lazy("quote", "Sent")  # a quote: "Inviato", not "Inviata"
    ACCEPTED = "accepted", _("Accepted (option)")
    EXPIRED = "expired", _("Expired")


# Statuses in which the quote can still change and be turned into an option.
OPEN_STATUSES = (QuoteStatus.DRAFT, QuoteStatus.SENT)


class Quote(models.Model):
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.CASCADE, related_name="trade_quotes"
    )
    reference = models.CharField(max_length=12, unique=True, default=new_quote_reference)
    title = models.CharField(_("title"), max_length=200)
    client_reference = models.CharField(_("client reference"), max_length=60, blank=True)
    client_email = models.EmailField(_("client email"), blank=True)
    valid_until = models.DateField(_("valid until"))
    status = models.CharField(
        _("status"), max_length=10, choices=QuoteStatus.choices, default=QuoteStatus.DRAFT
    )
    language = models.CharField(_("language"), max_length=5, default="en")
    notes = models.TextField(_("notes"), blank=True)
    total = models.DecimalField(_("total"), default=0, **MONEY)
    priced_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    booking = models.OneToOneField(
        "bookings.Booking",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="trade_quote",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("quote")
        verbose_name_plural = _("quotes")
        indexes = [models.Index(fields=["organisation", "status"])]

    def __str__(self):
        return f"{self.reference} {self.title}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class QuoteLineKind(models.TextChoices):
    PRODUCT = "product", _("Product")
    PACKAGE = "package", _("Package")


class QuoteLine(models.Model):
    """One thing quoted: a product (experience/service slot, stay with a room type, goods)
    or a package, for a pax mix. `amount` is the partner's price when last priced."""

    quote = models.ForeignKey(Quote, on_delete=models.CASCADE, related_name="lines")
    kind = models.CharField(max_length=10, choices=QuoteLineKind.choices)
    product = models.ForeignKey(
        "operators.Product", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    package = models.ForeignKey(
        "packages.Package", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    day = models.DateField(_("date"))
    check_out = models.DateField(_("check-out"), null=True, blank=True)
    slot = models.ForeignKey(
        "operators.Slot", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    unit_type = models.ForeignKey(
        "operators.UnitType", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    units = models.PositiveIntegerField(
        _("rooms / units"), default=1, validators=[MinValueValidator(1), MaxValueValidator(500)]
    )
    quantity = models.PositiveIntegerField(
        _("items"), default=1, validators=[MinValueValidator(1), MaxValueValidator(10000)]
    )
    pax = models.JSONField(default=dict, blank=True)
    title = models.CharField(_("description"), max_length=300, blank=True)
    amount = models.DecimalField(_("price"), default=0, **MONEY)
    problem = models.CharField(_("problem"), max_length=300, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["quote", "position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(kind="product", product__isnull=False, package__isnull=True)
                    | models.Q(kind="package", package__isnull=False, product__isnull=True)
                ),
                name="quote_line_product_or_package",
            )
        ]

    def __str__(self):
        return f"{self.quote_id} · {self.title}"
