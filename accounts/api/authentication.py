from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from ..services import api_key_authenticate


class ApiPrincipal:
    """The caller of an API-key request: it acts for one organisation, not as a person."""

    is_authenticated = True
    is_anonymous = False
    is_active = True
    is_staff = False
    is_superuser = False
    pk = None
    id = None

    def __init__(self, api_key):
        self.api_key = api_key
        self.organisation = api_key.organisation

    def __str__(self):
        return f"API key {self.api_key.prefix} of {self.organisation}"


def _answer_in_partner_language(request, organisation) -> None:
    """The rest of the request speaks the key's organisation's language (its setting, else
    Accept-Language, else its country's or English: marketplace/languages.py)."""
    from django.utils import translation

    from marketplace.languages import organisation_language

    language = organisation_language(organisation, request.META.get("HTTP_ACCEPT_LANGUAGE"))
    translation.activate(language)
    request._request.LANGUAGE_CODE = language


class ApiKeyAuthentication(authentication.BaseAuthentication):
    """`Authorization: Bearer pdl_<prefix>_<secret>`."""

    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).decode("latin-1")
        if not header:
            return None
        parts = header.split()
        if parts[0] != self.keyword:
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(_("Malformed Authorization header."))
        api_key = api_key_authenticate(parts[1])
        if api_key is None:
            raise exceptions.AuthenticationFailed(_("Invalid or revoked API key."))
        _answer_in_partner_language(request, api_key.organisation)
        return ApiPrincipal(api_key), api_key

    def authenticate_header(self, request):
        return self.keyword


class ApiKeyAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = ApiKeyAuthentication
    name = "ApiKey"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer", "description": "Organisation API key"}
