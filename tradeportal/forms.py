from datetime import timedelta

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from operators.pricing import PaxMix

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
MAX_PARTY = 500


def parse_ages(raw: str) -> list[int]:
    raw = (raw or "").replace(";", ",").strip()
    if not raw:
        return []
    ages = []
    for part in raw.split(","):
        part = part.strip()
        if not part.isdigit() or int(part) > 17:
            raise ValidationError(_("Give each child's age from 0 to 17, separated by commas."))
        ages.append(int(part))
    if len(ages) > MAX_PARTY:
        raise ValidationError(_("Too many children."))
    return ages


class PaxFormMixin:
    def clean_children_ages(self):
        return parse_ages(self.cleaned_data.get("children_ages", ""))

    def pax(self) -> PaxMix:
        data = self.cleaned_data
        return PaxMix.of(
            adults=data.get("adults") or 0,
            seniors=data.get("seniors") or 0,
            children_ages=data.get("children_ages") or [],
            infants=data.get("infants") or 0,
        )


class PaxForm(PaxFormMixin, forms.Form):
    adults = forms.IntegerField(label=_("Adults"), min_value=0, max_value=MAX_PARTY, initial=20)
    seniors = forms.IntegerField(
        label=_("Seniors"), min_value=0, max_value=MAX_PARTY, initial=0, required=False
    )
    children_ages = forms.CharField(
        label=_("Children's ages"), required=False, help_text=_("Comma-separated, e.g. 6, 9")
    )
    infants = forms.IntegerField(
        label=_("Infants"), min_value=0, max_value=100, initial=0, required=False
    )


class GroupSearchForm(PaxForm):
    KINDS = [
        ("", _("Everything")),
        ("experience", _("Experiences")),
        ("accommodation", _("Stays")),
        ("service", _("Services")),
        ("package", _("Packages")),
    ]
    start = forms.DateField(label=_("From (check-in)"), widget=DATE_INPUT)
    end = forms.DateField(label=_("To (check-out)"), widget=DATE_INPUT)
    rooms_single = forms.IntegerField(
        label=_("Single rooms"), min_value=0, max_value=200, required=False
    )
    rooms_double = forms.IntegerField(
        label=_("Double rooms"), min_value=0, max_value=200, required=False
    )
    rooms_triple = forms.IntegerField(
        label=_("Triple rooms"), min_value=0, max_value=200, required=False
    )
    kind = forms.ChoiceField(label=_("What"), choices=KINDS, required=False)
    q = forms.CharField(label=_("Words"), max_length=100, required=False)

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        today = timezone.localdate()
        if start and start < today:
            self.add_error("start", _("The date is in the past."))
        if start and end:
            if end < start:
                self.add_error("end", _("The end is before the start."))
            elif (end - start) > timedelta(days=30):
                self.add_error("end", _("Search at most 30 days at a time."))
        if not self.errors and self.pax().seats < 1:
            self.add_error("adults", _("Book at least one person."))
        return data

    def rooms(self) -> dict[int, int]:
        data = self.cleaned_data
        rooms = {
            1: data.get("rooms_single") or 0,
            2: data.get("rooms_double") or 0,
            3: data.get("rooms_triple") or 0,
        }
        return {k: v for k, v in rooms.items() if v}


class QuoteForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    client_reference = forms.CharField(label=_("Client reference"), max_length=60, required=False)
    client_email = forms.EmailField(
        label=_("Client email"),
        required=False,
        help_text=_("Optional: the quote's PDF is also sent there."),
    )
    valid_until = forms.DateField(label=_("Valid until"), widget=DATE_INPUT)
    notes = forms.CharField(
        label=_("Notes"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class AddLineForm(PaxForm):
    """What a search result posts to put it in a quote (an open one, or a new one)."""

    quote = forms.CharField(required=False, max_length=12)
    new_title = forms.CharField(label=_("New quote title"), required=False, max_length=200)
    product = forms.IntegerField(required=False, min_value=1)
    package = forms.IntegerField(required=False, min_value=1)
    slot = forms.IntegerField(required=False, min_value=1)
    unit_type = forms.IntegerField(required=False, min_value=1)
    day = forms.DateField(widget=DATE_INPUT)
    check_out = forms.DateField(required=False, widget=DATE_INPUT)
    units = forms.IntegerField(
        label=_("Rooms / units"), min_value=1, max_value=500, initial=1, required=False
    )
    quantity = forms.IntegerField(required=False, min_value=1, max_value=10000)


class ConvertForm(forms.Form):
    contact_name = forms.CharField(label=_("Contact name"), max_length=200, required=False)
    contact_email = forms.EmailField(label=_("Contact email"), required=False)
    accept_package_terms = forms.BooleanField(
        label=_("I have read the packages' pre-contract information and accept it"),
        required=False,
    )
