"""Header links to allotments: the DMC's editor, the partner's own allotments."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _


def items(request, organisation, is_dmc) -> list[tuple[str, str]]:
    links = []
    if is_dmc:
        links.append((_("Allotments"), reverse("allotments:backoffice_list")))
    elif getattr(organisation, "kind", None) == "trade":
        links.append((_("Allotments"), reverse("allotments:trade_list")))
    return links
