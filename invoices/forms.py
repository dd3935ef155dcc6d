from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import SdiStatus


class InvoiceSearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    kind = forms.ChoiceField(
        label=_("Document"),
        required=False,
        choices=[
            ("", _("All documents")),
            ("business", _("Invoices to businesses")),
            ("consumer", _("Invoices to travellers")),
            ("credit_note", _("Credit notes")),
        ],
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[
            ("", _("Any")),
            ("unpaid", _("Unpaid")),
            ("paid", _("Paid")),
            ("draft", _("Draft")),
        ],
    )
    sdi_status = forms.ChoiceField(
        label=_("SdI status"), required=False, choices=[("", _("Any"))] + SdiStatus.choices
    )
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class SdiStatusForm(forms.Form):
    status = forms.ChoiceField(
        label=_("SdI status"),
        choices=[
            (SdiStatus.SENT, SdiStatus.SENT.label),
            (SdiStatus.ACCEPTED, SdiStatus.ACCEPTED.label),
            (SdiStatus.REJECTED, SdiStatus.REJECTED.label),
            (SdiStatus.TO_SEND, SdiStatus.TO_SEND.label),
        ],
    )
    reason = forms.CharField(
        label=_("SdI's reason (for a rejection)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class CreditNoteForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=200)
    full = forms.BooleanField(label=_("Credit the whole invoice"), required=False, initial=True)
    description = forms.CharField(label=_("Line description"), required=False, max_length=500)
    amount = forms.DecimalField(
        label=_("Amount to credit (taxable, EUR)"),
        required=False,
        min_value=Decimal("0.01"),
        decimal_places=2,
        max_digits=12,
    )
    vat_rate = forms.ChoiceField(
        label=_("VAT rate"),
        required=False,
        choices=[("22.00", "22%"), ("10.00", "10%"), ("5.00", "5%"), ("4.00", "4%")],
    )

    def clean(self):
        data = super().clean()
        if not data.get("full") and not data.get("amount"):
            self.add_error("amount", _("Give the amount to credit, or credit the whole invoice."))
        return data


class MonthForm(forms.Form):
    month = forms.CharField(
        label=_("Month"), widget=forms.TextInput(attrs={"type": "month", "placeholder": "YYYY-MM"})
    )


class PeriodForm(forms.Form):
    date_from = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("To"), widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", _("The end of the period is before its start."))
        return data


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ".xml"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data]
        return [single(data, initial)]


class SdiImportForm(forms.Form):
    files = MultipleFileField(label=_("SdI notification files (XML)"))
