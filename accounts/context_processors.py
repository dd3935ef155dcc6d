import importlib
from functools import lru_cache

from django.apps import apps
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .models import OrganisationKind
from .selectors import memberships_for_user, user_is_dmc_staff

LOCAL_APPS = (
    "operators",
    "packages",
    "tradeportal",
    "bookings",
    "payments",
    "trade",
    "invoices",
    "iat",
    "insights",
    "marketplace",
    "allotments",
    "webhooks",
)


@lru_cache(maxsize=1)
def _nav_providers():
    """Each app may offer `<app>/nav.py` with `items(request, organisation, is_dmc)` returning
    (label, url) pairs for the navigation of the user's role."""
    providers = []
    for app in LOCAL_APPS:
        if not apps.is_installed(app):
            continue
        try:
            module = importlib.import_module(f"{app}.nav")
        except ModuleNotFoundError as exc:
            if exc.name != f"{app}.nav":
                raise
            continue
        providers.append(module.items)
    return providers


def navigation(request):
    """The navigation of the user's role: public site, operator extranet, trade portal,
    DMC back office, IAT desk."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": [], "nav_account_items": [], "nav_memberships": []}
    membership = request.membership if getattr(request, "membership", None) else None
    organisation = membership.organisation if membership else None
    kind = organisation.kind if organisation else None
    is_dmc = user_is_dmc_staff(user)
    labels = {
        OrganisationKind.OPERATOR: _("Extranet"),
        OrganisationKind.TRADE: _("Trade portal"),
        OrganisationKind.IAT: _("IAT desk"),
        OrganisationKind.DMC: _("Back office"),
        OrganisationKind.COMUNE: _("Comune"),
    }
    # A trade partner's portal starts at the trade home, not at the generic dashboard.
    start = "tradeportal:home" if kind == OrganisationKind.TRADE else "accounts:dashboard"
    items = [(labels.get(kind, _("My account")), reverse(start))]
    if kind == OrganisationKind.IAT:
        items.append((_("Sell at the desk"), reverse("discover")))
    for provider in _nav_providers():
        items.extend(provider(request, organisation, is_dmc))
    account = []
    if organisation:
        account.append((_("Organisation"), reverse("accounts:organisation_profile")))
        account.append((_("Team"), reverse("accounts:team")))
        if kind in (OrganisationKind.TRADE, OrganisationKind.OPERATOR, OrganisationKind.DMC):
            account.append((_("API keys"), reverse("accounts:api_keys")))
    account.append((_("Email and password"), reverse("account_email")))
    if is_dmc:
        account.append((_("Django admin"), reverse("admin:index")))
    return {
        "nav_items": items,
        "nav_account_items": account,
        "nav_memberships": list(memberships_for_user(user)),
    }
