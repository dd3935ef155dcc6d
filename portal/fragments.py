"""Cached HTML fragments of the catalogue page. The search form (dates, party, comune, theme,
language, price, duration, sort) is the same HTML for everybody who sends the same query in
the same language on the same day; rendering its selects costs three queries and a template
per option, so the valid form's HTML is cached per (language, day, query). Any change to a
comune, theme or language (their names are the options) starts a new version of the keys."""

from __future__ import annotations

import hashlib
import time

from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

VERSION_KEY = "portal:fragments:version"
TIMEOUT = 600


def _version() -> str:
    version = cache.get(VERSION_KEY)
    if version is None:
        version = str(time.time_ns())
        cache.add(VERSION_KEY, version, None)
        version = cache.get(VERSION_KEY) or version
    return version


def fragments_invalidate(**kwargs) -> None:
    """Signal receiver: the options of the search form changed."""
    cache.set(VERSION_KEY, str(time.time_ns()), None)


def search_form_html(request, *, form, filters) -> str:
    """The catalogue's search form as HTML: from the cache when the query is valid (no error
    to show), rendered and stored otherwise."""
    context = {"form": form, "filters": filters}
    if not (form.is_valid() and filters.form.is_valid()):
        return render_to_string("portal/_search_form.html", context, request)
    query = sorted((k, v) for k, v in request.GET.lists() if k != "page")
    digest = hashlib.sha256(repr(query).encode()).hexdigest()[:32]
    key = f"portal:searchform:{_version()}:{get_language()}:{timezone.localdate()}:{digest}"
    html = cache.get(key)
    if html is None:
        html = render_to_string("portal/_search_form.html", context, request)
        cache.set(key, str(html), TIMEOUT)
    return mark_safe(html)  # noqa: S308 - our own template's output
