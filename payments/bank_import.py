"""Reading bank statement files: CSV exports of Italian and international banks (layouts
described as data below) and ISO 20022 CAMT.053 XML. Reading only: each file becomes a list
of `BankLine` or a `ValidationError` that names every refused row with its line number and
reason. Matching the lines to bookings is `credit.bank_statement_import`.

CBI (the Italian interbank "CBI RH" fixed-width statement) is not read: no maintained
Python library parses it, and banks that export CBI also export CSV or CAMT.053."""

from __future__ import annotations

import csv
import hashlib
import io
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

AMOUNT_FORMATS = {
    "auto": gettext_lazy("Detect (refused when ambiguous)"),
    "it": gettext_lazy("Italian: 1.234,56"),
    "en": gettext_lazy("English: 1,234.56"),
}


@dataclass(frozen=True)
class CsvLayout:
    """A bank's CSV export: which header names mean what, the separator, the date formats.
    A layout with `credit` and `debit` columns has amounts in two columns (Avere / Dare)."""

    key: str
    label: str
    date: tuple[str, ...]
    description: tuple[str, ...]
    amount: tuple[str, ...] = ()
    credit: tuple[str, ...] = ()
    debit: tuple[str, ...] = ()
    payer: tuple[str, ...] = ()
    iban: tuple[str, ...] = ()
    reference: tuple[str, ...] = ()
    date_formats: tuple[str, ...] = ("%d/%m/%Y", "%d/%m/%y", "%d.%m.%Y", "%d-%m-%Y", "%Y-%m-%d")
    amount_format: str = "auto"


LAYOUTS: tuple[CsvLayout, ...] = (
    CsvLayout(
        key="it_dare_avere",
        label="Data contabile; Data valuta; Dare; Avere; Descrizione",
        date=("data contabile", "data operazione", "data"),
        description=("descrizione operazione", "descrizione", "causale", "descrizione estesa"),
        credit=("avere", "accrediti", "entrate"),
        debit=("dare", "addebiti", "uscite"),
        payer=("ordinante", "controparte"),
        iban=("iban ordinante", "iban"),
        reference=("riferimento", "cro", "trn", "id operazione"),
        amount_format="it",
    ),
    CsvLayout(
        key="it_importo",
        label="Data operazione; Data valuta; Importo; Causale / Descrizione",
        date=("data operazione", "data contabile", "data"),
        description=("descrizione", "causale", "descrizione operazione", "dettagli"),
        amount=("importo", "importo (eur)", "importo eur"),
        payer=("ordinante", "controparte", "beneficiario/ordinante"),
        iban=("iban ordinante", "iban"),
        reference=("riferimento", "cro", "trn", "id operazione"),
        amount_format="it",
    ),
    CsvLayout(
        key="en_generic",
        label="Date, Amount, Description, Payer, IBAN, Reference",
        date=("booking date", "date", "value date", "transaction date"),
        description=("description", "remittance", "remittance information", "details"),
        amount=("amount", "amount (eur)"),
        credit=("credit", "paid in"),
        debit=("debit", "paid out"),
        payer=("payer", "name", "counterparty", "payer name"),
        iban=("iban", "payer iban", "counterparty iban"),
        reference=("reference", "bank reference", "transaction id"),
        date_formats=("%Y-%m-%d", "%d/%m/%Y", "%d.%m.%Y", "%d-%m-%Y"),
    ),
)
LAYOUT_CHOICES = {"auto": gettext_lazy("Detect from the header")} | {
    layout.key: layout.label for layout in LAYOUTS
}


@dataclass(frozen=True)
class BankLine:
    number: int  # line of the file (CSV) or entry number (CAMT)
    booked_on: date
    amount: Decimal  # credit positive, debit negative
    description: str
    payer: str = ""
    iban: str = ""
    reference: str = ""  # the bank's own reference of the movement, when it gives one


# --- bytes to text --------------------------------------------------------------------------


def _text(data: bytes) -> str:
    """Decode a bank file: UTF-8 (with or without BOM), else Windows-1252, else Latin-1.
    Line ends CRLF, LF and CR alone all become LF. A binary file is refused."""
    if not data or not data.strip():
        raise ValidationError({"file": _("The file is empty.")})
    sample = data[:4096]
    if b"\x00" in sample or sum(b < 9 or 13 < b < 32 for b in sample) > len(sample) // 100 + 2:
        raise ValidationError(
            {"file": _("This is not a text file: upload the bank's CSV or CAMT.053 XML export.")}
        )
    for encoding in ("utf-8-sig", "cp1252", "latin-1"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    return text.replace("\r\n", "\n").replace("\r", "\n")


# --- amounts -----------------------------------------------------------------------------

_AMOUNT_SHAPES = {
    "it": re.compile(r"^(\d{1,3}(\.\d{3})+|\d+)(,\d{1,2})?$"),
    "en": re.compile(r"^(\d{1,3}(,\d{3})+|\d+)(\.\d{1,2})?$"),
}


def _clean_amount(raw: str) -> tuple[str, int]:
    text = raw.strip().replace("€", "").replace("EUR", "").replace("\xa0", "").replace(" ", "")
    sign = 1
    if text.startswith("(") and text.endswith(")"):
        text, sign = text[1:-1], -1
    if text.endswith("-"):
        text, sign = text[:-1], -sign
    if text.startswith(("-", "+")):
        sign = -sign if text[0] == "-" else sign
        text = text[1:]
    return text, sign


def parse_amount(raw: str, amount_format: str) -> Decimal:
    """`1.234,56` (it) or `1,234.56` (en), strictly: a value that does not have the shape
    of the declared format is refused, never guessed."""
    text, sign = _clean_amount(raw)
    shape = _AMOUNT_SHAPES[amount_format]
    if not shape.match(text):
        raise ValueError(raw)
    thousands, decimal = (".", ",") if amount_format == "it" else (",", ".")
    value = Decimal(text.replace(thousands, "").replace(decimal, "."))
    return sign * value.quantize(Decimal("0.01"))


def amount_format_of(values: list[str]) -> str | None:
    """The format the amounts of a file prove: a separator followed by one or two digits is
    the decimal one; both separators in one value decide too. None when no value decides
    (e.g. only `1.234` or `1,480`, which read 1234 or 1.48 depending on the format)."""
    votes = set()
    for raw in values:
        text, _sign = _clean_amount(raw)
        if not text:
            continue
        if "," in text and "." in text:
            votes.add("it" if text.rfind(",") > text.rfind(".") else "en")
        elif re.search(r",\d{1,2}$", text):
            votes.add("it")
        elif re.search(r"\.\d{1,2}$", text):
            votes.add("en")
    return votes.pop() if len(votes) == 1 else ("conflict" if votes else None)


# --- CSV --------------------------------------------------------------------------------


def _find(header: list[str], names: tuple[str, ...]) -> int | None:
    for name in names:
        if name in header:
            return header.index(name)
    return None


def _layout_for(header: list[str], key: str) -> tuple[CsvLayout, dict]:
    candidates = [lay for lay in LAYOUTS if key in ("auto", lay.key)]
    for layout in candidates:
        index = {
            field: _find(header, getattr(layout, field))
            for field in ("date", "description", "amount", "credit", "debit")
            + ("payer", "iban", "reference")
        }
        has_amount = index["amount"] is not None or index["credit"] is not None
        if index["date"] is not None and index["description"] is not None and has_amount:
            return layout, index
    raise ValidationError(
        {
            "file": _("The header was not recognised (%(header)s). Known layouts: %(layouts)s.")
            % {
                "header": "; ".join(header)[:200],
                "layouts": " | ".join(lay.label for lay in candidates),
            }
        }
    )


def _header_row(rows: list[list[str]]) -> int:
    """Banks put a few lines of account details above the header: the header is the first
    row with a date column name."""
    names = {n for lay in LAYOUTS for n in lay.date}
    for i, row in enumerate(rows[:20]):
        if any(cell.strip().lower() in names for cell in row):
            return i
    return 0


def read_csv(text: str, *, amount_format: str = "auto", layout: str = "auto") -> list[BankLine]:
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel
        dialect.delimiter = ";" if text.count(";") > text.count(",") else ","
    try:
        rows = list(csv.reader(io.StringIO(text), dialect))
    except csv.Error as exc:
        raise ValidationError({"file": _("Unreadable CSV: %(e)s") % {"e": exc}}) from exc
    start = _header_row(rows)
    header = [cell.strip().lower() for cell in rows[start]] if rows else []
    chosen, index = _layout_for(header, layout)
    if amount_format == "auto":
        columns = (index["amount"], index["credit"], index["debit"])
        money_columns = [i for i in columns if i is not None]
        values = [row[i] for row in rows[start + 1 :] for i in money_columns if i < len(row)]
        amount_format = amount_format_of(values) or ""
        if amount_format in ("", "conflict"):
            if chosen.amount_format != "auto" and amount_format == "":
                amount_format = chosen.amount_format
            elif amount_format == "conflict":
                raise ValidationError(
                    {
                        "amount_format": _(
                            "This file has amounts in both formats (e.g. 60,00 and 1,234.56): "
                            "choose the amount format of the file; rows in the other format "
                            "are then listed."
                        )
                    }
                )
            else:
                raise ValidationError(
                    {
                        "amount_format": _(
                            "The amounts of this file can be read two ways (e.g. 1,480 is "
                            "1480 or 1.48): choose the amount format of the file."
                        )
                    }
                )
    lines, errors = [], []
    for number, row in enumerate(rows[start + 1 :], start=start + 2):
        if not any(cell.strip() for cell in row):
            continue

        def cell(field, row=row):
            i = index[field]
            return row[i].strip() if i is not None and i < len(row) else ""

        reason = None
        day = None
        for fmt in chosen.date_formats:
            try:
                day = datetime.strptime(cell("date"), fmt).date()
                break
            except ValueError:
                continue
        if day is None:
            reason = _("unreadable date “%(v)s”") % {"v": cell("date")[:30]}
        amount = None
        try:
            if index["amount"] is not None and cell("amount"):
                amount = parse_amount(cell("amount"), amount_format)
            elif cell("credit"):
                amount = abs(parse_amount(cell("credit"), amount_format))
            elif cell("debit"):
                amount = -abs(parse_amount(cell("debit"), amount_format))
        except (ValueError, InvalidOperation):
            bad = cell("amount") or cell("credit") or cell("debit")
            reason = _("amount “%(v)s” is not in the %(fmt)s format") % {
                "v": bad[:30],
                "fmt": AMOUNT_FORMATS[amount_format],
            }
        if amount is None and reason is None:
            reason = _("no amount")
        if reason:
            errors.append(_("line %(n)s: %(reason)s") % {"n": number, "reason": reason})
            continue
        lines.append(
            BankLine(
                number=number,
                booked_on=day,
                amount=amount,
                description=cell("description"),
                payer=cell("payer"),
                iban=cell("iban").replace(" ", ""),
                reference=cell("reference"),
            )
        )
    if errors:
        raise ValidationError({"file": errors})
    return lines


# --- CAMT.053 ---------------------------------------------------------------------------


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _child(node, *path):
    for name in path:
        if node is None:
            return None
        node = next((c for c in node if _local(c.tag) == name), None)
    return node


def _text_of(node, *path) -> str:
    found = _child(node, *path)
    return (found.text or "").strip() if found is not None else ""


def read_camt053(text: str) -> list[BankLine]:
    """ISO 20022 camt.053 (any version): every booked entry of every statement."""
    if "<!DOCTYPE" in text[:2000] or "<!ENTITY" in text:
        raise ValidationError({"file": _("XML with a DOCTYPE is not accepted.")})
    try:
        root = ET.fromstring(text.encode("utf-8"))
    except ET.ParseError as exc:
        raise ValidationError({"file": _("Unreadable XML: %(e)s") % {"e": exc}}) from exc
    statements = [n for n in root.iter() if _local(n.tag) == "Stmt"]
    if _local(root.tag) != "Document" or not statements:
        raise ValidationError({"file": _("This XML is not a CAMT.053 bank statement.")})
    lines, errors, number = [], [], 0
    for statement in statements:
        for entry in (n for n in statement if _local(n.tag) == "Ntry"):
            number += 1
            status = _text_of(entry, "Sts") or _text_of(entry, "Sts", "Cd")
            if status and status.upper() not in ("BOOK", "BOOKED"):
                continue
            amount_node = _child(entry, "Amt")
            try:
                amount = Decimal((amount_node.text or "").strip()).quantize(Decimal("0.01"))
                currency = amount_node.get("Ccy", "EUR")
                day_text = (
                    _text_of(entry, "BookgDt", "Dt") or _text_of(entry, "BookgDt", "DtTm")[:10]
                )
                day = date.fromisoformat(day_text)
            except (AttributeError, InvalidOperation, ValueError):
                errors.append(_("entry %(n)s: unreadable amount or date") % {"n": number})
                continue
            if currency != "EUR":
                errors.append(
                    _("entry %(n)s: currency %(c)s, not EUR") % {"n": number, "c": currency}
                )
                continue
            if _text_of(entry, "CdtDbtInd") == "DBIT":
                amount = -amount
            details = _child(entry, "NtryDtls", "TxDtls")
            remittance = " ".join(
                (n.text or "").strip()
                for n in (details.iter() if details is not None else [])
                if _local(n.tag) == "Ustrd"
            ) or _text_of(entry, "AddtlNtryInf")
            lines.append(
                BankLine(
                    number=number,
                    booked_on=day,
                    amount=amount,
                    description=remittance,
                    payer=_text_of(details, "RltdPties", "Dbtr", "Nm")
                    or _text_of(details, "RltdPties", "Dbtr", "Pty", "Nm"),
                    iban=_text_of(details, "RltdPties", "DbtrAcct", "Id", "IBAN"),
                    reference=_text_of(entry, "AcctSvcrRef")
                    or _text_of(details, "Refs", "AcctSvcrRef")
                    or _text_of(details, "Refs", "EndToEndId"),
                )
            )
    if errors:
        raise ValidationError({"file": errors})
    return lines


def read_bank_file(data: bytes, *, amount_format: str = "auto", layout: str = "auto"):
    """(file kind, lines) of a bank statement file, or a ValidationError naming every
    problem. Never anything else: a file cannot make the page fail."""
    if amount_format not in AMOUNT_FORMATS:
        raise ValidationError({"amount_format": _("Unknown amount format.")})
    if layout not in LAYOUT_CHOICES:
        raise ValidationError({"layout": _("Unknown layout.")})
    text = _text(data)
    if text.lstrip("\ufeff \n\t").startswith("<"):
        return "camt053", read_camt053(text)
    return "csv", read_csv(text, amount_format=amount_format, layout=layout)


def line_fingerprint(line: BankLine, occurrence: int) -> str:
    """The unique key of a bank movement: the bank's reference when it gives one, else the
    line's content and its occurrence in the file (two equal transfers on one day are two)."""
    if line.reference:
        return hashlib.sha256(f"ref|{line.reference}".encode()).hexdigest()
    key = f"{line.booked_on.isoformat()}|{line.amount}|{line.description}|{line.payer}|{line.iban}"
    if occurrence:  # the first keeps the key of files imported before occurrences counted
        key += f"|{occurrence}"
    return hashlib.sha256(key.encode()).hexdigest()
