from django import forms
from django.utils.translation import gettext_lazy as _

from .models import VISITOR_LANGUAGES, ContactChannel, Topic


class ContactForm(forms.Form):
    at = forms.DateTimeField(
        label=_("Time"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    channel = forms.ChoiceField(label=_("Channel"), choices=ContactChannel.choices)
    origin = forms.CharField(
        label=_("Origin"),
        max_length=80,
        widget=forms.TextInput(
            attrs={
                "list": "origins",
                "autocomplete": "off",
                "autofocus": True,
                "placeholder": _("DE, IT-LU, Toscana…"),
            }
        ),
    )
    party_size = forms.IntegerField(label=_("Party"), min_value=1, max_value=200, initial=1)
    language = forms.ChoiceField(label=_("Language"), choices=VISITOR_LANGUAGES)
    topics = forms.MultipleChoiceField(
        label=_("Topics"),
        choices=Topic.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    booking = forms.CharField(label=_("Sale reference"), max_length=12, required=False)


class MonthForm(forms.Form):
    month = forms.CharField(label=_("Month"), widget=forms.TextInput(attrs={"type": "month"}))

    def clean_month(self):
        value = self.cleaned_data["month"]
        try:
            year, month = (int(part) for part in value.split("-"))
            if not 1 <= month <= 12 or year < 2000:
                raise ValueError
        except ValueError as exc:
            raise forms.ValidationError(_("Give a month as YYYY-MM.")) from exc
        return year, month
