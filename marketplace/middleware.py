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
