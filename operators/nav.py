from django.urls import reverse
from django.utils.translation import gettext_lazy as _


def items(request, organisation, is_dmc) -> list[tuple[str, str]]:
    links = []
    if organisation is not None and organisation.is_operator:
        links.append((_("My listings"), reverse("operators:products")))
    if is_dmc:
        links.append((_("Curation"), reverse("operators:curation_queue")))
        links.append((_("Catalogue"), reverse("operators:catalogue")))
    return links
