from django.urls import reverse
from django.utils.translation import gettext_lazy as _


def items(request, organisation, is_dmc) -> list[tuple[str, str]]:
    return [(_("Insights"), reverse("insights:dashboard"))] if is_dmc else []
