from django import template

from bookings.manage_links import manage_path, manage_token

register = template.Library()


@register.filter
def manage_link(booking) -> str:
    """The guest's signed "manage my booking" path of a booking."""
    return manage_path(booking)


@register.filter
def manage_link_token(booking) -> str:
    return manage_token(booking)
