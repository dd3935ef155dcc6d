from django import template

register = template.Library()


@register.inclusion_tag("iat/_footer_offices.html")
def iat_offices_footer():
    """The IAT offices for the storefront footer: `{% load iat_tags %}{% iat_offices_footer %}`.
    The page itself runs no query for it: a link to the offices, filled in by a small script
    with the offices and their opening state now (fragment at iat:footer_offices)."""
    return {}
