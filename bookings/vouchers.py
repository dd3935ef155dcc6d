"""Voucher PDFs (WeasyPrint) with a QR code of a signed token, in the buyer's language."""

from __future__ import annotations

import io
from collections import OrderedDict

import segno
from django.core import signing
from django.core.files.base import ContentFile
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from .models import REFERENCE_ALPHABET, REFERENCE_LENGTH, Booking, LineStatus, Voucher

SALT = "bookings.voucher"


def voucher_token(booking: Booking) -> str:
    """A signed token of the booking reference: altering one character breaks the signature."""
    return signing.Signer(salt=SALT).sign(booking.reference)


def reference_from_input(raw: str) -> tuple[str | None, str | None]:
    """The reference in a scanned token or a typed reference, or an error message."""
    raw = (raw or "").strip()
    if ":" in raw:
        try:
            return signing.Signer(salt=SALT).unsign(raw), None
        except signing.BadSignature:
            return None, _("This voucher code is not valid (it was altered or is not ours).")
    reference = raw.upper().replace(" ", "").replace("-", "")
    if len(reference) != REFERENCE_LENGTH or any(c not in REFERENCE_ALPHABET for c in reference):
        return None, _("A booking reference has %(n)s letters and digits.") % {
            "n": REFERENCE_LENGTH
        }
    return reference, None


def qr_svg(data: str) -> str:
    buffer = io.BytesIO()
    segno.make(data, error="m").save(
        buffer, kind="svg", scale=4, border=2, xmldecl=False, svgns=True
    )
    return buffer.getvalue().decode()


def voucher_context(booking: Booking) -> dict:
    lines = [
        ln
        for ln in booking.lines.select_related(
            "product", "supplier", "unit_type", "product__comune"
        )
        .prefetch_related("allocations")
        .order_by("position", "pk")
        if ln.kind != "package" and ln.status != LineStatus.CANCELLED
    ]
    by_supplier: OrderedDict = OrderedDict()
    for line in lines:
        by_supplier.setdefault(line.supplier, []).append(line)
    packages = [ln for ln in booking.lines.all() if ln.kind == "package"]
    token = voucher_token(booking)
    return {
        "booking": booking,
        "sections": list(by_supplier.items()),
        "packages": packages,
        "participants": list(booking.participants.filter(cancelled=False)),
        "qr_svg": qr_svg(token),
        "token": token,
        "generated_at": timezone.now(),
    }


def render_voucher_pdf(booking: Booking) -> bytes:
    from weasyprint import HTML

    with translation.override(booking.language or "it"):
        html = render_to_string("bookings/voucher.html", voucher_context(booking))
    return HTML(string=html).write_pdf()


def voucher_generate(*, booking: Booking) -> Voucher:
    """Render and store the voucher PDF (cached until the booking changes again)."""
    pdf = render_voucher_pdf(booking)
    voucher, _created = Voucher.objects.get_or_create(booking=booking)
    voucher.version += 1
    voucher.language = booking.language
    voucher.generated_at = timezone.now()
    voucher.pdf.save(
        f"voucher-{booking.reference}-v{voucher.version}.pdf", ContentFile(pdf), save=False
    )
    voucher.save()
    return voucher


def voucher_pdf_bytes(booking: Booking) -> bytes:
    """The cached PDF, generated now if the task has not run yet."""
    voucher = Voucher.objects.filter(booking=booking).first()
    if voucher is None or not voucher.pdf or voucher.generated_at < booking.updated_at:
        voucher = voucher_generate(booking=booking)
    with voucher.pdf.open("rb") as handle:
        return handle.read()
