"""Monthly ZIP for the SdI intermediary, the command, SdI outcomes, the accountant's CSV."""

import csv
import io
import zipfile
from datetime import date

import pytest
from django.core.management import CommandError, call_command

from invoices import exports, services
from invoices.models import Invoice

from .factories import package_line, service_line, traveller
from .helpers import parsed_valid_xml

pytestmark = pytest.mark.django_db

MARCH = date(2026, 3, 12)


@pytest.fixture
def march_documents(dmc, agency, german):
    first = services.invoice_issue_from_specs(
        customer=agency, lines=[package_line()], issue_date=MARCH
    )
    second = services.invoice_issue_from_specs(
        customer=german, lines=[service_line()], issue_date=MARCH
    )
    services.invoice_issue_from_specs(
        customer=traveller(), lines=[service_line()], issue_date=MARCH
    )
    services.invoice_issue_from_specs(
        customer=agency, lines=[service_line()], issue_date=date(2026, 4, 1)
    )
    return first, second


def test_the_month_zip_holds_the_b2b_xml_files_only(march_documents):
    export = exports.fatturapa_export_month(year=2026, month=3)
    archive = zipfile.ZipFile(io.BytesIO(export.content))
    assert sorted(archive.namelist()) == sorted(i.xml_filename for i in march_documents)
    for invoice in march_documents:
        assert archive.read(invoice.xml_filename).decode() == invoice.xml_content
        parsed_valid_xml(invoice)
    assert all(
        i.sdi_exported_at and i.sdi_status == "to_send"
        for i in Invoice.objects.filter(pk__in=[i.pk for i in march_documents])
    )


def test_the_command_writes_the_zip_and_marks_files_sent(march_documents, tmp_path):
    out = io.StringIO()
    call_command(
        "export_fatturapa", "--month", "2026-03", "--out", str(tmp_path), "--mark-sent", stdout=out
    )
    path = tmp_path / "fatturapa-2026-03.zip"
    assert "2 FatturaPA file(s)" in out.getvalue()
    assert len(zipfile.ZipFile(path).namelist()) == 2
    assert set(
        Invoice.objects.exclude(xml_content="")
        .filter(issue_date=MARCH)
        .values_list("sdi_status", flat=True)
    ) == {"sent"}


def test_the_command_refuses_a_bad_month(tmp_path):
    with pytest.raises(CommandError, match="YYYY-MM"):
        call_command("export_fatturapa", "--month", "2026-13", "--out", str(tmp_path))


def _notification(kind, filename, errors=()):
    errs = "".join(
        f"<Errore><Codice>{c}</Codice><Descrizione>{d}</Descrizione></Errore>" for c, d in errors
    )
    body = f"<ListaErrori>{errs}</ListaErrori>" if errors else ""
    return (
        f'<ns3:{kind} xmlns:ns3="http://ivaservizi.agenziaentrate.gov.it/docs/xsd/fatture/'
        f'messaggi/v1.0" versione="1.0"><IdentificativoSdI>111</IdentificativoSdI>'
        f"<NomeFile>{filename}</NomeFile>{body}</ns3:{kind}>"
    ).encode()


def test_sdi_notifications_update_the_status(march_documents):
    accepted, rejected = march_documents
    result = exports.sdi_notification_import(
        name="rc.xml", content=_notification("RicevutaConsegna", accepted.xml_filename)
    )
    assert result.status == "accepted"
    result = exports.sdi_notification_import(
        name="ns.xml",
        content=_notification(
            "NotificaScarto", rejected.xml_filename, [("00404", "Fattura duplicata")]
        ),
    )
    rejected.refresh_from_db()
    assert rejected.sdi_status == "rejected"
    assert rejected.sdi_status_reason == "00404 Fattura duplicata"
    unknown = exports.sdi_notification_import(
        name="x.xml", content=_notification("RicevutaConsegna", "IT000_ZZZZZ.xml")
    )
    assert unknown.invoice is None and "ZZZZZ" in unknown.message


def test_a_rejection_without_a_reason_is_refused(march_documents):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as exc:
        services.invoice_sdi_status_set(invoice=march_documents[0], status="rejected")
    assert "reason" in exc.value.message_dict
    services.invoice_sdi_status_set(invoice=march_documents[0], status="accepted")
    with pytest.raises(ValidationError):
        services.invoice_sdi_status_set(invoice=march_documents[0], status="to_send")


def test_accountant_csv_has_one_row_per_document_and_rate(march_documents):
    content = exports.accountant_csv(start=date(2026, 3, 1), end=date(2026, 3, 31))
    rows = list(csv.DictReader(io.StringIO(content), delimiter=";"))
    assert len(rows) == 3
    margin = next(r for r in rows if r["numero"] == march_documents[0].number)
    assert (margin["regime_fiscale"], margin["aliquota_o_natura"]) == ("RF11", "N5")
    assert margin["imponibile"] == "2500.00"
    assert {r["numero"][:2] for r in rows} == {"TR", "RC"}
