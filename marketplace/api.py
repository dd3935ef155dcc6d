"""API conventions shared by every app: one error format with a machine code, a message and
the offending field."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import OperationalError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler


class Conflict(exceptions.APIException):
    """A resource is busy or its state forbids the action: try again or reload."""

    status_code = status.HTTP_409_CONFLICT
    default_detail = "The resource is busy, try again."
    default_code = "conflict"


def _flatten(detail, field=None):
    """Yield (field, code, message) from DRF's nested error detail."""
    if isinstance(detail, dict):
        for key, value in detail.items():
            name = key if key != "non_field_errors" else None
            yield from _flatten(value, f"{field}.{name}" if field and name else (name or field))
    elif isinstance(detail, list):
        for item in detail:
            yield from _flatten(item, field)
    else:
        yield field, getattr(detail, "code", "invalid"), str(detail)


def django_validation_error_to_drf(exc: DjangoValidationError) -> exceptions.ValidationError:
    if hasattr(exc, "error_dict"):
        return exceptions.ValidationError(
            {
                field: [
                    exceptions.ErrorDetail(m, code=e.code or "invalid")
                    for e in errors
                    for m in e.messages
                ]
                for field, errors in exc.error_dict.items()
            }
        )
    return exceptions.ValidationError(
        [exceptions.ErrorDetail(m, code=exc.code or "invalid") for m in exc.messages]
    )


class DomainError(exceptions.APIException):
    """A domain exception that declares `api_status`, `code` and `message` (e.g. sold out,
    busy, invalid transition) answered in the common format."""

    def __init__(self, exc):
        self.status_code = exc.api_status
        super().__init__(detail=exc.message, code=exc.code)


# Lock waits that ran out: PostgreSQL's lock_not_available, deadlock, serialization failure;
# SQLite's BUSY and LOCKED result codes.
_LOCK_SQLSTATES = {"55P03", "40P01", "40001"}
_SQLITE_LOCK_CODES = {5, 6}


def _is_lock_timeout(exc) -> bool:
    if not isinstance(exc, OperationalError):
        return False
    cause = exc.__cause__
    return (getattr(cause, "sqlstate", None) in _LOCK_SQLSTATES) or (
        getattr(cause, "sqlite_errorcode", None) in _SQLITE_LOCK_CODES
    )


def exception_handler(exc, context):
    if _is_lock_timeout(exc):
        exc = Conflict(code="busy")
    if hasattr(exc, "api_status") and hasattr(exc, "code"):
        exc = DomainError(exc)
    if isinstance(exc, DjangoValidationError):
        exc = django_validation_error_to_drf(exc)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    errors = (
        [
            {"field": field, "code": code, "message": message}
            for field, code, message in _flatten(exc.detail)
        ]
        if isinstance(exc, exceptions.APIException)
        else []
    )
    first = errors[0] if errors else {"field": None, "code": "error", "message": str(exc)}
    if isinstance(exc, exceptions.ValidationError):
        code = first["code"]
    else:
        code = exc.get_codes() if isinstance(exc.get_codes(), str) else first["code"]
    body = {"error": {"code": code, "message": first["message"], "field": first["field"]}}
    if len(errors) > 1:
        body["error"]["errors"] = errors
    return Response(body, status=response.status_code, headers=_headers(response))


def _headers(response):
    return {k: v for k, v in response.items() if k in ("WWW-Authenticate", "Retry-After")}
