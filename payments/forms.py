from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .bank_import import AMOUNT_FORMATS, LAYOUT_CHOICES


class RefundForm(forms.Form):
    amount = forms.DecimalField(
        label=_("Amount (EUR)"), max_digits=12, decimal_places=2, min_value=Decimal("0.01")
    )
    reason = forms.CharField(label=_("Reason"), max_length=300)


class BankTransferForm(forms.Form):
    amount = forms.DecimalField(
        label=_("Amount received (EUR)"), max_digits=12, decimal_places=2, min_value=Decimal("0.01")
    )
    booked_on = forms.DateField(
        label=_("Value date"),
        initial=timezone.localdate,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    reference = forms.CharField(
        label=_("Bank reference (CRO/TRN)"),
        max_length=120,
        help_text=_("The bank's transaction reference: the same transfer is recorded once."),
    )


class BankImportForm(forms.Form):
    file = forms.FileField(
        label=_("Bank statement (CSV or CAMT.053 XML)"),
        help_text=_(
            "The bank's CSV export (UTF-8, Windows-1252 or Latin-1; `;`, `,` or tab) or its "
            "CAMT.053 XML statement."
        ),
    )
    amount_format = forms.ChoiceField(
        label=_("Amount format"),
        choices=lambda: list(AMOUNT_FORMATS.items()),
        initial="auto",
        help_text=_("How the file writes amounts: a file that can be read both ways is refused."),
    )
    layout = forms.ChoiceField(
        label=_("CSV layout"), choices=lambda: list(LAYOUT_CHOICES.items()), initial="auto"
    )


class BankDecisionForm(forms.Form):
    transaction = forms.IntegerField(widget=forms.HiddenInput)
    decision = forms.ChoiceField(
        choices=[
            ("partial", _("Partial payment: the rest stays due")),
            ("credit", _("Surplus as credit on the partner's account")),
            ("refund", _("Surplus to refund by bank transfer")),
        ]
    )


class PayoutRunForm(forms.Form):
    execution_date = forms.DateField(
        label=_("Execution date"),
        initial=timezone.localdate,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


class DayForm(forms.Form):
    day = forms.DateField(
        label=_("Day"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )


class BankMatchForm(forms.Form):
    transaction = forms.IntegerField(widget=forms.HiddenInput)
    reference = forms.CharField(
        label=_("Booking reference or invoice number"),
        max_length=40,
        help_text=_("The booking this transfer pays, e.g. a reference or TR-2026-00042."),
    )


class BankRefundForm(forms.Form):
    prefix = "bank_refund"  # on the booking page next to the bank transfer form

    amount = forms.DecimalField(
        label=_("Amount refunded (EUR)"), max_digits=12, decimal_places=2, min_value=Decimal("0.01")
    )
    booked_on = forms.DateField(
        label=_("Execution date"),
        initial=timezone.localdate,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    reference = forms.CharField(
        label=_("Bank reference (CRO/TRN)"),
        max_length=120,
        help_text=_("The reference of the outgoing transfer: it is recorded once."),
    )
