from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.models import OrganisationKind


def items(request, organisation, is_dmc) -> list[tuple[str, str]]:
    """Invoices for finance staff, trade partners' own invoices, operators' statements."""
    kind = organisation.kind if organisation else None
    links = []
    if kind == OrganisationKind.TRADE:
        links.append((_("Invoices"), reverse("invoices:trade_list")))
    elif kind == OrganisationKind.OPERATOR:
        links.append((_("Statements"), reverse("invoices:operator_statements")))
    if is_dmc:
        links.append((_("Invoices"), reverse("invoices:backoffice_list")))
    return links
