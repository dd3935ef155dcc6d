"""Template helpers of the public portal: alternate-language links, canonical URLs and the
visible note when a translatable text falls back to another language."""

import json

from django import template
from django.conf import settings
from django.urls import translate_url
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

register = template.Library()

#: Query parameters that change what a page shows (kept in the canonical URL).
CANONICAL_PARAMS = ("page",)


def _absolute(path: str) -> str:
    return settings.SITE_URL + path


@register.simple_tag(takes_context=True)
def canonical_url(context) -> str:
    request = context.get("request")
    if request is None:
        return ""
    kept = [f"{k}={request.GET[k]}" for k in CANONICAL_PARAMS if request.GET.get(k)]
    return _absolute(request.path) + (("?" + "&".join(kept)) if kept else "")


@register.simple_tag(takes_context=True)
def alternate_urls(context) -> list[tuple[str, str]]:
    """(language code, absolute URL) of this page in every language of the site."""
    request = context.get("request")
    if request is None or request.resolver_match is None:
        return []
    return [
        (code, _absolute(translate_url(request.path, code))) for code, _name in settings.LANGUAGES
    ]


@register.simple_tag
def shown_language(obj, field: str) -> str:
    """The language the translatable `field` of `obj` is actually shown in: the current one,
    or the fallback modeltranslation chose when the current one is empty."""
    current = (get_language() or settings.LANGUAGE_CODE).split("-")[0]
    if getattr(obj, f"{field}_{current}", None):
        return current
    fallbacks = settings.MODELTRANSLATION_FALLBACK_LANGUAGES
    if isinstance(fallbacks, dict):
        order = fallbacks.get(current, fallbacks.get("default", ()))
    else:
        order = fallbacks
    for code in order:
        if getattr(obj, f"{field}_{code}", None):
            return code
    return current


@register.inclusion_tag("portal/_fallback_note.html")
def fallback_note(obj, field: str):
    """A visible note when the text is shown in another language than the page's."""
    current = (get_language() or settings.LANGUAGE_CODE).split("-")[0]
    shown = shown_language(obj, field)
    names = dict(settings.LANGUAGES)
    return {"shown": shown, "shown_name": names.get(shown, shown), "differs": shown != current}


@register.simple_tag
def site_url() -> str:
    return settings.SITE_URL


@register.simple_tag
def jsonld(obj_or_data):
    """A `<script type="application/ld+json">` block, escaped for HTML."""
    from portal.seo import jsonld_for

    data = obj_or_data if isinstance(obj_or_data, dict) else jsonld_for(obj_or_data)
    if not data:
        return ""
    text = json.dumps(data, ensure_ascii=False, default=str)
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return mark_safe(f'<script type="application/ld+json">{text}</script>')
