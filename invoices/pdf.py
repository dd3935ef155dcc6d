"""PDF copies of invoices, credit notes and operator statements (WeasyPrint).

Italian is always on the document; the customer's language, when different, is printed
beside it. The Italian legal wording is fixed text, not a translation."""

from __future__ import annotations

from decimal import Decimal

from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from .models import CustomerKind, DocumentType, Invoice, LineKind, Natura, RegimeFiscale
from .specs import MARGIN_REGIME_WORDING, NORMATIVE_REFERENCES, compute_totals

LABELS = {
    "invoice": ("Fattura", _("Invoice")),
    "receipt": ("Fattura al viaggiatore", _("Traveller invoice")),
    "credit_note": ("Nota di credito", _("Credit note")),
    "number": ("Numero", _("Number")),
    "date": ("Data", _("Date")),
    "due_date": ("Scadenza", _("Due date")),
    "supplier": ("Fornitore", _("Supplier")),
    "customer": ("Cliente", _("Customer")),
    "booking": ("Prenotazione", _("Booking")),
    "description": ("Descrizione", _("Description")),
    "quantity": ("Q.tà", _("Qty")),
    "unit_price": ("Prezzo unitario", _("Unit price")),
    "vat": ("IVA", _("VAT")),
    "amount": ("Importo", _("Amount")),
    "vat_summary": ("Riepilogo IVA", _("VAT summary")),
    "taxable": ("Imponibile", _("Taxable amount")),
    "tax": ("Imposta", _("Tax")),
    "total": ("Totale documento", _("Document total")),
    "payment": ("Pagamento", _("Payment")),
    "paid": ("PAGATA", _("PAID")),
    "bank_transfer": ("Bonifico bancario", _("Bank transfer")),
    "card": ("Carta di pagamento", _("Payment card")),
    "within_days": ("entro %(days)s giorni", _("within %(days)s days")),
    "unpaid": ("DA PAGARE", _("UNPAID")),
    "credited": ("Rettifica la fattura", _("Corrects invoice")),
    "reason": ("Causale", _("Reason")),
    "vat_id": ("P. IVA", _("VAT no.")),
    "tax_code": ("C.F.", _("Tax code")),
    "sdi": ("Codice SdI", _("SdI code")),
    "statement": ("Estratto conto mensile", _("Monthly statement")),
    "operator": ("Operatore", _("Operator")),
    "month": ("Mese", _("Month")),
    "service_date": ("Data servizio", _("Service date")),
    "product": ("Prodotto", _("Product")),
    "gross": ("Lordo", _("Gross")),
    "commission": ("Commissione DMC", _("DMC commission")),
    "net": ("Netto", _("Net")),
    "payouts": ("Bonifici effettuati", _("Payouts made")),
    "reference": ("Riferimento", _("Reference")),
    "opening_balance": ("Saldo dei mesi precedenti", _("Due from earlier months")),
    "balance": ("Saldo da pagare", _("Balance to pay")),
    "commission_invoice": ("Fattura commissioni", _("Commission invoice")),
    "resale": ("Vendita in nome proprio", _("Sold in the DMC's own name")),
    "agency": (
        "Incassato in nome e per conto dell'operatore",
        _("Collected in the operator's name and on its behalf"),
    ),
    "courtesy": (
        "Copia di cortesia: l'originale è il file XML trasmesso tramite il Sistema di "
        "Interscambio.",
        _("Courtesy copy: the original is the XML file sent through the SdI."),
    ),
    "margin_wording": (
        MARGIN_REGIME_WORDING,
        _("Margin scheme for travel agents (art. 74-ter DPR 633/72): VAT not shown."),
    ),
    "stamp_duty": (
        "Imposta di bollo di EUR %(amount)s assolta in modo virtuale (art. 15 DPR 642/72, "
        "DM 17/06/2014)",
        _("Stamp duty of EUR %(amount)s paid virtually"),
    ),
    "stamp_duty_charged": ("addebitata al cliente", _("charged to the customer")),
    "stamp_duty_borne": ("a carico del fornitore", _("borne by the supplier")),
    "tourist_tax": (
        "Imposta di soggiorno riscossa per conto del Comune, fuori campo IVA (art. 15 DPR 633/72).",
        _("Tourist tax collected on behalf of the comune, outside the scope of VAT."),
    ),
}


def labels(language: str) -> dict[str, dict[str, str]]:
    """{key: {"it": Italian, "other": the customer's language or ""}}."""
    result = {}
    with translation.override(language or "it"):
        for key, (italian, other) in LABELS.items():
            translated = str(other) if language and language != "it" else ""
            result[key] = {"it": italian, "other": translated if translated != italian else ""}
    return result


def eur(value: Decimal) -> str:
    """Italian money format: 1.234,56 (Italian is always on the document)."""
    text = f"{Decimal(value):,.2f}"
    return text.replace(",", "X").replace(".", ",").replace("X", ".")


def it_date(value) -> str:
    return value.strftime("%d/%m/%Y") if value else ""


def qty(value: Decimal) -> str:
    value = Decimal(value)
    return eur(value).rstrip("0").rstrip(",") if value != value.to_integral() else f"{value:.0f}"


def payment_terms(invoice: Invoice, L: dict) -> str:
    """E.g. "Bonifico bancario entro 30 giorni / Bank transfer within 30 days"."""
    if invoice.payment_terms:
        return invoice.payment_terms
    method = "bank_transfer" if invoice.payment_method == "MP05" else "card"
    days = (invoice.due_date - invoice.issue_date).days if invoice.due_date else None
    parts = []
    for lang in ("it", "other"):
        if not L[method][lang]:
            continue
        text = L[method][lang]
        if days and method == "bank_transfer":
            within = L["within_days"][lang] or L["within_days"]["it"]
            text = f"{text} {within % {'days': days}}"
        parts.append(text)
    return " / ".join(parts)


def invoice_context(invoice: Invoice) -> dict:
    lines = list(invoice.lines.all())
    totals = compute_totals(lines)
    if invoice.document_type == DocumentType.CREDIT_NOTE:
        title = "credit_note"
    elif invoice.customer_kind == CustomerKind.CONSUMER:
        title = "receipt"
    else:
        title = "invoice"
    L = labels(invoice.language)
    return {
        "invoice": invoice,
        "L": L,
        "payment_terms": payment_terms(invoice, L) if invoice.issue_date else "",
        "title": title,
        "supplier": invoice.supplier,
        "rows": [
            {
                "description": line.description,
                "booking_reference": line.booking_reference,
                "service_date": it_date(line.service_date),
                "service_end_date": it_date(line.service_end_date)
                if line.service_end_date and line.service_end_date != line.service_date
                else "",
                "sales_model": line.sales_model,
                "quantity": qty(line.quantity),
                "unit_price": eur(line.unit_price),
                "vat": f"{line.vat_rate:.0f}%" if line.vat_rate is not None else line.natura,
                "amount": eur(line.amount),
            }
            for line in lines
        ],
        "summary": [
            {
                "rate": f"{row.vat_rate:.0f}%" if row.vat_rate is not None else row.natura,
                "reference": NORMATIVE_REFERENCES.get(row.natura, ""),
                "taxable": eur(row.taxable),
                "vat": eur(row.vat),
            }
            for row in totals.summary
        ],
        "total": eur(invoice.total),
        "issue_date": it_date(invoice.issue_date),
        "due_date": it_date(invoice.due_date),
        "original_date": it_date(invoice.original.issue_date) if invoice.original_id else "",
        "is_margin": invoice.regime_fiscale == RegimeFiscale.TRAVEL_AGENCY_MARGIN,
        "has_tourist_tax": any(
            line.kind == LineKind.TOURIST_TAX or line.natura == Natura.N1 for line in lines
        ),
        "is_invoice": invoice.document_type == DocumentType.INVOICE,
        "stamp_duty": _stamp_duty_text(invoice, L),
        "share_capital": eur(Decimal(invoice.supplier["share_capital"]))
        if invoice.supplier.get("share_capital")
        else "",
    }


def _stamp_duty_text(invoice: Invoice, L: dict) -> dict[str, str]:
    """The stamp-duty statement in Italian and in the customer's language ({} if none)."""
    if not invoice.stamp_duty:
        return {}
    who = "stamp_duty_charged" if invoice.stamp_duty_charged else "stamp_duty_borne"
    amount = eur(invoice.stamp_duty)
    result = {}
    for lang in ("it", "other"):
        if L["stamp_duty"][lang]:
            result[lang] = f"{L['stamp_duty'][lang] % {'amount': amount}} - {L[who][lang]}"
    return result


def _write_pdf(html: str) -> bytes:
    from weasyprint import HTML

    return HTML(string=html).write_pdf()


def invoice_pdf(invoice: Invoice) -> bytes:
    """The PDF of an issued document (rendered on demand from its immutable data, so the
    paid stamp is always current)."""
    html = render_to_string("invoices/pdf/invoice.html", invoice_context(invoice))
    return _write_pdf(html)


def invoice_pdf_filename(invoice: Invoice) -> str:
    return f"{invoice.number or f'bozza-{invoice.pk}'}.pdf"
