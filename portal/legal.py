"""The general terms of sale and the privacy notice. Legal texts are translated as whole
documents (a translator and the DMC's lawyer read them as such), so each language has its own
template under templates/portal/legal/; the Italian text is the authoritative one and the
others say so. The DMC's identity (legal name, Partita IVA, address, contacts) comes from the
DMC organisation, the same data the invoices print (`invoices.fiscal.supplier_snapshot`);
where it is missing the page shows a visible placeholder naming the field to fill in."""

from __future__ import annotations

from django.conf import settings
from django.shortcuts import render
from django.template.loader import select_template
from django.utils.translation import get_language

DOCUMENTS = ("terms", "privacy")
LANGUAGES = ("it", "en", "de", "fr")
VERSION = "2026-12-07"


def dmc_identity() -> dict:
    """The DMC as a seller and data controller: the invoices' snapshot of the DMC
    organisation, with `missing` naming what the back office still has to fill in."""
    from invoices.fiscal import dmc_organisation, supplier_snapshot

    snapshot, _problems = supplier_snapshot(dmc_organisation())
    identity = {
        "name": snapshot.get("name") or settings.DMC_NAME,
        "partita_iva": snapshot.get("partita_iva") or "",
        "address": snapshot.get("address") or "",
        "postcode": snapshot.get("postcode") or "",
        "city": snapshot.get("city") or "",
        "province": snapshot.get("province") or "",
        "email": snapshot.get("email") or settings.DMC_NOTIFICATION_EMAIL,
        "phone": snapshot.get("phone") or "",
        "pec": snapshot.get("pec") or "",
        "rea_office": snapshot.get("rea_office") or "",
        "rea_number": snapshot.get("rea_number") or "",
        "privacy_email": getattr(settings, "DMC_PRIVACY_EMAIL", "")
        or snapshot.get("email")
        or settings.DMC_NOTIFICATION_EMAIL,
    }
    identity["missing"] = [
        field for field in ("partita_iva", "address", "city") if not identity[field]
    ]
    return identity


def legal_page(request, document: str):
    language = (get_language() or "it")[:2]
    template = select_template(
        [f"portal/legal/{document}_{language}.html", f"portal/legal/{document}_it.html"]
    )
    return render(
        request,
        template.template.name,
        {"dmc": dmc_identity(), "version": VERSION, "document": document},
    )
