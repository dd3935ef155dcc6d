"""Domain errors that every channel shows the same way: a page turns them into a message,
the API into its status code with the machine code (see marketplace/api.py)."""

from django.utils.translation import gettext_lazy


class DomainError(Exception):
    code = "error"
    api_status = 409
    default_message = ""

    def __init__(self, message=None):
        self.message = str(message or self.default_message)
        super().__init__(self.message)


# What a person reads for each code, in the active language. Chosen by the code the error
# carries, never by its message text; a code without wording falls back to the error's own
# translated message, never to the code itself.
WORDING = {
    "sold_out": gettext_lazy(
        "Sold out: not enough places are left for this choice. Try another date or time, "
        "or fewer people."
    ),
    "closed": gettext_lazy(
        "Not open for booking on these dates: the provider has closed them. Try other dates."
    ),
    "busy": gettext_lazy("Many people are booking this right now: please try again in a moment."),
    "payment_required": gettext_lazy("This booking needs a payment before it is confirmed."),
    "invalid_transition": gettext_lazy("This booking can no longer be changed this way."),
    "option_beyond_cutoff": gettext_lazy(
        "An option cannot last beyond the provider's deadline before the service."
    ),
    "service_not_reached": gettext_lazy("The day of the service has not come yet."),
}


def user_message(exc: Exception) -> str:
    """The wording of a domain error's code for the person who caused it."""
    wording = WORDING.get(getattr(exc, "code", ""))
    if wording is not None:
        return str(wording)
    return str(getattr(exc, "message", "") or gettext_lazy("This request cannot be completed."))
