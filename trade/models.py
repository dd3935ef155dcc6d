"""A trade partner's price terms: versions of its contract (bookings.TradeContract keeps the
option length, cancellation terms, credit and payment terms) and the price rules of each
version, with the history of every change; partner applications.

Precedence of the rules (see trade/pricing.py): the contract version in force on the day the
booking is priced (latest valid_from not after it, not past its valid_until); within it the
most specific rule valid on the service day wins: a product or package rule over a product-kind
rule over a rule for everything; then a rule for the partner's market over one for all
markets; then a rule with its own validity dates over one without; then the newest rule."""

from __future__ import annotations

import re
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

MONEY = {"max_digits": 12, "decimal_places": 2}
COUNTRY = re.compile(r"^[A-Z]{2}$")


class RuleBasis(models.TextChoices):
    COMMISSION = "commission", _("Commission on the public price")
    DISCOUNT = "discount", _("Net rate: discount on the public price")
    MARKUP = "markup", _("Net rate: markup on the purchase price")


class RuleScope(models.TextChoices):
    """What a rule covers when it names no product or package."""

    EXPERIENCE = "experience", _("Experiences")
    ACCOMMODATION = "accommodation", _("Stays")
    GOODS = "goods", _("Goods")
    SERVICE = "service", _("Services")
    PACKAGE = "package", _("Packages")


def parse_markets(value: str) -> list[str]:
    """'de, AT ch' -> ['DE', 'AT', 'CH'] (ISO 3166 alpha-2 codes)."""
    return [code for code in re.split(r"[\s,;]+", (value or "").upper()) if code]


def validate_markets(value: str) -> None:
    bad = [code for code in parse_markets(value) if not COUNTRY.match(code)]
    if bad:
        raise ValidationError(
            _("Not a two-letter country code: %(codes)s.") % {"codes": ", ".join(bad)},
            code="invalid_market",
        )


class ContractVersion(models.Model):
    """The price terms of a partner's contract from `valid_from`: a new version replaces the
    previous one for bookings priced from that day; bookings keep the version they were
    priced with."""

    contract = models.ForeignKey(
        "bookings.TradeContract", on_delete=models.CASCADE, related_name="versions"
    )
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["contract", "-valid_from"]
        verbose_name = _("contract version")
        verbose_name_plural = _("contract versions")
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "valid_from"], name="trade_version_unique_start"
            )
        ]

    def __str__(self):
        return f"{self.contract.organisation} · {self.valid_from}"

    def clean(self):
        if self.valid_until and self.valid_from and self.valid_until < self.valid_from:
            raise ValidationError(
                {"valid_until": _("The end cannot be before the start.")}, code="bad_dates"
            )

    def in_force(self, day) -> bool:
        return self.valid_from <= day and (self.valid_until is None or day <= self.valid_until)


class PriceRule(models.Model):
    """One line of a contract version: what the partner pays for what, where and when."""

    version = models.ForeignKey(ContractVersion, on_delete=models.CASCADE, related_name="rules")
    basis = models.CharField(_("basis"), max_length=20, choices=RuleBasis.choices)
    percent = models.DecimalField(
        _("percent"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("300"))],
    )
    scope = models.CharField(
        _("product kind"),
        max_length=20,
        choices=RuleScope.choices,
        blank=True,
        help_text=_("Empty: every kind (unless a product or package is named)."),
    )
    product = models.ForeignKey(
        "operators.Product",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("product"),
    )
    package = models.ForeignKey(
        "packages.Package",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("package"),
    )
    markets = models.CharField(
        _("source markets"),
        max_length=200,
        blank=True,
        validators=[validate_markets],
        help_text=_("Country codes separated by commas (DE, AT, CH); empty: every market."),
    )
    valid_from = models.DateField(_("service from"), null=True, blank=True)
    valid_until = models.DateField(_("service until"), null=True, blank=True)

    class Meta:
        ordering = ["version", "pk"]
        verbose_name = _("price rule")
        verbose_name_plural = _("price rules")

    def __str__(self):
        return f"{self.get_basis_display()} {self.percent}% · {self.target_label}"

    @property
    def target_label(self) -> str:
        if self.product_id:
            return str(self.product)
        if self.package_id:
            return str(self.package)
        return str(self.get_scope_display()) if self.scope else str(_("Everything"))

    @property
    def market_list(self) -> list[str]:
        return parse_markets(self.markets)

    def clean(self):
        self.markets = ", ".join(parse_markets(self.markets))
        errors = {}
        if self.product_id and self.package_id:
            errors["package"] = _("Name a product or a package, not both.")
        if self.basis in (RuleBasis.COMMISSION, RuleBasis.DISCOUNT) and (
            self.percent is not None and self.percent >= 100
        ):
            errors["percent"] = _("A commission or discount must be below 100%.")
        if self.valid_from and self.valid_until and self.valid_until < self.valid_from:
            errors["valid_until"] = _("The end cannot be before the start.")
        if errors:
            raise ValidationError(errors, code="invalid_rule")

    def as_dict(self) -> dict:
        return {
            "id": self.pk,
            "basis": self.basis,
            "percent": str(self.percent),
            "scope": self.scope,
            "product": self.product_id,
            "package": self.package_id,
            "markets": self.markets,
            "valid_from": self.valid_from.isoformat() if self.valid_from else None,
            "valid_until": self.valid_until.isoformat() if self.valid_until else None,
        }


class ContractChange(models.Model):
    """The history of a partner's contract: who changed what, when."""

    contract = models.ForeignKey(
        "bookings.TradeContract", on_delete=models.CASCADE, related_name="changes"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    actor_label = models.CharField(max_length=200, blank=True)
    at = models.DateTimeField(auto_now_add=True)
    summary = models.CharField(_("change"), max_length=300)
    changes = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("contract change")
        verbose_name_plural = _("contract changes")

    def __str__(self):
        return self.summary

    @property
    def details(self) -> list[str]:
        """The change, one readable line per field or rule."""
        lines = []
        for key, value in (self.changes or {}).items():
            if key in ("before", "after"):
                if value:
                    lines.append(f"{key}: {value.get('basis')} {value.get('percent')}%")
            elif key != "version" and isinstance(value, list) and len(value) == 2:
                lines.append(f"{key}: {value[0]} → {value[1]}")
            elif key != "version" and value is not None:
                lines.append(f"{key}: {value}")
        return lines


class ApplicationStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    APPROVED = "approved", _("Approved")
    REFUSED = "refused", _("Refused")


class PartnerApplication(models.Model):
    """A tour operator's or travel agency's request to become a trade partner."""

    status = models.CharField(
        _("status"), max_length=20, choices=ApplicationStatus.choices, default="pending"
    )
    company_name = models.CharField(_("company name"), max_length=200)
    legal_name = models.CharField(_("legal name"), max_length=200, blank=True)
    subkind = models.CharField(
        _("type of business"),
        max_length=20,
        choices=[("tour_operator", _("Tour operator")), ("travel_agency", _("Travel agency"))],
        default="tour_operator",
    )
    country = models.CharField(_("country"), max_length=2)
    partita_iva = models.CharField(_("Partita IVA"), max_length=20, blank=True)
    vat_number = models.CharField(_("EU VAT number"), max_length=20, blank=True)
    licence_number = models.CharField(_("licence number"), max_length=60)
    markets = models.CharField(_("source markets"), max_length=200, validators=[validate_markets])
    address = models.CharField(_("address"), max_length=200, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    website = models.URLField(_("website"), blank=True)
    contact_name = models.CharField(_("contact name"), max_length=200)
    contact_email = models.EmailField(_("contact email"))
    contact_phone = models.CharField(_("phone"), max_length=30, blank=True)
    language = models.CharField(_("language"), max_length=5, default="en")
    message = models.TextField(_("message"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    refusal_reason = models.TextField(_("reason for refusal"), blank=True)
    organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("partner application")
        verbose_name_plural = _("partner applications")

    def __str__(self):
        return self.company_name
