"""Requests that no view should ever see."""

from django.http import HttpResponseBadRequest, JsonResponse
from django.utils.translation import gettext as _


class RefuseNulMiddleware:
    """A NUL character in the path or the query string is a 400: no database stores it in a
    text column (PostgreSQL refuses it outright) and no legitimate client sends it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path or any(
            "\x00" in key or any("\x00" in v for v in values) for key, values in request.GET.lists()
        ):
            message = _("The request contains a NUL character.")
            if request.path.startswith("/octo/"):  # the OCTO standard's error body
                return JsonResponse({"error": "BAD_REQUEST", "errorMessage": message}, status=400)
            if request.path.startswith("/api/"):
                return JsonResponse(
                    {"error": {"code": "nul_character", "message": message, "field": None}},
                    status=400,
                )
            return HttpResponseBadRequest(message)
        return self.get_response(request)


API_PREFIX = "/api/"

_STATUS_CODES = {
    400: "bad_request",
    401: "not_authenticated",
    403: "permission_denied",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    413: "request_too_large",
    415: "unsupported_media_type",
    429: "throttled",
    500: "server_error",
}


def api_error_response(status: int, message: str = "", code: str | None = None) -> JsonResponse:
    from http import HTTPStatus

    from django.utils.translation import gettext

    if not message:
        messages = {
            404: gettext("Not found."),
            500: gettext("Something went wrong on our side; it has been logged."),
        }
        message = messages.get(status) or HTTPStatus(status).phrase
    code = code or _STATUS_CODES.get(status, "error")
    return JsonResponse({"error": {"code": code, "message": message, "field": None}}, status=status)


class ApiErrorShapeMiddleware:
    """Under /api/, every error answers in the one error shape (marketplace/api.py), also
    those that never reach a DRF view: an unknown URL (404), an unhandled exception (500)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            request.path.startswith(API_PREFIX)
            and response.status_code >= 400
            and "json" not in response.get("Content-Type", "")
            and not request.path.startswith("/api/docs")
        ):
            shaped = api_error_response(response.status_code)
            for header in ("Retry-After", "WWW-Authenticate", "Allow", "Content-Language"):
                if header in response:
                    shaped[header] = response[header]
            return shaped
        return response

    def process_exception(self, request, exception):
        if not request.path.startswith(API_PREFIX):
            return None
        from django.core.exceptions import PermissionDenied
        from django.http import Http404

        if isinstance(exception, Http404):
            return api_error_response(404)
        if isinstance(exception, PermissionDenied):
            return api_error_response(403)
        import logging

        logging.getLogger("django.request").error(
            "Internal Server Error: %s", request.path, exc_info=exception
        )
        return api_error_response(500)


class ApiLanguageMiddleware:
    """Under /api/, the answer's language is the partner's (marketplace/languages.py), never
    Italian by default: a session's organisation here, an API key's when it authenticates
    (accounts/api/authentication.py)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith(API_PREFIX):
            return self.get_response(request)
        from django.utils import translation

        from .languages import organisation_language

        user = getattr(request, "user", None)
        organisation = None
        if user is not None and user.is_authenticated:
            organisation = getattr(request, "organisation", None)
        language = organisation_language(
            organisation or None, request.META.get("HTTP_ACCEPT_LANGUAGE")
        )
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", translation.get_language())
        return response
