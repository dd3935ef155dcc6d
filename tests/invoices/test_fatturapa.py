"""FatturaPA FPR12 v1.2.3: every XML produced here is validated against the schema."""

from decimal import Decimal

import pytest
from lxml import etree

from invoices import fatturapa, services

from .factories import package_line, service_line, tourist_tax_line, traveller
from .helpers import parsed_valid_xml, text

pytestmark = pytest.mark.django_db


def test_margin_regime_package_invoice_to_an_italian_agency(dmc, agency):
    invoice = services.invoice_issue_from_specs(
        customer=agency, lines=[package_line(), tourist_tax_line()], booking_reference="PDL-7K3M"
    )
    tree = parsed_valid_xml(invoice)
    header = "FatturaElettronicaHeader"
    assert tree.get("versione") == "FPR12"
    assert text(tree, f"{header}/DatiTrasmissione/CodiceDestinatario") == "M5UXCR1"
    assert text(tree, f"{header}/DatiTrasmissione/FormatoTrasmissione") == "FPR12"
    assert text(tree, f"{header}/CedentePrestatore/DatiAnagrafici/RegimeFiscale") == "RF11"
    assert (
        text(tree, f"{header}/CedentePrestatore/DatiAnagrafici/IdFiscaleIVA/IdCodice")
        == dmc.partita_iva
    )
    assert (
        text(tree, f"{header}/CessionarioCommittente/DatiAnagrafici/IdFiscaleIVA/IdCodice")
        == agency.partita_iva
    )
    body = "FatturaElettronicaBody"
    document = f"{body}/DatiGenerali/DatiGeneraliDocumento"
    assert text(tree, f"{document}/TipoDocumento") == "TD01"
    assert text(tree, f"{document}/Numero") == invoice.number
    assert text(tree, f"{document}/ImportoTotaleDocumento") == "2521.00"
    assert "regime del margine" in text(tree, f"{document}/Causale").lower()
    lines = tree.findall(f"{body}/DatiBeniServizi/DettaglioLinee")
    assert [(text(li, "AliquotaIVA"), text(li, "Natura")) for li in lines] == [
        ("0.00", "N5"),
        ("0.00", "N1"),
    ]
    summary = {
        text(r, "Natura"): (text(r, "ImponibileImporto"), text(r, "Imposta"))
        for r in tree.findall(f"{body}/DatiBeniServizi/DatiRiepilogo")
    }
    assert summary == {"N5": ("2500.00", "0.00"), "N1": ("21.00", "0.00")}
    payment = f"{body}/DatiPagamento/DettaglioPagamento"
    assert text(tree, f"{payment}/ModalitaPagamento") == "MP05"
    assert text(tree, f"{payment}/IBAN") == dmc.iban
    assert text(tree, f"{payment}/ImportoPagamento") == "2521.00"
    assert invoice.xml_filename == f"IT{dmc.codice_fiscale}_{fatturapa.progressive(invoice)}.xml"
    assert invoice.regime_fiscale == "RF11"
    assert invoice.sdi_status == "to_send"


def test_services_invoice_to_a_german_tour_operator_uses_xxxxxxx(dmc, german):
    invoice = services.invoice_issue_from_specs(
        customer=german,
        lines=[
            service_line("85.00", qty="12", description="Degustazione a Montecarlo – 12 pax"),
            service_line("120.00", qty="3", vat="10", description="Camera doppia, 1 notte"),
        ],
    )
    tree = parsed_valid_xml(invoice)
    header = "FatturaElettronicaHeader"
    assert text(tree, f"{header}/DatiTrasmissione/CodiceDestinatario") == "XXXXXXX"
    customer = f"{header}/CessionarioCommittente"
    assert text(tree, f"{customer}/DatiAnagrafici/IdFiscaleIVA/IdPaese") == "DE"
    assert text(tree, f"{customer}/DatiAnagrafici/IdFiscaleIVA/IdCodice") == "129273398"
    assert text(tree, f"{customer}/Sede/Nazione") == "DE"
    assert text(tree, f"{customer}/Sede/CAP") == "00000"
    assert text(tree, f"{header}/CedentePrestatore/DatiAnagrafici/RegimeFiscale") == "RF01"
    rows = {
        text(r, "AliquotaIVA"): (text(r, "ImponibileImporto"), text(r, "Imposta"))
        for r in tree.findall("FatturaElettronicaBody/DatiBeniServizi/DatiRiepilogo")
    }
    assert rows == {"22.00": ("1020.00", "224.40"), "10.00": ("360.00", "36.00")}
    assert invoice.total == Decimal("1640.40")


def test_a_customer_with_a_pec_and_no_sdi_code_gets_0000000(dmc):
    from .factories import italian_agency

    customer = italian_agency(name="Agenzia PEC", sdi_code="", pec="fatture@pec.example.it")
    invoice = services.invoice_issue_from_specs(customer=customer, lines=[service_line()])
    tree = parsed_valid_xml(invoice)
    assert text(tree, "FatturaElettronicaHeader/DatiTrasmissione/CodiceDestinatario") == "0000000"
    assert (
        text(tree, "FatturaElettronicaHeader/DatiTrasmissione/PECDestinatario")
        == "fatture@pec.example.it"
    )


def test_a_credit_note_is_td04_and_refers_to_the_invoice(dmc, agency):
    invoice = services.invoice_issue_from_specs(customer=agency, lines=[package_line()])
    note = services.credit_note_issue(invoice=invoice, full=True, reason="Cancellazione gruppo")
    tree = parsed_valid_xml(note)
    general = "FatturaElettronicaBody/DatiGenerali"
    assert text(tree, f"{general}/DatiGeneraliDocumento/TipoDocumento") == "TD04"
    assert text(tree, f"{general}/DatiGeneraliDocumento/Numero").startswith("NC-")
    assert text(tree, f"{general}/DatiFattureCollegate/IdDocumento") == invoice.number
    assert tree.find("FatturaElettronicaBody/DatiPagamento") is None
    assert note.total == invoice.total


def test_a_deliberately_broken_invoice_is_rejected_by_the_schema(dmc, agency):
    invoice = services.invoice_issue_from_specs(customer=agency, lines=[service_line()])
    tree = parsed_valid_xml(invoice)
    # A number longer than 20 characters and a missing RegimeFiscale.
    tree.find("FatturaElettronicaBody/DatiGenerali/DatiGeneraliDocumento/Numero").text = "X" * 25
    regime = tree.find("FatturaElettronicaHeader/CedentePrestatore/DatiAnagrafici/RegimeFiscale")
    regime.getparent().remove(regime)
    broken = etree.tostring(tree, xml_declaration=True, encoding="UTF-8")
    with pytest.raises(fatturapa.FatturaPAInvalid) as exc:
        fatturapa.validate(broken)
    message = " ".join(exc.value.messages)
    assert "Numero" in message and "RegimeFiscale" in message


def test_non_latin_text_is_made_safe_for_the_schema(dmc, agency):
    invoice = services.invoice_issue_from_specs(
        customer=agency,
        lines=[service_line(description="Tour “Lucca sotterranea” — 東京 group ✓")],
    )
    tree = parsed_valid_xml(invoice)
    description = text(tree, "FatturaElettronicaBody/DatiBeniServizi/DettaglioLinee/Descrizione")
    assert description.startswith('Tour "Lucca sotterranea" - ')


def test_a_receipt_to_a_traveller_has_no_xml(dmc):
    receipt = services.invoice_issue_from_specs(customer=traveller(), lines=[service_line()])
    assert receipt.number.startswith("RC-")
    assert receipt.xml_content == "" and receipt.sdi_status == "n/a"
