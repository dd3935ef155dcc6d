from django.urls import reverse
from django.utils.translation import gettext_lazy as _


def items(request, organisation, is_dmc) -> list[tuple[str, str]]:
    if is_dmc:
        return [(_("Insights"), reverse("insights:dashboard"))]
    if getattr(organisation, "kind", None) == "comune":
        return [(_("Tourist movement"), reverse("insights:comune_dashboard"))]
    if getattr(organisation, "subkind", None) == "accommodation":
        return [(_("Guests"), reverse("insights:guests"))]
    return []
