"""The email that carries a sent quote's PDF."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.utils import translation

from .models import Quote
from .pdf import quote_context, quote_pdf_bytes


def quote_email_send(*, quote: Quote, recipients: list[str]) -> int:
    recipients = [r for r in recipients if r]
    if not recipients:
        return 0
    with translation.override(quote.language or "en"):
        context = quote_context(quote)
        subject = render_to_string("tradeportal/email/quote_subject.txt", context).strip()
        body = render_to_string("tradeportal/email/quote_body.txt", context)
    message = EmailMessage(
        subject=subject,
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=recipients,
    )
    message.attach(f"quote-{quote.reference}.pdf", quote_pdf_bytes(quote), "application/pdf")
    return message.send()
