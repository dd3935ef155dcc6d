"""Header links of the trade portal for a trade partner's members."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _


def items(request, organisation, is_dmc) -> list[tuple[str, str]]:
    if getattr(organisation, "kind", None) != "trade" or is_dmc:
        return []
    # The trade home itself is the role's first entry ("Trade portal", accounts' navigation).
    return [
        (_("Search"), reverse("tradeportal:search")),
        (_("Quotes"), reverse("tradeportal:quotes")),
    ]
