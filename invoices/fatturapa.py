"""FatturaPA XML (format FPR12, schema v1.2.3) for Italian and foreign B2B documents.

Every file is validated against the official schema shipped in `invoices/data/fatturapa/`
before it is stored: `build_xml` raises `FatturaPAInvalid` with the schema's messages."""

from __future__ import annotations

import unicodedata
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from lxml import etree

from .fiscal import vat_id_code
from .models import CustomerKind, DocumentType, Invoice, PaymentMethod, RegimeFiscale
from .specs import MARGIN_REGIME_WORDING, compute_totals

NS = "http://ivaservizi.agenziaentrate.gov.it/docs/xsd/fatture/v1.2"
DS_NS = "http://www.w3.org/2000/09/xmldsig#"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
SCHEMA_DIR = Path(__file__).resolve().parent / "data" / "fatturapa"
SCHEMA_FILE = SCHEMA_DIR / "FatturaPA_FPR12_v1.2.3.xsd"
XMLDSIG_URL = "http://www.w3.org/TR/2002/REC-xmldsig-core-20020212/xmldsig-core-schema.xsd"
FOREIGN_RECIPIENT = "XXXXXXX"
PEC_RECIPIENT = "0000000"
FOREIGN_CAP = "00000"
FOREIGN_PERSON_CODE = "99999999999"


class FatturaPAInvalid(ValidationError):
    """The XML does not satisfy the FatturaPA schema; `messages` lists the schema errors."""


class _LocalResolver(etree.Resolver):
    """Resolve the xmldsig import to the local copy: nothing is fetched from the network."""

    def resolve(self, system_url, public_id, context):
        if system_url == XMLDSIG_URL or system_url.endswith("xmldsig-core-schema.xsd"):
            return self.resolve_filename(str(SCHEMA_DIR / "xmldsig-core-schema.xsd"), context)
        return None


@lru_cache(maxsize=1)
def schema() -> etree.XMLSchema:
    parser = etree.XMLParser(no_network=True)
    parser.resolvers.add(_LocalResolver())
    return etree.XMLSchema(etree.parse(str(SCHEMA_FILE), parser))


def validate(xml: bytes) -> None:
    """Raise FatturaPAInvalid unless `xml` is a valid FPR12 v1.2.3 document."""
    try:
        document = etree.fromstring(xml, etree.XMLParser(no_network=True, resolve_entities=False))
    except etree.XMLSyntaxError as exc:
        raise FatturaPAInvalid(_("The FatturaPA XML is not well-formed: %s") % exc) from exc
    xsd = schema()
    if not xsd.validate(document):
        errors = [f"line {e.line}: {e.message}" for e in xsd.error_log]
        raise FatturaPAInvalid(
            [_("The FatturaPA XML does not pass the v1.2.3 schema:")] + errors[:10],
            code="fatturapa_invalid",
        )


_REPLACEMENTS = str.maketrans(
    {
        "\u2013": "-",
        "\u2014": "-",
        "\u2018": "'",
        "\u2019": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u2026": "...",
        "\u20ac": "EUR",
        "\u00a0": " ",
    }
)


def latin(text: str, limit: int | None = None) -> str:
    """FatturaPA text fields accept Latin-1 only: map typography, strip what remains."""
    text = (text or "").translate(_REPLACEMENTS)
    out = []
    for char in text:
        if ord(char) < 256:
            out.append(char)
        else:
            decomposed = unicodedata.normalize("NFKD", char).encode("ascii", "ignore").decode()
            out.append(decomposed or "?")
    result = " ".join("".join(out).split())
    return result[:limit] if limit else result


def _amount(value: Decimal) -> str:
    return f"{Decimal(value):.2f}"


def _sub(parent, tag, text=None):
    element = etree.SubElement(parent, tag)
    if text is not None:
        element.text = str(text)
    return element


def base36(value: int, width: int) -> str:
    digits = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    out = ""
    while value:
        value, rest = divmod(value, 36)
        out = digits[rest] + out
    return out.rjust(width, "0")[-width:]


RESEND_PREFIX = "Z"


def resend_progressive(counter: int) -> str:
    """The name of a re-sent file: Z + a counter of re-sends in base 36 (first files use
    the document's id, which stays below Z0000 = 58,786,560 documents)."""
    return RESEND_PREFIX + base36(counter, 4)


def progressive(invoice: Invoice) -> str:
    """ProgressivoInvio and file suffix: the one of the file name already given (a re-sent
    file has a new one), else the document's id in base 36, five characters."""
    if invoice.xml_filename:
        return invoice.xml_filename.rsplit("_", 1)[-1].removesuffix(".xml")
    return base36(invoice.pk, 5)


def filename(invoice: Invoice) -> str:
    """SdI naming convention: IT<transmitter's id>_<progressive>.xml."""
    return f"IT{invoice.supplier['codice_fiscale']}_{progressive(invoice)}.xml"


def _address(parent, tag, *, address, postcode, city, province, country):
    sede = _sub(parent, tag)
    _sub(sede, "Indirizzo", latin(address, 60))
    _sub(sede, "CAP", postcode if country == "IT" else FOREIGN_CAP)
    _sub(sede, "Comune", latin(city, 60))
    if country == "IT" and province:
        _sub(sede, "Provincia", province.upper())
    _sub(sede, "Nazione", country)


def build_tree(invoice: Invoice, lines) -> etree._Element:
    supplier = invoice.supplier
    root = etree.Element(
        f"{{{NS}}}FatturaElettronica",
        nsmap={"p": NS, "ds": DS_NS, "xsi": XSI_NS},
        versione="FPR12",
    )
    header = _sub(root, "FatturaElettronicaHeader")

    transmission = _sub(header, "DatiTrasmissione")
    transmitter = _sub(transmission, "IdTrasmittente")
    _sub(transmitter, "IdPaese", "IT")
    _sub(transmitter, "IdCodice", supplier["codice_fiscale"])
    _sub(transmission, "ProgressivoInvio", progressive(invoice))
    _sub(transmission, "FormatoTrasmissione", "FPR12")
    foreign = invoice.customer_country != "IT"
    person = invoice.customer_kind == CustomerKind.CONSUMER
    if foreign:
        _sub(transmission, "CodiceDestinatario", FOREIGN_RECIPIENT)
    elif invoice.customer_sdi_code:
        _sub(transmission, "CodiceDestinatario", invoice.customer_sdi_code)
    else:  # consumers and businesses receiving by PEC
        _sub(transmission, "CodiceDestinatario", PEC_RECIPIENT)
        if invoice.customer_pec:
            _sub(transmission, "PECDestinatario", invoice.customer_pec)

    cedente = _sub(header, "CedentePrestatore")
    anagrafici = _sub(cedente, "DatiAnagrafici")
    vat_id = _sub(anagrafici, "IdFiscaleIVA")
    _sub(vat_id, "IdPaese", "IT")
    _sub(vat_id, "IdCodice", supplier["partita_iva"])
    if supplier.get("codice_fiscale"):
        _sub(anagrafici, "CodiceFiscale", supplier["codice_fiscale"])
    _sub(_sub(anagrafici, "Anagrafica"), "Denominazione", latin(supplier["name"], 80))
    _sub(anagrafici, "RegimeFiscale", invoice.regime_fiscale)
    _address(
        cedente,
        "Sede",
        address=supplier["address"],
        postcode=supplier["postcode"],
        city=supplier["city"],
        province=supplier.get("province", ""),
        country="IT",
    )
    if supplier.get("rea_office") and supplier.get("rea_number"):
        rea = _sub(cedente, "IscrizioneREA")
        _sub(rea, "Ufficio", supplier["rea_office"])
        _sub(rea, "NumeroREA", supplier["rea_number"])
        if supplier.get("share_capital"):
            _sub(rea, "CapitaleSociale", _amount(Decimal(supplier["share_capital"])))
            _sub(rea, "SocioUnico", "SU" if supplier.get("sole_shareholder") else "SM")
        _sub(rea, "StatoLiquidazione", "LS" if supplier.get("in_liquidation") else "LN")

    cessionario = _sub(header, "CessionarioCommittente")
    anagrafici = _sub(cessionario, "DatiAnagrafici")
    if foreign:
        # A foreign person or a business without a VAT number: the country's code and
        # 99999999999 (SdI specifications, foreign customers).
        vat_id = _sub(anagrafici, "IdFiscaleIVA")
        _sub(vat_id, "IdPaese", invoice.customer_country)
        _sub(
            vat_id,
            "IdCodice",
            vat_id_code(invoice.customer_country, invoice.customer_vat_number)[:28]
            or FOREIGN_PERSON_CODE,
        )
    else:
        if invoice.customer_partita_iva:
            vat_id = _sub(anagrafici, "IdFiscaleIVA")
            _sub(vat_id, "IdPaese", "IT")
            _sub(vat_id, "IdCodice", invoice.customer_partita_iva)
        if invoice.customer_codice_fiscale:
            _sub(anagrafici, "CodiceFiscale", invoice.customer_codice_fiscale)
    anagrafica = _sub(anagrafici, "Anagrafica")
    if person and invoice.customer_first_name and invoice.customer_last_name:
        _sub(anagrafica, "Nome", latin(invoice.customer_first_name, 60))
        _sub(anagrafica, "Cognome", latin(invoice.customer_last_name, 60))
    else:
        _sub(anagrafica, "Denominazione", latin(invoice.customer_name, 80))
    _address(
        cessionario,
        "Sede",
        address=invoice.customer_address,
        postcode=invoice.customer_postcode,
        city=invoice.customer_city,
        province=invoice.customer_province,
        country=invoice.customer_country,
    )

    body = _sub(root, "FatturaElettronicaBody")
    general = _sub(body, "DatiGenerali")
    document = _sub(general, "DatiGeneraliDocumento")
    _sub(document, "TipoDocumento", invoice.document_type)
    _sub(document, "Divisa", "EUR")
    _sub(document, "Data", invoice.issue_date.isoformat())
    _sub(document, "Numero", invoice.number)
    if invoice.stamp_duty:
        bollo = _sub(document, "DatiBollo")
        _sub(bollo, "BolloVirtuale", "SI")
        _sub(bollo, "ImportoBollo", _amount(invoice.stamp_duty))
    _sub(document, "ImportoTotaleDocumento", _amount(invoice.total))
    causali = []
    if invoice.regime_fiscale == RegimeFiscale.TRAVEL_AGENCY_MARGIN:
        causali.append(MARGIN_REGIME_WORDING)
    if invoice.reason:
        causali.append(invoice.reason)
    for causale in causali:
        _sub(document, "Causale", latin(causale, 200))
    if invoice.document_type == DocumentType.CREDIT_NOTE and invoice.original_id:
        linked = _sub(general, "DatiFattureCollegate")
        _sub(linked, "IdDocumento", invoice.original.number)
        _sub(linked, "Data", invoice.original.issue_date.isoformat())

    goods = _sub(body, "DatiBeniServizi")
    for line in lines:
        row = _sub(goods, "DettaglioLinee")
        _sub(row, "NumeroLinea", line.position)
        description = line.description
        if line.booking_reference:
            description = f"{description} [{line.booking_reference}]"
        _sub(row, "Descrizione", latin(description, 1000))
        _sub(row, "Quantita", f"{line.quantity:.2f}")
        if line.service_date:
            _sub(row, "DataInizioPeriodo", line.service_date.isoformat())
            last_day = line.service_end_date or line.service_date
            _sub(row, "DataFinePeriodo", last_day.isoformat())
        _sub(row, "PrezzoUnitario", _amount(line.unit_price))
        _sub(row, "PrezzoTotale", _amount(line.amount))
        _sub(row, "AliquotaIVA", _amount(line.vat_rate if line.vat_rate is not None else 0))
        if line.natura:
            _sub(row, "Natura", line.natura)
    for summary in compute_totals(lines).summary:
        row = _sub(goods, "DatiRiepilogo")
        _sub(row, "AliquotaIVA", _amount(summary.rate_for_xml))
        if summary.natura:
            _sub(row, "Natura", summary.natura)
        _sub(row, "ImponibileImporto", _amount(summary.taxable))
        _sub(row, "Imposta", _amount(summary.vat))
        if summary.natura:
            _sub(row, "RiferimentoNormativo", latin(summary.normative_reference, 100))
        else:
            _sub(row, "EsigibilitaIVA", "I")

    if invoice.document_type == DocumentType.INVOICE and invoice.total > 0:
        payment = _sub(body, "DatiPagamento")
        _sub(payment, "CondizioniPagamento", "TP02")
        detail = _sub(payment, "DettaglioPagamento")
        _sub(detail, "ModalitaPagamento", invoice.payment_method)
        if invoice.due_date:
            _sub(detail, "DataScadenzaPagamento", invoice.due_date.isoformat())
        _sub(detail, "ImportoPagamento", _amount(invoice.total))
        if invoice.payment_method == PaymentMethod.BANK_TRANSFER and supplier.get("iban"):
            _sub(detail, "IBAN", supplier["iban"])
    return root


def needs_xml(invoice: Invoice) -> bool:
    """FatturaPA for business customers (Italian via SdI code or PEC, foreign with XXXXXXX)
    and for travellers who asked for an invoice in their name (Italian: 0000000 and their
    codice fiscale; foreign: XXXXXXX and their country). A sale without that request is
    certified by the traveller's receipt document (PDF, series RC)."""
    if invoice.customer_kind == CustomerKind.BUSINESS:
        return True
    return bool(invoice.customer_address and invoice.customer_city)


def build_xml(invoice: Invoice, lines=None) -> bytes:
    """The validated XML of an issued (numbered) document."""
    lines = list(lines if lines is not None else invoice.lines.all())
    xml = etree.tostring(
        build_tree(invoice, lines), xml_declaration=True, encoding="UTF-8", pretty_print=True
    )
    validate(xml)
    return xml
