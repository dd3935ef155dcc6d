from django import template
from django.utils.formats import number_format

from payments.gateway import from_cents

register = template.Library()


@register.filter
def cents(value) -> str:
    """Integer cents shown as a localised euro amount."""
    if value in (None, ""):
        return "—"
    return f"€ {number_format(from_cents(int(value)), 2, use_l10n=True, force_grouping=True)}"


@register.simple_tag
def refund_state(booking) -> dict:
    """The refunds of a booking as the buyer may be told of them (see refunds.refund_state)."""
    from payments.refunds import refund_state as state

    return state(booking)
