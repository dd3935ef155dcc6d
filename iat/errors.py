from django.utils.translation import gettext_lazy as _

from marketplace.errors import DomainError


class UnknownOrigin(DomainError):
    code = "iat_unknown_origin"
    api_status = 400
    default_message = _("Unknown origin: choose a country or an Italian region or province.")


class InvalidContact(DomainError):
    code = "iat_invalid_contact"
    api_status = 400


class StockTooLow(DomainError):
    code = "iat_stock_too_low"
    default_message = _("Not enough of this material in stock.")


class TrainingFull(DomainError):
    code = "iat_training_full"
    default_message = _("This training session is full.")


class ShiftOverlap(DomainError):
    code = "iat_shift_overlap"
    default_message = _("This person already has a shift at that time.")
