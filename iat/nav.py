"""Header links of the IAT pages, per role."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _


def items(request, organisation, is_dmc) -> list[tuple[str, str]]:
    links = []
    if getattr(organisation, "kind", None) == "iat":
        links.append((_("Contacts"), reverse("iat:contacts")))
        links.append((_("Network"), reverse("iat:coordination")))
    elif is_dmc:
        links.append((_("IAT network"), reverse("iat:coordination")))
    elif getattr(organisation, "kind", None) == "operator":
        links.append((_("Network"), reverse("iat:coordination")))
    return links
