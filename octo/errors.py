"""The OCTO standard's errors: each carries its code, its HTTP status and the field the standard
names for it (`productId`, `uuid`...). Codes are chosen where the error is raised."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _


class OctoError(Exception):
    code = "BAD_REQUEST"
    status = 400
    field: str | None = None  # the extra property the standard's error body carries
    default_message = _("The request is not valid.")

    def __init__(self, message=None, value=None):
        self.message = str(message or self.default_message)
        self.value = "" if value is None else str(value)
        super().__init__(self.message)

    def body(self) -> dict:
        body = {"error": self.code, "errorMessage": self.message}
        if self.field:
            body[self.field] = self.value
        return body


class BadRequest(OctoError):
    code = "BAD_REQUEST"


class Unauthorized(OctoError):
    code = "UNAUTHORIZED"
    status = 401
    default_message = _(
        "You didn't send a valid API key in the Authorization header (Bearer), or it was "
        "revoked or has expired."
    )


class Forbidden(OctoError):
    code = "FORBIDDEN"
    status = 403
    default_message = _("This API key may not use the OCTO API: it is not a trade partner's.")


class UnprocessableEntity(OctoError):
    code = "UNPROCESSABLE_ENTITY"
    default_message = _("The request is valid but cannot be processed.")


class InvalidProductId(OctoError):
    code = "INVALID_PRODUCT_ID"
    field = "productId"
    default_message = _("The productId was missing or invalid.")


class InvalidOptionId(OctoError):
    code = "INVALID_OPTION_ID"
    field = "optionId"
    default_message = _("The optionId was missing or invalid.")


class InvalidUnitId(OctoError):
    code = "INVALID_UNIT_ID"
    field = "unitId"
    default_message = _("The unitId was missing or invalid.")


class InvalidAvailabilityId(OctoError):
    code = "INVALID_AVAILABILITY_ID"
    field = "availabilityId"
    default_message = _("The availabilityId was missing or invalid.")


class InvalidBookingUuid(OctoError):
    code = "INVALID_BOOKING_UUID"
    field = "uuid"
    default_message = _("The uuid was already used, missing or invalid.")
