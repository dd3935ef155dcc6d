from django.urls import reverse
from django.utils.translation import gettext_lazy as _


def items(request, organisation, is_dmc) -> list[tuple]:
    if not is_dmc:
        return []
    return [(_("Packages"), reverse("packages:builder_list"))]
