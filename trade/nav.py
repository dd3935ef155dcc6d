"""Header link of the trade partners' back office."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _


def items(request, organisation, is_dmc) -> list[tuple[str, str]]:
    return [(_("Partners"), reverse("trade:backoffice_list"))] if is_dmc else []
