"""Plain-text rendering: a text email is not HTML, so nothing in it is HTML-escaped
(`B&B` stays `B&B`, never `B&amp;B`)."""

from django.template import Context
from django.template.loader import get_template


def render_text(template_name: str, context: dict | None = None) -> str:
    """Render a Django template with autoescape off (for .txt emails and text parts)."""
    template = get_template(template_name).template  # the engine's Template
    return template.render(Context(context or {}, autoescape=False))
