"""Forms of the operator extranet. They parse and show errors; services decide and write."""

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .models import (
    CancellationPolicy,
    PaxCategory,
    Product,
    ProductKind,
    Season,
    SlotStatus,
    UnitType,
)

WEEKDAY_CHOICES = [
    ("1", _("Mon")),
    ("2", _("Tue")),
    ("3", _("Wed")),
    ("4", _("Thu")),
    ("5", _("Fri")),
    ("6", _("Sat")),
    ("7", _("Sun")),
]
TRANSLATED = (
    "title",
    "summary",
    "description",
    "inclusions",
    "exclusions",
    "meeting_point",
    "accessibility_notes",
)
LANGS = ("it", "en", "de", "fr")
KIND_FIELDS = {
    ProductKind.EXPERIENCE: ["duration_minutes", "min_pax", "max_pax", "free_place_every"],
    ProductKind.SERVICE: [
        "duration_minutes",
        "pricing_unit",
        "min_pax",
        "max_pax",
        "free_place_every",
    ],
    ProductKind.ACCOMMODATION: ["accommodation_category", "check_in_time", "check_out_time"],
    ProductKind.GOODS: ["fulfilment"],
}
COMMON_FIELDS = [
    "comune",
    "address",
    "latitude",
    "longitude",
    "themes",
    "languages",
    "cancellation_policy",
    "vat_rate",
    "available_from",
    "available_until",
]


class WeekdaysField(forms.MultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def __init__(self, **kwargs):
        kwargs.setdefault("choices", WEEKDAY_CHOICES)
        kwargs.setdefault("label", _("Weekdays"))
        super().__init__(**kwargs)

    def clean(self, value):
        return "".join(sorted(super().clean(value)))


def product_form_class(kind: str):
    """A form with the multilingual content and the fields of this kind of product."""
    field_names = [f"{name}_{lang}" for name in TRANSLATED for lang in LANGS]
    field_names += COMMON_FIELDS + KIND_FIELDS[kind]

    class ProductForm(forms.ModelForm):
        class Meta:
            model = Product
            fields = field_names
            widgets = {
                "themes": forms.CheckboxSelectMultiple,
                "languages": forms.CheckboxSelectMultiple,
                "available_from": forms.DateInput(attrs={"type": "date"}),
                "available_until": forms.DateInput(attrs={"type": "date"}),
                "check_in_time": forms.TimeInput(attrs={"type": "time"}),
                "check_out_time": forms.TimeInput(attrs={"type": "time"}),
                **{
                    f"{name}_{lang}": forms.Textarea(attrs={"rows": 3})
                    for name in ("description", "inclusions", "exclusions", "accessibility_notes")
                    for lang in LANGS
                },
            }

        def __init__(self, *args, organisation=None, **kwargs):
            super().__init__(*args, **kwargs)
            for lang in ("it", "en"):
                self.fields[f"title_{lang}"].required = True
            self.fields["comune"].queryset = self.fields["comune"].queryset.filter(
                in_destination=True
            )
            self.fields["cancellation_policy"].queryset = CancellationPolicy.objects.filter(
                Q(organisation__isnull=True) | Q(organisation=organisation)
            )

        def language_groups(self):
            """Fields grouped by language, for one fieldset per language."""
            return [(lang, [self[f"{name}_{lang}"] for name in TRANSLATED]) for lang in LANGS]

        def other_fields(self):
            return [self[name] for name in COMMON_FIELDS + KIND_FIELDS[kind]]

    return ProductForm


class PhotoForm(forms.Form):
    # A FileField: the service checks the content with Pillow and says what is wrong.
    image = forms.FileField(
        label=_("Photo"), help_text=_("JPEG, PNG or WebP, at most 5 MB."), required=True
    )
    alt_text = forms.CharField(label=_("What the photo shows"), max_length=200, required=False)


class SeasonForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=80)
    start_date = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    end_date = forms.DateField(
        label=_("To (inclusive)"), widget=forms.DateInput(attrs={"type": "date"})
    )


class RateForm(forms.Form):
    pax_category = forms.ChoiceField(label=_("Pax category"), choices=PaxCategory.choices)
    unit_type = forms.ModelChoiceField(
        label=_("Unit type"), queryset=UnitType.objects.none(), required=False
    )
    season = forms.ModelChoiceField(
        label=_("Season"),
        queryset=Season.objects.none(),
        required=False,
        empty_label=_("All year"),
    )
    age_min = forms.IntegerField(label=_("Age from"), min_value=0, max_value=120, required=False)
    age_max = forms.IntegerField(label=_("Age to"), min_value=0, max_value=120, required=False)
    weekdays = WeekdaysField(initial=list("1234567"))
    min_group = forms.IntegerField(label=_("Group from (pax)"), min_value=1, initial=1)
    max_group = forms.IntegerField(label=_("Group to (pax)"), min_value=1, required=False)
    retail_price = forms.DecimalField(
        label=_("Retail price (VAT incl.)"), min_value=0, max_digits=12, decimal_places=2
    )
    net_price = forms.DecimalField(
        label=_("Your net price"),
        min_value=0,
        max_digits=12,
        decimal_places=2,
        required=False,
        help_text=_("Leave empty to apply your contract's commission."),
    )

    def __init__(self, *args, product, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["season"].queryset = product.seasons.all()
        if product.kind == ProductKind.ACCOMMODATION:
            self.fields["unit_type"].queryset = product.unit_types.all()
        else:
            del self.fields["unit_type"]


class ScheduleForm(forms.Form):
    weekdays = WeekdaysField(initial=list("1234567"))
    start_time = forms.TimeField(label=_("Start"), widget=forms.TimeInput(attrs={"type": "time"}))
    duration_minutes = forms.IntegerField(label=_("Duration (minutes)"), min_value=1, initial=120)
    capacity = forms.IntegerField(label=_("Capacity"), min_value=1)
    valid_from = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    valid_until = forms.DateField(
        label=_("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class SlotCreateForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    start_time = forms.TimeField(label=_("Start"), widget=forms.TimeInput(attrs={"type": "time"}))
    capacity = forms.IntegerField(label=_("Capacity"), min_value=1)


class SlotEditForm(forms.Form):
    capacity = forms.IntegerField(label=_("Capacity"), min_value=0)
    status = forms.ChoiceField(label=_("Status"), choices=SlotStatus.choices)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


TRI_STATE = [("", _("unchanged")), ("1", _("yes")), ("0", _("no"))]


class DateRangeForm(forms.Form):
    start = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("To (inclusive)"), widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            raise ValidationError({"end": _("The end date is before the start date.")})
        return data


class SlotBulkForm(DateRangeForm):
    weekdays = WeekdaysField(initial=list("1234567"))
    capacity = forms.IntegerField(label=_("New capacity"), min_value=0, required=False)
    status = forms.ChoiceField(
        label=_("Open or closed"),
        choices=[("", _("unchanged"))] + list(SlotStatus.choices),
        required=False,
    )


class NightBulkForm(DateRangeForm):
    weekdays = WeekdaysField(
        initial=list("1234567"), required=False, help_text=_("None ticked: every day.")
    )
    units = forms.IntegerField(label=_("Units for sale"), min_value=0, required=False)
    price_override = forms.DecimalField(
        label=_("Price per night"), min_value=0, max_digits=12, decimal_places=2, required=False
    )
    min_stay = forms.IntegerField(
        label=_("Minimum stay (nights)"), min_value=1, max_value=60, required=False
    )
    closed = forms.ChoiceField(label=_("Closed"), choices=TRI_STATE, required=False)
    closed_to_arrival = forms.ChoiceField(
        label=_("Closed to arrival"), choices=TRI_STATE, required=False
    )
    closed_to_departure = forms.ChoiceField(
        label=_("Closed to departure"), choices=TRI_STATE, required=False
    )
    clear_price = forms.BooleanField(label=_("Back to the standard price"), required=False)

    def changes(self) -> dict:
        data = self.cleaned_data
        changes = {}
        for key in ("units", "price_override", "min_stay"):
            if data.get(key) is not None:
                changes[key] = data[key]
        if data.get("clear_price"):
            changes["price_override"] = None
            changes["net_override"] = None
        for key in ("closed", "closed_to_arrival", "closed_to_departure"):
            if data.get(key) in ("0", "1"):
                changes[key] = data[key] == "1"
        return changes


class UnitTypeForm(forms.Form):
    name_it = forms.CharField(label=_("Name (IT)"), max_length=120)
    name_en = forms.CharField(label=_("Name (EN)"), max_length=120)
    standard_occupancy = forms.IntegerField(label=_("Standard occupancy"), min_value=1, initial=2)
    max_occupancy = forms.IntegerField(label=_("Maximum occupancy"), min_value=1, initial=2)
    max_children = forms.IntegerField(label=_("Maximum children"), min_value=0, initial=0)
    units = forms.IntegerField(label=_("Units"), min_value=0, initial=1)
    min_stay = forms.IntegerField(label=_("Minimum stay"), min_value=1, initial=1)


class StockForm(forms.Form):
    quantity = forms.IntegerField(label=_("In stock"), min_value=0)


class CurationDecisionForm(forms.Form):
    action = forms.ChoiceField(
        choices=[
            ("approved", _("Approve")),
            ("rejected", _("Reject")),
            ("published", _("Publish")),
            ("archived", _("Archive")),
        ]
    )
    reason = forms.CharField(
        label=_("Reason (the operator reads it)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )


def add_service_errors(form: forms.Form, exc: ValidationError) -> None:
    """Put a service's field errors on the form's fields (others at the top)."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)
