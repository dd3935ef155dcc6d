"""The trade partner's link to its webhooks (owners and managers)."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _


def items(request, organisation, is_dmc) -> list[tuple[str, str]]:
    if getattr(organisation, "kind", None) != "trade":
        return []
    membership = getattr(request, "membership", None)
    if not membership or not membership.has_role("manager"):
        return []
    return [(_("Webhooks"), reverse("webhooks:endpoints"))]
