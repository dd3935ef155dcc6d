from django import template
from django.utils.html import format_html

register = template.Library()


@register.filter
def bi(labels, key):
    """Italian label, with the customer's language beside it when it differs."""
    label = labels[key]
    if label["other"]:
        return format_html('{} <span class="tr">/ {}</span>', label["it"], label["other"])
    return label["it"]
