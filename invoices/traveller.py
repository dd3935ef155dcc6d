"""A traveller's request for an invoice in their name: validated, saved, and applied to the
booking's documents (a receipt already issued is credited and replaced by the invoice)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from bookings.models import Booking

from . import adapters, services
from .fiscal import traveller_invoice_problems
from .models import BookingInvoicing, BookingInvoicingStatus, Invoice, InvoiceRequest
from .specs import CustomerData

REQUEST_FIELDS = (
    "first_name",
    "last_name",
    "codice_fiscale",
    "address",
    "postcode",
    "city",
    "province",
    "country",
    "pec",
)


def _clean(data: dict) -> dict:
    cleaned = {name: str(data.get(name) or "").strip() for name in REQUEST_FIELDS}
    cleaned["codice_fiscale"] = cleaned["codice_fiscale"].upper().replace(" ", "")
    cleaned["country"] = (cleaned["country"] or "IT").upper()
    cleaned["province"] = cleaned["province"].upper()
    if not cleaned["address"]:
        raise ValidationError({"address": _("The street address is missing.")})
    return cleaned


@transaction.atomic
def invoice_request_save(*, booking: Booking, data: dict, actor=None) -> list[Invoice]:
    """Save the traveller's invoice data (all fields checked first: nothing is written when
    one is wrong). If the booking already has a receipt, it is credited in full and an
    invoice in the traveller's name replaces it. Returns the booking's new documents."""
    if booking.buyer_organisation_id:
        raise ValidationError(
            {"booking": _("A trade booking is invoiced to the agency.")}, code="trade_booking"
        )
    cleaned = _clean(data)
    customer = CustomerData.from_invoice_request(
        InvoiceRequest(**cleaned), email=booking.contact_email, language=booking.language
    )
    problems = traveller_invoice_problems(customer)
    if problems:
        raise ValidationError(problems, code="invalid_invoice_request")
    InvoiceRequest.objects.update_or_create(booking=booking, defaults=cleaned)
    record = BookingInvoicing.objects.select_for_update().filter(booking_id=booking.pk).first()
    if record is None or record.status != BookingInvoicingStatus.INVOICED:
        return []  # invoiced later, with these data
    replaced = [doc for doc in record.documents.all() if not doc.xml_content]
    if not replaced:
        return list(record.documents.order_by("pk"))
    if any(doc.credit_notes.exists() for doc in replaced):
        raise ValidationError(
            {"booking": _("This booking was partly refunded: ask us to reissue the invoice.")},
            code="partly_credited",
        )
    for document in replaced:
        services.credit_note_issue(
            invoice=document,
            reason=_("Replaced by an invoice in the traveller's name"),
            full=True,
            actor=actor,
        )
    record.status = BookingInvoicingStatus.FAILED
    record.save(update_fields=["status", "updated_at"])
    record.documents.clear()
    return adapters.invoice_for_booking(booking=booking, actor=actor)
