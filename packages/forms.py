from django import forms
from django.utils.translation import gettext_lazy as _

from operators.models import Product, UnitType

from .models import Component, Package, SeasonPrice

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class PackageForm(forms.ModelForm):
    class Meta:
        model = Package
        fields = [
            "title_it",
            "title_en",
            "summary_it",
            "summary_en",
            "story_it",
            "story_en",
            "itinerary_it",
            "itinerary_en",
            "meals_it",
            "meals_en",
            "accessibility_it",
            "accessibility_en",
            "travel_documents_it",
            "travel_documents_en",
            "themes",
            "languages",
            "heritage_story",
            "duration_days",
            "duration_nights",
            "min_pax",
            "max_pax",
            "valid_from",
            "valid_until",
            "pricing_mode",
            "markup_kind",
            "markup_value",
            "rounding_step",
            "free_place_every",
            "departure_mode",
            "guarantee_min_pax",
            "guarantee_cutoff_days",
            "cancellation_policy",
            "deposit_percent",
            "balance_days_before",
            "insurer",
            "insurance_policy_number",
            "insolvency_protector",
            "insolvency_policy_number",
        ]
        widgets = {
            "valid_from": DATE,
            "valid_until": DATE,
            "story_it": forms.Textarea(attrs={"rows": 4}),
            "story_en": forms.Textarea(attrs={"rows": 4}),
            "itinerary_it": forms.Textarea(attrs={"rows": 5}),
            "itinerary_en": forms.Textarea(attrs={"rows": 5}),
            "accessibility_it": forms.Textarea(attrs={"rows": 2}),
            "accessibility_en": forms.Textarea(attrs={"rows": 2}),
            "themes": forms.CheckboxSelectMultiple,
            "languages": forms.CheckboxSelectMultiple,
        }

    GROUPS = (
        (
            _("Content"),
            "content",
            (
                "title_it",
                "title_en",
                "summary_it",
                "summary_en",
                "story_it",
                "story_en",
                "itinerary_it",
                "itinerary_en",
                "meals_it",
                "meals_en",
                "accessibility_it",
                "accessibility_en",
                "travel_documents_it",
                "travel_documents_en",
                "heritage_story",
                "themes",
                "languages",
            ),
        ),
        (
            _("Duration, group and validity"),
            "duration",
            ("duration_days", "duration_nights", "min_pax", "max_pax", "valid_from", "valid_until"),
        ),
        (
            _("Pricing"),
            "pricing-fields",
            ("pricing_mode", "markup_kind", "markup_value", "rounding_step", "free_place_every"),
        ),
        (
            _("Departures and guarantee"),
            "departure-fields",
            ("departure_mode", "guarantee_min_pax", "guarantee_cutoff_days"),
        ),
        (
            _("Terms, payment and protection"),
            "terms",
            (
                "cancellation_policy",
                "deposit_percent",
                "balance_days_before",
                "insurer",
                "insurance_policy_number",
                "insolvency_protector",
                "insolvency_policy_number",
            ),
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["title_it"].required = True
        self.fields["title_en"].required = True

    def groups(self):
        return [
            (legend, anchor, [self[name] for name in names])
            for legend, anchor, names in self.GROUPS
        ]


class ComponentForm(forms.ModelForm):
    """Add a component; the product comes from the catalogue search (its id)."""

    day = forms.IntegerField(label=_("Day"), min_value=1, initial=1)
    field_order = ["product", "unit_type", "day"]

    class Meta:
        model = Component
        fields = [
            "product",
            "unit_type",
            "nights",
            "slot_rule",
            "time",
            "quantity_rule",
            "quantity",
            "room_occupancy",
            "required",
            "alternative_product",
            "alternative_unit_type",
            "note_it",
            "note_en",
        ]
        widgets = {
            "product": forms.NumberInput(),
            "alternative_product": forms.NumberInput(),
            "unit_type": forms.NumberInput(),
            "alternative_unit_type": forms.NumberInput(),
            "time": forms.TimeInput(attrs={"type": "time"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Any product can be named; the service refuses unpublished ones with a clear message.
        self.fields["product"].queryset = Product.objects.all()
        self.fields["alternative_product"].queryset = Product.objects.all()
        self.fields["unit_type"].queryset = UnitType.objects.all()
        self.fields["alternative_unit_type"].queryset = UnitType.objects.all()
        self.fields["product"].help_text = _("Search the catalogue above, or type the id.")

    def clean(self):
        data = super().clean()
        if "day" in data:
            data["day_offset"] = data.pop("day") - 1
        return data

    def service_data(self) -> dict:
        data = {k: v for k, v in self.cleaned_data.items() if k in set(self.Meta.fields)}
        data["day_offset"] = self.cleaned_data["day_offset"]
        return data


class SeriesForm(forms.Form):
    start = forms.DateField(label=_("From"), widget=DATE)
    end = forms.DateField(label=_("To"), widget=DATE)
    weekdays = forms.MultipleChoiceField(
        label=_("Weekdays"),
        choices=[
            ("1", _("Monday")),
            ("2", _("Tuesday")),
            ("3", _("Wednesday")),
            ("4", _("Thursday")),
            ("5", _("Friday")),
            ("6", _("Saturday")),
            ("7", _("Sunday")),
        ],
        widget=forms.CheckboxSelectMultiple,
    )
    capacity = forms.IntegerField(label=_("Capacity"), min_value=1)
    min_pax = forms.IntegerField(label=_("Minimum to confirm"), min_value=1, required=False)


class SeasonPriceForm(forms.ModelForm):
    class Meta:
        model = SeasonPrice
        fields = [
            "name",
            "start_date",
            "end_date",
            "min_group",
            "max_group",
            "price_per_person",
            "single_supplement",
        ]
        widgets = {"start_date": DATE, "end_date": DATE}


class PaxForm(forms.Form):
    """The pax mix of a preview, a calendar or a quote (query parameters)."""

    adults = forms.IntegerField(label=_("Adults"), min_value=0, initial=2, required=False)
    seniors = forms.IntegerField(label=_("Seniors"), min_value=0, initial=0, required=False)
    children_ages = forms.CharField(
        label=_("Children's ages"),
        required=False,
        help_text=_("Comma separated, e.g. 8, 11"),
    )
    infants = forms.IntegerField(label=_("Infants"), min_value=0, initial=0, required=False)

    def clean_children_ages(self):
        raw = self.cleaned_data.get("children_ages") or ""
        try:
            ages = [int(a) for a in raw.replace(";", ",").split(",") if a.strip()]
        except ValueError as exc:
            raise forms.ValidationError(_("Give the ages as numbers, e.g. 8, 11.")) from exc
        if any(a < 0 or a > 17 for a in ages):
            raise forms.ValidationError(_("Every child needs an age from 0 to 17."))
        return ages

    def pax(self):
        from operators.pricing import PaxMix

        data = self.cleaned_data
        adults = data.get("adults")
        return PaxMix.of(
            adults=2 if adults is None else adults,
            seniors=data.get("seniors") or 0,
            children_ages=data.get("children_ages") or [],
            infants=data.get("infants") or 0,
        )
