from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.models import Role


def items(request, organisation, is_dmc) -> list[tuple[str, str]]:
    from accounts.selectors import user_in_dmc_group
    from accounts.services import DmcGroup

    links = []
    if is_dmc and user_in_dmc_group(request.user, DmcGroup.FINANCE):
        links.append((_("Payments"), reverse("payments_pages:bo_payments")))
    if organisation is not None and not is_dmc:
        membership = getattr(request, "membership", None)
        if organisation.kind == "operator" and membership and membership.has_role(Role.MANAGER):
            links.append((_("Payouts"), reverse("payments_pages:operator_payouts")))
        if organisation.kind == "trade":
            links.append((_("Account"), reverse("payments_pages:trade_account")))
    return links
