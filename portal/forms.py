from datetime import timedelta

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from operators.models import ProductKind, Theme
from operators.pricing import PaxMix
from places.models import Comune


def parse_ages(value: str) -> list[int]:
    ages = []
    for part in (value or "").replace(";", ",").split(","):
        part = part.strip()
        if not part:
            continue
        if not part.isdigit() or int(part) > 17:
            raise ValidationError(_("Give each child's age as a number from 0 to 17, e.g. 4, 9."))
        ages.append(int(part))
    return ages


class SearchForm(forms.Form):
    start = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("To"), widget=forms.DateInput(attrs={"type": "date"}))
    adults = forms.IntegerField(label=_("Adults"), min_value=0, max_value=200, initial=2)
    children_ages = forms.CharField(
        label=_("Children's ages"),
        required=False,
        help_text=_("Comma-separated, e.g. 4, 9"),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "placeholder": "4, 9"}),
    )
    comune = forms.ModelChoiceField(
        label=_("Comune"),
        required=False,
        queryset=Comune.objects.filter(in_destination=True),
        to_field_name="istat_code",
        empty_label=_("All the Piana"),
    )
    kind = forms.ChoiceField(
        label=_("What"), required=False, choices=[("", _("Everything"))] + list(ProductKind.choices)
    )
    theme = forms.ModelChoiceField(
        label=_("Theme"),
        required=False,
        queryset=Theme.objects.all(),
        to_field_name="slug",
        empty_label=_("Any theme"),
    )
    q = forms.CharField(label=_("Search"), required=False, max_length=100)

    def __init__(self, data=None, **kwargs):
        today = timezone.localdate()
        defaults = {
            "start": today + timedelta(days=7),
            "end": today + timedelta(days=9),
            "adults": 2,
        }
        if data is not None:
            data = {**defaults, **{k: v for k, v in data.items() if v not in (None, "")}}
        super().__init__(data if data is not None else defaults, **kwargs)

    def clean_children_ages(self):
        return parse_ages(self.cleaned_data.get("children_ages", ""))

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        today = timezone.localdate()
        if start and start < today:
            self.add_error("start", _("Choose a date from today on."))
        if start and end and end < start:
            self.add_error("end", _("The end is before the start."))
        if start and end and (end - start).days > 31:
            self.add_error("end", _("Search at most 31 days at a time."))
        adults = cleaned.get("adults") or 0
        if adults + len(cleaned.get("children_ages") or []) < 1:
            self.add_error("adults", _("At least one traveller."))
        return cleaned

    def pax(self) -> PaxMix:
        return PaxMix.of(
            adults=self.cleaned_data["adults"], children_ages=self.cleaned_data["children_ages"]
        )


class BookForm(forms.Form):
    """The traveller's booking of one option found on the product page."""

    start = forms.DateField(widget=forms.HiddenInput)
    end = forms.DateField(widget=forms.HiddenInput)
    adults = forms.IntegerField(min_value=0, widget=forms.HiddenInput)
    children_ages = forms.CharField(required=False, widget=forms.HiddenInput)
    slot = forms.IntegerField(required=False, widget=forms.HiddenInput)
    unit_type = forms.IntegerField(required=False, widget=forms.HiddenInput)
    units = forms.IntegerField(min_value=1, required=False, widget=forms.HiddenInput)
    quantity = forms.IntegerField(
        label=_("Quantity"), min_value=1, max_value=50, initial=1, required=False
    )
    #: One radio per option on the product page: "slot:<id>:<units>" or "unit:<id>:<units>".
    choice = forms.CharField(required=False, max_length=40)
    contact_name = forms.CharField(label=_("Your name"), max_length=200)
    contact_email = forms.EmailField(label=_("Email"))
    contact_phone = forms.CharField(label=_("Phone"), max_length=40, required=False)

    def clean_children_ages(self):
        return parse_ages(self.cleaned_data.get("children_ages", ""))

    def clean(self):
        cleaned = super().clean()
        choice = cleaned.get("choice")
        if choice:
            parts = choice.split(":")
            if (
                len(parts) != 3
                or parts[0] not in ("slot", "unit")
                or not all(p.isdigit() for p in parts[1:])
            ):
                raise ValidationError(_("Choose one of the options shown."), code="bad_choice")
            field = "slot" if parts[0] == "slot" else "unit_type"
            cleaned[field] = int(parts[1])
            cleaned["units"] = max(int(parts[2]), 1)
        return cleaned


class PackageBookForm(forms.Form):
    start = forms.DateField(
        label=_("Departure date"), widget=forms.DateInput(attrs={"type": "date"})
    )
    adults = forms.IntegerField(label=_("Adults"), min_value=0, max_value=200, initial=2)
    children_ages = forms.CharField(
        label=_("Children's ages"), required=False, help_text=_("Comma-separated, e.g. 4, 9")
    )
    contact_name = forms.CharField(label=_("Your name"), max_length=200, required=False)
    contact_email = forms.EmailField(label=_("Email"), required=False)
    contact_phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    accept_terms = forms.BooleanField(
        label=_(
            "I have read the pre-contract information of this package travel and accept "
            "its conditions."
        ),
        required=False,
    )

    def clean_children_ages(self):
        return parse_ages(self.cleaned_data.get("children_ages", ""))

    def pax(self) -> PaxMix:
        return PaxMix.of(
            adults=self.cleaned_data["adults"] or 0,
            children_ages=self.cleaned_data["children_ages"],
        )
