"""Errors of allotments, each with its own code."""

from django.utils.translation import gettext_lazy as _

from marketplace.errors import DomainError


class AllotmentRefused(DomainError):
    """The allotment (or its change) does not fit: one message per day that does not, and
    nothing is taken."""

    code = "allotment_refused"
    api_status = 409
    default_message = _("The allotment does not fit in the inventory.")

    def __init__(self, problems: list[str]):
        self.problems = [str(p) for p in problems]
        super().__init__("; ".join(self.problems))


class AllotmentOverInventory(AllotmentRefused):
    """More places asked than the inventory has free on some days."""

    code = "allotment_over_inventory"


class AllotmentClosed(DomainError):
    code = "allotment_closed"
    default_message = _("This allotment is closed.")
