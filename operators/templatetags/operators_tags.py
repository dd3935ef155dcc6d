from django import template

register = template.Library()


@register.filter
def get_item(mapping, key):
    return mapping.get(key, 0) if mapping else 0


@register.filter
def weekdays(value: str) -> str:
    """ISO weekday digits as short names ("1234567" -> every day)."""
    from django.utils.dates import WEEKDAYS_ABBR
    from django.utils.translation import gettext as _

    if value == "1234567":
        return _("every day")
    return ", ".join(str(WEEKDAYS_ABBR[int(d) - 1]) for d in value)
