"""Header links of the booking pages, per role."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _


def items(request, organisation, is_dmc) -> list[tuple[str, str]]:
    kind = getattr(organisation, "kind", None)
    links = []
    if is_dmc:
        links.append((_("Bookings"), reverse("bookings:backoffice_list")))
    if kind == "operator":
        links.append((_("Bookings"), reverse("bookings:operator_lines")))
        links.append((_("Redeem"), reverse("bookings:operator_redeem")))
    elif kind == "trade":
        links.append((_("Bookings"), reverse("bookings:trade_list")))
    if organisation is None or request.user.bookings.exists():
        links.append((_("My bookings"), reverse("bookings:account_list")))
    return links
