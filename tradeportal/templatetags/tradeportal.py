from django import template
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

register = template.Library()


@register.filter
def pax_label(pax: dict) -> str:
    """ "2 adults, 1 senior, 2 children (6, 9)" from a pax dict."""
    pax = pax or {}
    parts = []
    adults, seniors = pax.get("adults") or 0, pax.get("seniors") or 0
    ages = pax.get("children_ages") or []
    infants = pax.get("infants") or 0
    if adults:
        parts.append(ngettext("%(n)s adult", "%(n)s adults", adults) % {"n": adults})
    if seniors:
        parts.append(ngettext("%(n)s senior", "%(n)s seniors", seniors) % {"n": seniors})
    if ages:
        parts.append(
            ngettext("%(n)s child (%(ages)s)", "%(n)s children (%(ages)s)", len(ages))
            % {"n": len(ages), "ages": ", ".join(str(a) for a in ages)}
        )
    if infants:
        parts.append(ngettext("%(n)s infant", "%(n)s infants", infants) % {"n": infants})
    return ", ".join(parts) or _("no persons")
