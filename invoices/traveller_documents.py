"""A traveller's receipts and credit notes: the issued documents of their booking (never a
trade partner's, never a draft), downloadable and sent again by email on request."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMessage
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.utils import translation

from bookings.models import Booking

from .models import Invoice, InvoiceStatus
from .pdf import invoice_pdf, invoice_pdf_filename


def traveller_documents(booking: Booking) -> QuerySet[Invoice]:
    """The booking's issued receipts, invoices in the traveller's name and credit notes."""
    if booking.buyer_organisation_id:
        return Invoice.objects.none()
    return Invoice.objects.filter(
        booking_reference=booking.reference,
        customer_organisation__isnull=True,
        status=InvoiceStatus.ISSUED,
    ).order_by("issue_date", "pk")


def traveller_documents_email(*, booking: Booking) -> int:
    """Send every document of the booking, as PDFs, to the booking's contact address in the
    booking's language. Returns how many were attached (0: nothing is sent)."""
    documents = list(traveller_documents(booking))
    if not documents:
        return 0
    with translation.override(booking.language or settings.LANGUAGE_CODE):
        context = {"booking": booking, "documents": documents}
        subject = render_to_string(
            "invoices/email/traveller_documents_subject.txt", context
        ).strip()
        body = render_to_string("invoices/email/traveller_documents.txt", context)
    message = EmailMessage(
        subject=subject,
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[booking.contact_email],
    )
    for document in documents:
        message.attach(invoice_pdf_filename(document), invoice_pdf(document), "application/pdf")
    message.send()
    return len(documents)
