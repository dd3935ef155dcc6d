"""Bank statement import: amounts read by the file's declared format, Italian bank layouts,
encodings and line ends, CAMT.053 XML, every refused row named, no 500 for a bad file, and
an amount that is not what is due never matched without finance's decision."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from accounts.services import DmcGroup, dmc_groups_ensure
from bookings.models import TradeContract
from payments.bank_import import amount_format_of, parse_amount
from payments.credit import bank_statement_import, bank_transaction_decide
from payments.models import AttentionItem, BankTransaction, EntryKind, LedgerEntry
from payments.selectors import booking_paid, partner_outstanding
from tests.bookings.factories import hold_experience
from tests.factories import MembershipFactory, OrganisationFactory

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
IT_DAY = TODAY.strftime("%d/%m/%Y")


@pytest.fixture
def finance(client):
    dmc = OrganisationFactory(kind="dmc", subkind="")
    user = MembershipFactory(organisation=dmc).user
    user.groups.add(dmc_groups_ensure()[DmcGroup.FINANCE])
    client.force_login(user)
    return user


def _upload(client, data: bytes, name="estratto.csv", **fields):
    return client.post(
        reverse("payments_pages:bo_bank_import"),
        {
            "file": SimpleUploadedFile(name, data),
            "amount_format": "auto",
            "layout": "auto",
            **fields,
        },
    )


@pytest.mark.parametrize(
    ("raw", "fmt", "value"),
    [
        ("1,234.56", "en", "1234.56"),
        ("1.234,56", "it", "1234.56"),
        ("1234,5", "it", "1234.50"),
        ("-1.480,00", "it", "-1480.00"),
        ("1,480", "en", "1480.00"),
        ("€ 60,00", "it", "60.00"),
        ("60.00-", "en", "-60.00"),
    ],
)
def test_amounts_are_read_by_the_declared_format(raw, fmt, value):
    assert parse_amount(raw, fmt) == Decimal(value)


@pytest.mark.parametrize(
    ("raw", "fmt"), [("1,234.56", "it"), ("1.234,56", "en"), ("1.2.3", "it"), ("1,480", "it")]
)
def test_an_amount_in_another_format_is_refused_not_guessed(raw, fmt):
    with pytest.raises(ValueError):
        parse_amount(raw, fmt)


def test_detection_decides_only_on_proof():
    assert amount_format_of(["1,234.56", "60.00"]) == "en"
    assert amount_format_of(["1.234,56", "60"]) == "it"
    assert amount_format_of(["1,480", "1.234"]) is None  # either way
    assert amount_format_of(["1,50", "2.50"]) == "conflict"


def test_english_thousands_were_read_as_1_23_and_are_now_1234_56():
    content = f'date,amount,description\n{TODAY:%Y-%m-%d},"1,234.56",Transfer\n'
    [tx] = bank_statement_import(data=content.encode(), amount_format="en").unmatched
    assert tx.amount == Decimal("1234.56")
    # Detected too: the value proves the English format.
    BankTransaction.objects.all().delete()
    [tx] = bank_statement_import(data=content.encode()).unmatched
    assert tx.amount == Decimal("1234.56")


def test_an_ambiguous_file_is_refused_until_its_format_is_chosen():
    content = f"date;amount;description\n{TODAY:%Y-%m-%d};1,480;Transfer\n"
    with pytest.raises(ValidationError) as exc:
        bank_statement_import(data=content.encode())
    assert "amount_format" in exc.value.message_dict
    assert BankTransaction.objects.count() == 0
    [tx] = bank_statement_import(data=content.encode(), amount_format="en").unmatched
    assert tx.amount == Decimal("1480.00")


def test_an_italian_bank_export_in_cp1252_with_cr_line_ends_and_dare_avere_columns():
    rows = [
        "Conto corrente IT60X0542811101000000123456",
        "Movimenti dal 01/11 al 30/11",
        "Data contabile;Data valuta;Dare;Avere;Descrizione operazione;CRO",
        f"{IT_DAY};{IT_DAY};;1.234,56;Bonifico da Società Più € saldo;CRO0001",
        f"{IT_DAY};{IT_DAY};50,00;;Commissioni;CRO0002",
    ]
    data = "\r".join(rows).encode("cp1252")
    result = bank_statement_import(data=data)
    [tx] = result.unmatched
    assert tx.amount == Decimal("1234.56")
    assert tx.description == "Bonifico da Società Più € saldo"
    assert result.skipped_debits == 1


@pytest.mark.parametrize("line_end", ["\r\n", "\n", "\r"])
def test_bom_and_every_line_end(line_end):
    content = line_end.join(
        ["Data operazione;Importo;Causale", f"{IT_DAY};60,00;Bonifico uno", f"{IT_DAY};7,50;Due"]
    )
    result = bank_statement_import(data=b"\xef\xbb\xbf" + content.encode())
    assert sorted(t.amount for t in result.unmatched) == [Decimal("7.50"), Decimal("60.00")]


def test_a_file_mixing_both_formats_is_refused_with_its_own_reason():
    content = f"date;amount;description\n{TODAY:%Y-%m-%d};60,00;A\n{TODAY:%Y-%m-%d};1,234.56;B\n"
    with pytest.raises(ValidationError) as exc:
        bank_statement_import(data=content.encode())
    assert "both formats" in exc.value.message_dict["amount_format"][0]


def test_every_refused_row_is_named_with_its_line_and_nothing_is_written():
    content = (
        "Data operazione;Importo;Causale\n"
        f"{IT_DAY};60,00;Buona\n"
        "31/02/2026;10,00;Data impossibile\n"
        f"{IT_DAY};1,234.56;Formato inglese\n"
        f"{IT_DAY};;Senza importo\n"
    )
    with pytest.raises(ValidationError) as exc:
        bank_statement_import(data=content.encode(), amount_format="it")
    errors = exc.value.message_dict["file"]
    assert [e.split(":")[0] for e in errors] == ["line 3", "line 4", "line 5"]
    assert "31/02/2026" in errors[0] and "1,234.56" in errors[1]
    assert BankTransaction.objects.count() == 0


def test_cr_only_binary_and_garbage_files_get_a_clear_answer_not_a_500(finance, client):
    booking = hold_experience(adults=2)
    cr_only = f"data;importo;descrizione\r{IT_DAY};60,00;Saldo {booking.reference}\r".encode()
    response = _upload(client, cr_only)
    assert response.status_code == 200
    assert booking_paid(booking) == Decimal("60.00")

    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4
    response = _upload(client, png, name="scan.png")
    assert response.status_code == 400
    assert "This is not a text file" in response.content.decode()

    for garbage in (b"", b"hello world\nno columns here", b"<Document><oops", b"\xff\xfe\xfa"):
        response = _upload(client, garbage)
        assert response.status_code == 400, garbage


def test_1480_is_not_matched_to_a_booking_of_480_and_finance_decides(finance, client):
    booking = hold_experience(adults=16, capacity=20)  # 480.00
    assert booking.total_retail == Decimal("480.00")
    content = f"Data operazione;Importo;Causale\n{IT_DAY};1.480,00;Saldo {booking.reference}\n"
    result = bank_statement_import(data=content.encode())
    assert result.matched == [] and len(result.to_decide) == 1
    assert booking_paid(booking) == 0
    item = AttentionItem.objects.get(booking=booking, reason="bank_amount_differs")
    assert "1480.00" in item.message and "480.00" in item.message
    page = client.get(reverse("payments_pages:bo_bank_unmatched")).content.decode()
    assert booking.reference in page and "Surplus to refund by bank transfer" in page

    [tx] = result.to_decide
    with pytest.raises(ValidationError):  # more than due: not a partial payment
        bank_transaction_decide(transaction_id=tx.pk, decision="partial")
    response = client.post(
        reverse("payments_pages:bo_bank_unmatched"),
        {"transaction": tx.pk, "decision": "refund"},
        follow=True,
    )
    assert response.status_code == 200
    assert booking_paid(booking) == Decimal("1480.00")
    refund = AttentionItem.objects.get(booking=booking, reason="refund_by_transfer")
    assert "1000.00" in refund.message
    item.refresh_from_db()
    assert item.resolved_at is not None


def test_an_underpayment_is_a_partial_payment_with_the_rest_still_due():
    booking = hold_experience(adults=16, capacity=20)  # 480.00
    content = f"Data operazione;Importo;Causale\n{IT_DAY};400,00;{booking.reference}\n"
    [tx] = bank_statement_import(data=content.encode()).to_decide
    bank_transaction_decide(transaction_id=tx.pk, decision="partial")
    assert booking_paid(booking) == Decimal("400.00")
    assert booking.total_retail - booking_paid(booking) == Decimal("80.00")


def test_an_overpayment_by_a_partner_can_become_credit_on_account():
    partner = OrganisationFactory(kind="trade", subkind="tour_operator")
    TradeContract.objects.create(organisation=partner)
    booking = hold_experience(adults=2, buyer_organisation=partner, channel="trade")
    content = f"Data operazione;Importo;Causale\n{IT_DAY};100,00;{booking.reference}\n"
    [tx] = bank_statement_import(data=content.encode()).to_decide
    bank_transaction_decide(transaction_id=tx.pk, decision="credit")
    assert booking_paid(booking) == Decimal("60.00")
    assert partner_outstanding(partner) == Decimal("-40.00")  # 40.00 in the partner's favour


def test_the_amount_due_is_matched_and_a_reimport_changes_nothing():
    booking = hold_experience(adults=2)
    content = (
        f"date;amount;description;reference\n{TODAY:%Y-%m-%d};60.00;Pay {booking.reference};TRN-1\n"
    ).encode()
    assert len(bank_statement_import(data=content).matched) == 1
    again = bank_statement_import(data=content)
    assert (again.matched, again.duplicates) == ([], 1)
    assert LedgerEntry.objects.filter(booking=booking).count() == 1


CAMT = """<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02">
 <BkToCstmrStmt><GrpHdr><MsgId>STMT-1</MsgId><CreDtTm>{day}T18:00:00</CreDtTm></GrpHdr>
  <Stmt><Id>1</Id>
   <Ntry><Amt Ccy="EUR">60.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts>
    <BookgDt><Dt>{day}</Dt></BookgDt><AcctSvcrRef>BANKREF-001</AcctSvcrRef>
    <NtryDtls><TxDtls><RltdPties><Dbtr><Nm>Mario Rossi</Nm></Dbtr>
     <DbtrAcct><Id><IBAN>IT60X0542811101000000123456</IBAN></Id></DbtrAcct></RltdPties>
     <RmtInf><Ustrd>Saldo prenotazione {ref}</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry>
   <Ntry><Amt Ccy="EUR">12.30</Amt><CdtDbtInd>DBIT</CdtDbtInd><Sts>BOOK</Sts>
    <BookgDt><Dt>{day}</Dt></BookgDt><AcctSvcrRef>BANKREF-002</AcctSvcrRef></Ntry>
  </Stmt></BkToCstmrStmt></Document>"""


def test_a_camt053_statement_is_read_and_matched_once(finance, client):
    booking = hold_experience(adults=2)
    xml = CAMT.format(day=TODAY.isoformat(), ref=booking.reference).encode()
    response = _upload(client, xml, name="camt053.xml")
    assert response.status_code == 200
    tx = BankTransaction.objects.get()
    assert (tx.payer_name, tx.payer_iban) == ("Mario Rossi", "IT60X0542811101000000123456")
    assert booking_paid(booking) == Decimal("60.00")
    entry = LedgerEntry.objects.get(booking=booking)
    assert entry.kind in (EntryKind.CHARGE, EntryKind.DEPOSIT, EntryKind.BALANCE)
    again = bank_statement_import(data=xml)
    assert again.duplicates == 1 and again.skipped_debits == 1


def test_only_finance_imports(client):
    user = MembershipFactory(organisation=OrganisationFactory()).user
    client.force_login(user)
    response = _upload(client, b"data;importo;descrizione\n")
    assert response.status_code in (403, 404)
