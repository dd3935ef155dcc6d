from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .models import OrganisationKind
from .selectors import memberships_for_user, user_is_dmc_staff


def navigation(request):
    """The navigation of the user's role: public site, operator extranet, trade portal,
    DMC back office, IAT desk."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": [], "nav_memberships": []}
    organisation = getattr(request, "organisation", None) or None
    items = []
    kind = organisation.kind if organisation else None
    if kind == OrganisationKind.OPERATOR:
        items.append((_("Extranet"), reverse("accounts:dashboard")))
    elif kind == OrganisationKind.TRADE:
        items.append((_("Trade portal"), reverse("accounts:dashboard")))
    elif kind == OrganisationKind.IAT:
        items.append((_("IAT desk"), reverse("accounts:dashboard")))
    elif kind == OrganisationKind.DMC:
        items.append((_("Back office"), reverse("accounts:dashboard")))
    if organisation:
        items.append((_("Organisation"), reverse("accounts:organisation_profile")))
        items.append((_("Team"), reverse("accounts:team")))
        if kind in (OrganisationKind.TRADE, OrganisationKind.OPERATOR, OrganisationKind.DMC):
            items.append((_("API keys"), reverse("accounts:api_keys")))
    if user_is_dmc_staff(user):
        items.append((_("Admin"), reverse("admin:index")))
    return {
        "nav_items": items,
        "nav_memberships": list(memberships_for_user(user)),
    }
