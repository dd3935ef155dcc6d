from django import template
from django.utils.text import slugify

from ..hours import opening_state
from ..selectors import offices_public

register = template.Library()


@register.inclusion_tag("iat/_footer_offices.html")
def iat_offices_footer():
    """The IAT offices with today's opening state, for the storefront footer:
    `{% load iat_tags %}{% iat_offices_footer %}`."""
    return {
        "offices": [
            (office, opening_state(office), slugify(office.comune.name))
            for office in offices_public()
        ]
    }
