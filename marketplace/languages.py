"""The language a partner is answered in (API, emails): its organisation's setting, else the
language its client asks for (Accept-Language), else the one of its country, else English.
Never Italian by default to a foreign partner."""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import get_supported_language_variant
from django.utils.translation.trans_real import parse_accept_lang_header

FALLBACK = "en"
BY_COUNTRY = {"IT": "it", "SM": "it", "VA": "it", "DE": "de", "AT": "de", "LI": "de", "FR": "fr"}


def supported(code: str | None) -> str | None:
    if not code:
        return None
    try:
        return get_supported_language_variant(code.strip().lower())
    except LookupError:
        return None


def from_accept_language(header: str | None) -> str | None:
    """The first supported language of an Accept-Language header ("*" is not a choice)."""
    for code, _quality in parse_accept_lang_header(header or ""):
        if code != "*" and (language := supported(code)):
            return language
    return None


def organisation_language(organisation, accept_language: str | None = None) -> str:
    if organisation is not None and (language := supported(getattr(organisation, "language", ""))):
        return language
    if language := from_accept_language(accept_language):
        return language
    country = (getattr(organisation, "country", "") or "").upper()
    if organisation is not None and country in BY_COUNTRY:
        return BY_COUNTRY[country]
    return FALLBACK


def languages() -> list[str]:
    return [code for code, _name in settings.LANGUAGES]
