from __future__ import annotations

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts import validators
from bookings.models import TradeContract

from .models import ContractVersion, PartnerApplication, PriceRule, parse_markets


class ContractTermsForm(forms.ModelForm):
    class Meta:
        model = TradeContract
        fields = [
            "option_days",
            "cancellation_policy",
            "credit_limit",
            "on_account",
            "payment_terms_days",
            "deposit_percent",
            "balance_days_before",
        ]


class PriceRuleForm(forms.ModelForm):
    class Meta:
        model = PriceRule
        fields = [
            "basis",
            "percent",
            "scope",
            "product",
            "package",
            "markets",
            "valid_from",
            "valid_until",
        ]
        widgets = {
            "valid_from": forms.DateInput(attrs={"type": "date"}),
            "valid_until": forms.DateInput(attrs={"type": "date"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from operators.models import Product, ProductStatus
        from packages.models import Package

        self.fields["product"].queryset = Product.objects.filter(
            status=ProductStatus.PUBLISHED
        ).order_by("title")
        self.fields["package"].queryset = Package.objects.order_by("title")


class VersionForm(forms.ModelForm):
    copy_rules = forms.BooleanField(
        label=_("Start from the rules of the version in force"), required=False, initial=True
    )

    class Meta:
        model = ContractVersion
        fields = ["valid_from", "valid_until", "note"]
        widgets = {
            "valid_from": forms.DateInput(attrs={"type": "date"}),
            "valid_until": forms.DateInput(attrs={"type": "date"}),
        }


class RefuseForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for refusal"), widget=forms.Textarea(attrs={"rows": 3})
    )


class ApplicationForm(forms.ModelForm):
    """The public application of a tour operator or travel agency; fiscal data checked with
    python-stdnum (Partita IVA for Italian companies, the EU VAT number otherwise)."""

    website = forms.URLField(label=_("Website"), required=False, assume_scheme="https")
    accept = forms.BooleanField(
        label=_("I confirm the data is correct and accept to be contacted by the DMC."),
        required=True,
    )

    class Meta:
        model = PartnerApplication
        fields = [
            "company_name",
            "legal_name",
            "subkind",
            "country",
            "partita_iva",
            "vat_number",
            "licence_number",
            "markets",
            "address",
            "city",
            "website",
            "contact_name",
            "contact_email",
            "contact_phone",
            "message",
        ]
        widgets = {"message": forms.Textarea(attrs={"rows": 3})}
        help_texts = {
            "country": _("Two-letter country code of the company's seat (IT, DE, FR...)."),
            "markets": _("Countries your travellers come from: DE, AT, CH..."),
            "licence_number": _("Your tour operator or travel agency licence."),
        }

    def clean_country(self):
        country = (self.cleaned_data.get("country") or "").strip().upper()
        if not re.match(r"^[A-Z]{2}$", country):
            raise forms.ValidationError(_("Give a two-letter country code."), code="country")
        return country

    def clean_markets(self):
        markets = parse_markets(self.cleaned_data.get("markets"))
        if not markets:
            raise forms.ValidationError(_("Name at least one source market."), code="markets")
        return ", ".join(markets)

    def clean(self):
        from invoices.fiscal import foreign_vat_problem

        data = super().clean()
        country = data.get("country")
        if not country:
            return data
        if country == "IT":
            piva = validators.compact_partita_iva(data.get("partita_iva") or "")
            if not piva:
                self.add_error("partita_iva", _("An Italian company gives its Partita IVA."))
            else:
                try:
                    validators.validate_partita_iva(piva)
                    data["partita_iva"] = piva
                except forms.ValidationError as exc:
                    self.add_error("partita_iva", exc)
        else:
            problem = foreign_vat_problem(country, data.get("vat_number") or "")
            if problem:
                self.add_error("vat_number", problem)
            else:
                data["vat_number"] = re.sub(r"[\s.-]", "", data["vat_number"]).upper()
        return data
