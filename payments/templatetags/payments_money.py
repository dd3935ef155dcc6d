from django import template

from marketplace.amounts import amount_text
from payments.gateway import from_cents

register = template.Library()


@register.filter
def cents(value) -> str:
    """Integer cents shown as a localised euro amount."""
    if value in (None, ""):
        return "—"
    return f"€ {amount_text(from_cents(int(value)))}"


@register.simple_tag
def refund_state(booking) -> dict:
    """The refunds of a booking as the buyer may be told of them (see refunds.refund_state)."""
    from payments.refunds import refund_state as state

    return state(booking)
