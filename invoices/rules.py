"""Fiscal rules kept as data that DMC staff edit in the admin: how each kind of sale is
treated (sales model x customer kind x customer area x product kind -> regime, VAT or Natura,
with its legal reference) and the DMC's invoicing settings (stamp duty, REA, share capital).

The rows seeded by the migrations are the decision table of docs/fiscal-decision-table.md;
where the treatment of a case is uncertain it is a row here, not a branch in the code."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from operators.models import SalesModel

MONEY = {"max_digits": 12, "decimal_places": 2}


class CustomerArea(models.TextChoices):
    ITALY = "IT", _("Italy")
    EU = "EU", _("Other EU country")
    NON_EU = "NON_EU", _("Outside the EU")


class ProductFiscalKind(models.TextChoices):
    PACKAGE = "package", _("Package")
    ACCOMMODATION = "accommodation", _("Accommodation")
    EXPERIENCE = "experience", _("Experience")
    SERVICE = "service", _("Service")
    GOODS = "goods", _("Goods")


class Treatment(models.TextChoices):
    MARGIN = "margin", _("Margin regime art. 74-ter (RF11, Natura N5)")
    VAT = "vat", _("VAT at the product's rate")
    NOT_SUBJECT = "not_subject", _("Without VAT (Natura)")
    ON_BEHALF = "on_behalf", _("Collected on behalf of the operator (N1, art. 15)")


class FiscalTreatment(models.Model):
    """One row of the decision table. Empty criteria match anything; the most specific
    matching row wins (product, then product kind, then customer area, then customer kind)."""

    sales_model = models.CharField(_("sales model"), max_length=10, choices=SalesModel.choices)
    customer_kind = models.CharField(
        _("customer kind"),
        max_length=10,
        blank=True,
        choices=[("business", _("Business")), ("consumer", _("Consumer"))],
    )
    customer_area = models.CharField(
        _("customer area"), max_length=6, blank=True, choices=CustomerArea.choices
    )
    product_kind = models.CharField(
        _("product kind"), max_length=20, blank=True, choices=ProductFiscalKind.choices
    )
    product = models.ForeignKey(
        "operators.Product",
        verbose_name=_("product"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("For a rule of one product, e.g. a passenger transfer."),
    )
    treatment = models.CharField(_("treatment"), max_length=12, choices=Treatment.choices)
    natura = models.CharField(_("Natura"), max_length=5, blank=True)
    required_vat_rate = models.DecimalField(
        _("required VAT rate %"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_(
            "When set, a line at another rate is refused (e.g. 10.00 for passenger transport)."
        ),
    )
    legal_reference = models.CharField(_("legal reference"), max_length=200)
    note = models.TextField(_("note"), blank=True)
    uncertain = models.BooleanField(
        _("uncertain"), default=False, help_text=_("A treatment to confirm with the accountant.")
    )

    class Meta:
        ordering = ["sales_model", "product_kind", "customer_kind", "customer_area", "pk"]
        verbose_name = _("fiscal treatment")
        verbose_name_plural = _("fiscal treatments")
        constraints = [
            models.UniqueConstraint(
                fields=["sales_model", "customer_kind", "customer_area", "product_kind"],
                condition=models.Q(product__isnull=True),
                name="one_treatment_per_case",
            ),
            models.UniqueConstraint(
                fields=["sales_model", "customer_kind", "customer_area", "product"],
                condition=models.Q(product__isnull=False),
                name="one_treatment_per_product_case",
            ),
        ]

    def __str__(self):
        criteria = [self.sales_model, self.customer_kind or "*", self.customer_area or "*"]
        criteria.append(str(self.product) if self.product_id else (self.product_kind or "*"))
        return f"{' / '.join(criteria)} -> {self.get_treatment_display()}"

    def clean(self):
        from .models import Natura

        if self.treatment == Treatment.NOT_SUBJECT and self.natura not in Natura.values:
            raise ValidationError({"natura": _("Choose the Natura code of this treatment.")})
        if self.treatment != Treatment.NOT_SUBJECT and self.natura:
            raise ValidationError({"natura": _("Only a treatment without VAT has a Natura.")})
        duplicate = FiscalTreatment.objects.filter(
            sales_model=self.sales_model,
            customer_kind=self.customer_kind,
            customer_area=self.customer_area,
            product_kind="" if self.product_id else self.product_kind,
            product_id=self.product_id,
        ).exclude(pk=self.pk)
        if duplicate.exists():
            raise ValidationError(
                _("A treatment for the same case already exists: change that one."),
                code="duplicate",
            )

    @property
    def specificity(self) -> int:
        return (
            8 * bool(self.product_id)
            + 4 * bool(self.product_kind)
            + 2 * bool(self.customer_area)
            + bool(self.customer_kind)
        )

    def matches(self, *, sales_model, customer_kind, customer_area, product_kind, product_id):
        return (
            self.sales_model == sales_model
            and self.customer_kind in ("", customer_kind)
            and self.customer_area in ("", customer_area)
            and self.product_kind in ("", product_kind)
            and self.product_id in (None, product_id)
        )


class FiscalSettings(models.Model):
    """The DMC's invoicing settings (one row): stamp duty and the company data that
    company documents must carry (art. 2250 c.c.: REA and share capital)."""

    stamp_duty_threshold = models.DecimalField(
        _("stamp duty above"), default=Decimal("77.47"), **MONEY
    )
    stamp_duty_amount = models.DecimalField(_("stamp duty"), default=Decimal("2.00"), **MONEY)
    stamp_duty_charged_to_customer = models.BooleanField(
        _("stamp duty charged to the customer"),
        default=False,
        help_text=_("Otherwise the DMC bears it; the document says so either way."),
    )
    rea_office = models.CharField(
        _("REA office (province)"), max_length=2, blank=True, help_text=_("e.g. LU")
    )
    rea_number = models.CharField(_("REA number"), max_length=20, blank=True)
    share_capital = models.DecimalField(_("share capital"), null=True, blank=True, **MONEY)
    sole_shareholder = models.BooleanField(_("sole shareholder"), default=False)
    in_liquidation = models.BooleanField(_("in liquidation"), default=False)

    class Meta:
        verbose_name = _("fiscal settings")
        verbose_name_plural = _("fiscal settings")

    def __str__(self):
        return str(_("Fiscal settings"))

    @classmethod
    def current(cls) -> FiscalSettings:
        settings, _created = cls.objects.get_or_create(pk=1)
        return settings


# The decision table as first seeded (docs/fiscal-decision-table.md); staff change the rows.
# (sales model, customer kind, customer area, product kind, treatment, natura, rate, reference,
# uncertain)
DEFAULT_TREATMENTS = [
    (
        "resale",
        "",
        "",
        "package",
        "margin",
        "",
        None,
        "Art. 74-ter DPR 633/72, DM 340/1999: pacchetti turistici, regime del margine",
        False,
    ),
    (
        "resale",
        "",
        "",
        "accommodation",
        "vat",
        "",
        None,
        "Art. 7-quater c.1 lett. a) DPR 633/72: alloggio, imponibile dove si trova l'immobile",
        True,
    ),
    (
        "resale",
        "",
        "",
        "experience",
        "vat",
        "",
        None,
        "Art. 7-quinquies DPR 633/72: attivita culturali e ricreative, dove si svolgono",
        True,
    ),
    (
        "resale",
        "",
        "",
        "service",
        "vat",
        "",
        None,
        "Art. 7-ter DPR 633/72 (B2C: luogo del prestatore, Italia)",
        True,
    ),
    (
        "resale",
        "",
        "",
        "goods",
        "vat",
        "",
        None,
        "Art. 7-bis DPR 633/72: beni consegnati in Italia",
        False,
    ),
    (
        "resale",
        "business",
        "EU",
        "service",
        "not_subject",
        "N2.1",
        None,
        "Art. 7-ter c.1 lett. a) DPR 633/72: servizi generici B2B a committente UE",
        False,
    ),
    (
        "resale",
        "business",
        "NON_EU",
        "service",
        "not_subject",
        "N2.1",
        None,
        "Art. 7-ter c.1 lett. a) DPR 633/72: servizi generici B2B a committente extra UE",
        False,
    ),
    (
        "agency",
        "",
        "",
        "",
        "on_behalf",
        "",
        None,
        "Art. 15 c.1 n.3 DPR 633/72: somme incassate in nome e per conto dell'operatore",
        True,
    ),
]


def treatments_ensure() -> None:
    """Seed the decision table when it is empty (a fresh or flushed database)."""
    if FiscalTreatment.objects.exists():
        return
    FiscalTreatment.objects.bulk_create(
        FiscalTreatment(
            sales_model=row[0],
            customer_kind=row[1],
            customer_area=row[2],
            product_kind=row[3],
            treatment=row[4],
            natura=row[5],
            required_vat_rate=row[6],
            legal_reference=row[7],
            uncertain=row[8],
        )
        for row in DEFAULT_TREATMENTS
    )
