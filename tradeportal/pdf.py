"""The quote as a PDF (WeasyPrint), in the quote's language, at the partner's prices."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import timezone, translation

from .models import Quote


def quote_context(quote: Quote) -> dict:
    return {
        "quote": quote,
        "organisation": quote.organisation,
        "lines": list(quote.lines.select_related("product", "package", "slot", "unit_type")),
        "generated_at": timezone.now(),
    }


def quote_pdf_bytes(quote: Quote) -> bytes:
    from weasyprint import HTML

    with translation.override(quote.language or "en"):
        html = render_to_string("tradeportal/quote_pdf.html", quote_context(quote))
    return HTML(string=html).write_pdf()
