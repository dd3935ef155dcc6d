from django.utils.translation import gettext_lazy as _

from marketplace.errors import DomainError


class MovementFileInvalid(DomainError):
    """The file has errors: `problems` lists (line, column, message); nothing was imported."""

    code = "insights_movement_file_invalid"
    api_status = 400
    default_message = _("The movement file has errors; nothing was imported.")

    def __init__(self, problems, message=None):
        self.problems = problems
        super().__init__(message)


class GuestDataIncomplete(DomainError):
    """Guests miss required fields; `problems` lists (guest, field, message)."""

    code = "insights_guest_data_incomplete"
    api_status = 400
    default_message = _("Some guests miss required document data; no file was produced.")

    def __init__(self, problems, message=None):
        self.problems = problems
        super().__init__(message)


class GuestDataInvalid(DomainError):
    code = "insights_guest_data_invalid"
    api_status = 400
