from datetime import date

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation, OrganisationKind
from operators.models import Product, ProductKind, ProductStatus, UnitType

from .models import AllotmentStatus


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


def _resource_choices():
    """One list of what can be allotted: the unit types of stays, and experiences/services
    (their slots), in two groups."""
    stays = [
        (f"u:{u.pk}", f"{u.product} · {u.name}")
        for u in UnitType.objects.filter(product__status=ProductStatus.PUBLISHED)
        .select_related("product")
        .order_by("product__title", "name")
    ]
    slots = [
        (f"p:{p.pk}", str(p))
        for p in Product.objects.filter(
            status=ProductStatus.PUBLISHED,
            kind__in=(ProductKind.EXPERIENCE, ProductKind.SERVICE),
        ).order_by("title")
    ]
    return [
        ("", "---------"),
        (_("Rooms per night"), stays),
        (_("Seats per time slot"), slots),
    ]


def parse_overrides(text: str) -> dict[date, int]:
    """Lines such as `2027-05-12 = 4` (or `2027-05-12: 4`)."""
    overrides = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        day, sep, quantity = line.replace(":", "=").partition("=")
        try:
            if not sep:
                raise ValueError
            overrides[date.fromisoformat(day.strip())] = int(quantity.strip())
        except ValueError:
            raise forms.ValidationError(
                _("Line %(n)s: write a date and the places, e.g. 2027-05-12 = 4.") % {"n": number}
            ) from None
    return overrides


class AllotmentCreateForm(forms.Form):
    partner = forms.ModelChoiceField(
        label=_("Trade partner"),
        queryset=Organisation.objects.filter(kind=OrganisationKind.TRADE).order_by("name"),
    )
    resource = forms.ChoiceField(label=_("Rooms or seats of"))
    start_date = forms.DateField(label=_("From"), widget=DateInput())
    end_date = forms.DateField(label=_("To (inclusive)"), widget=DateInput())
    quantity = forms.IntegerField(label=_("Places per night or slot"), min_value=1)
    release_days = forms.IntegerField(
        label=_("Release (days before arrival)"),
        min_value=0,
        initial=14,
        help_text=_("Unsold places return to general sale this many days before each day."),
    )
    overrides = forms.CharField(
        label=_("Other quantities on some days"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "2027-05-12 = 4"}),
        help_text=_("One day per line: date = places (0 leaves the day out)."),
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["resource"].choices = _resource_choices()

    def clean_overrides(self):
        return parse_overrides(self.cleaned_data.get("overrides") or "")

    def clean(self):
        data = super().clean()
        resource = data.get("resource") or ""
        kind, _sep, pk = resource.partition(":")
        data["product"] = data["unit_type"] = None
        if kind == "u":
            unit_type = UnitType.objects.select_related("product").filter(pk=pk).first()
            if unit_type:
                data["unit_type"], data["product"] = unit_type, unit_type.product
        elif kind == "p":
            data["product"] = Product.objects.filter(pk=pk).first()
        if resource and data["product"] is None:
            self.add_error("resource", _("Choose rooms or seats from the list."))
        return data


class AllotmentEditForm(forms.Form):
    """The DMC editor: per-day places (fields q_<date> added by the view), every open day at
    once, release period, notes."""

    all_days = forms.IntegerField(
        label=_("Set every open day to"),
        min_value=0,
        required=False,
        help_text=_("Leave empty to change single days in the table."),
    )
    release_days = forms.IntegerField(label=_("Release (days before arrival)"), min_value=0)
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, days=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.day_fields = []
        for day in days:
            name = f"q_{day['date'].isoformat()}"
            self.fields[name] = forms.IntegerField(
                label=day["date"], min_value=0, required=False, initial=day["per_slot"]
            )
            self.day_fields.append((day, self[name]))

    def quantities(self) -> dict[date, int]:
        chosen = {}
        for name, value in self.cleaned_data.items():
            if name.startswith("q_") and value is not None:
                chosen[date.fromisoformat(name[2:])] = value
        if self.cleaned_data.get("all_days") is not None:
            chosen = dict.fromkeys(chosen, self.cleaned_data["all_days"]) or chosen
        return chosen


class BackofficeFilterForm(forms.Form):
    partner = forms.ModelChoiceField(
        label=_("Trade partner"),
        queryset=Organisation.objects.filter(kind=OrganisationKind.TRADE).order_by("name"),
        required=False,
    )
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("All"))] + AllotmentStatus.choices, required=False
    )


class ReleaseReportFilterForm(forms.Form):
    partner = forms.ModelChoiceField(
        label=_("Trade partner"),
        queryset=Organisation.objects.filter(kind=OrganisationKind.TRADE).order_by("name"),
        required=False,
    )
    date_from = forms.DateField(label=_("Days from"), required=False, widget=DateInput())
    date_to = forms.DateField(label=_("Days to"), required=False, widget=DateInput())
