"""Bounds on every number the API accepts, in one place: input serializers build their numeric
fields here, so a hostile value (a count of 10^12, an id past the 64-bit range the database
holds) is a 400 naming the field, never a query that overflows or a quote of a billion people.
Pagination (marketplace.pagination) and the NUL-byte refusal (marketplace.middleware) complete
the layer."""

from datetime import date

from django.utils.translation import gettext as _
from rest_framework import serializers

MAX_PAX = 500  # people of one category in one request (a large group is well below)
MAX_INFANTS = 50
MAX_CHILDREN = 100
MAX_UNITS = 100  # rooms or units of one line
MAX_QUANTITY = 10_000  # goods items of one line
MAX_CAPACITY = 100_000  # places of one slot or departure
MAX_AGE = 120
MAX_ID = 2**63 - 1  # the database's bigint: a larger id cannot exist
MAX_IDS = 100  # ids in one list


def pax_count(**kwargs) -> serializers.IntegerField:
    kwargs.setdefault("min_value", 0)
    return serializers.IntegerField(max_value=MAX_PAX, **kwargs)


def infants_count(**kwargs) -> serializers.IntegerField:
    return serializers.IntegerField(min_value=0, max_value=MAX_INFANTS, **kwargs)


def units_count(**kwargs) -> serializers.IntegerField:
    return serializers.IntegerField(min_value=1, max_value=MAX_UNITS, **kwargs)


def quantity(**kwargs) -> serializers.IntegerField:
    return serializers.IntegerField(min_value=1, max_value=MAX_QUANTITY, **kwargs)


def capacity(**kwargs) -> serializers.IntegerField:
    return serializers.IntegerField(min_value=0, max_value=MAX_CAPACITY, **kwargs)


def age(**kwargs) -> serializers.IntegerField:
    return serializers.IntegerField(min_value=0, max_value=MAX_AGE, **kwargs)


def object_id(**kwargs) -> serializers.IntegerField:
    return serializers.IntegerField(min_value=1, max_value=MAX_ID, **kwargs)


def id_list(**kwargs) -> serializers.ListField:
    return serializers.ListField(child=object_id(), max_length=MAX_IDS, **kwargs)


def children_ages(**kwargs) -> serializers.ListField:
    return serializers.ListField(
        child=serializers.IntegerField(min_value=0, max_value=17),
        max_length=MAX_CHILDREN,
        **kwargs,
    )


def int_list(value: str, *, low: int, high: int, max_items: int) -> list[int]:
    """A comma-separated list of whole numbers from a query string, each in [low, high]."""
    parts = [v for v in value.replace(";", ",").split(",") if v.strip()]
    if len(parts) > max_items:
        raise serializers.ValidationError(_("At most %(n)s values.") % {"n": max_items})
    try:
        numbers = [int(v) for v in parts]
    except ValueError as exc:
        raise serializers.ValidationError(_("A comma-separated list of numbers.")) from exc
    if any(n < low or n > high for n in numbers):
        raise serializers.ValidationError(
            _("Every value must be from %(low)s to %(high)s.") % {"low": low, "high": high}
        )
    return numbers


MIN_DATE = date(2000, 1, 1)
MAX_DATE = date(2099, 12, 31)  # far enough for any booking, far from datetime's year 9999


class BoundedDateField(serializers.DateField):
    """A date from MIN_DATE to MAX_DATE: date arithmetic on it (stays, package windows) can
    never leave the calendar."""

    def to_internal_value(self, value):
        day = super().to_internal_value(value)
        if not MIN_DATE <= day <= MAX_DATE:
            raise serializers.ValidationError(
                _("Give a date from %(low)s to %(high)s.")
                % {"low": MIN_DATE.isoformat(), "high": MAX_DATE.isoformat()},
                code="out_of_range",
            )
        return day


def service_date(**kwargs) -> BoundedDateField:
    return BoundedDateField(**kwargs)
