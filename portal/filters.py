"""Catalogue filters beyond dates and party (django-filter): language, price, duration,
accessibility information, and the sort order of the results."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_filters.constants import EMPTY_VALUES

from operators.models import Language, Product

DURATIONS = [
    ("120", _("Up to 2 hours")),
    ("240", _("Up to half a day")),
    ("480", _("Up to a day")),
]


class _TiedByIdOrdering(django_filters.OrderingFilter):
    """The chosen order, ties broken by id in the same direction: pages of equal prices or
    durations neither repeat nor skip a product, and the walk follows an index on
    (column, id) (operators.models.Product's indexes), stopping after the page."""

    def filter(self, qs, value):
        qs = super().filter(qs, value)
        if value in EMPTY_VALUES:
            return qs
        ordering = list(qs.query.order_by)
        if ordering and not any(str(o).lstrip("-") in ("pk", "id") for o in ordering):
            ordering.append("-pk" if str(ordering[-1]).startswith("-") else "pk")
            qs = qs.order_by(*ordering)
        return qs


class CatalogueFilter(django_filters.FilterSet):
    language = django_filters.ModelChoiceFilter(
        label=_("Language"),
        queryset=Language.objects.filter(code__in=["it", "en", "de", "fr", "es", "nl"]),
        to_field_name="code",
        field_name="languages",
        empty_label=_("Any language"),
    )
    max_price = django_filters.NumberFilter(
        label=_("Price up to (€ per person)"),
        field_name="from_price",
        lookup_expr="lte",
        min_value=0,
    )
    max_duration = django_filters.ChoiceFilter(
        label=_("Duration"), choices=DURATIONS, method="filter_duration", empty_label=_("Any")
    )
    accessible = django_filters.BooleanFilter(
        label=_("With accessibility information"),
        method="filter_accessible",
        widget=django_filters.widgets.forms.CheckboxInput,
    )
    sort = _TiedByIdOrdering(
        label=_("Sort by"),
        fields=(("from_price", "price"), ("duration_minutes", "duration"), ("title", "title")),
        field_labels={
            "from_price": _("Price"),
            "duration_minutes": _("Duration"),
            "title": _("Name"),
            # django-filter formats its "(descending)" labels once, at import, in Italian:
            # lazy labels of our own keep them in the visitor's language.
            "-price": _("Price (descending)"),
            "-duration": _("Duration (descending)"),
            "-title": _("Name (descending)"),
        },
        empty_label=_("Recommended"),
    )

    class Meta:
        model = Product
        fields = []

    def filter_duration(self, queryset, name, value):
        return queryset.filter(
            Q(duration_minutes__isnull=True) | Q(duration_minutes__lte=int(value))
        )

    def filter_accessible(self, queryset, name, value):
        if not value:
            return queryset
        written = Q(accessibility_notes_it__gt="") | Q(accessibility_notes_en__gt="")
        return queryset.filter(written)
