"""Import of the monthly movement files (ISTAT "Movimento dei clienti negli esercizi
ricettivi" as the regional statistics office publishes it). The layout is documented in
`insights/data/movement-layout.md`. A file is checked whole first: any problem rejects it
with a row-by-row report and nothing is written. A corrected month replaces the rows of the
same comune and month (re-importing is idempotent); the same file twice is a no-op."""

import csv
import hashlib
import io
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from iat import codes
from places.models import Comune

from . import aggregates
from .errors import MovementFileInvalid
from .models import AccommodationType, MovementImport, MovementRow

COLUMNS = ["anno", "mese", "comune_istat", "tipo_esercizio", "residenza", "arrivi", "presenze"]
TYPES = {
    "alberghiero": AccommodationType.HOTEL,
    "extralberghiero": AccommodationType.OTHER,
    "hotel": AccommodationType.HOTEL,
    "other": AccommodationType.OTHER,
}
MAX_PROBLEMS = 200


@dataclass
class ParsedRow:
    line: int
    comune: Comune
    year: int
    month: int
    accommodation_type: str
    origin: str
    arrivals: int
    presences: int


def _table_from_csv(content: bytes) -> list[list[str]]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = content[: exc.start].count(b"\n") + 1
        raise MovementFileInvalid(
            [
                (
                    line,
                    "",
                    _("The file is not UTF-8 text (byte %(pos)s); save it as CSV UTF-8.")
                    % {"pos": exc.start},
                )
            ]
        ) from exc
    sample = text[:2048]
    delimiter = ";" if sample.count(";") >= sample.count(",") else ","
    return list(csv.reader(io.StringIO(text), delimiter=delimiter))


def _table_from_xlsx(content: bytes) -> list[list[str]]:
    from openpyxl import load_workbook

    try:
        sheet = load_workbook(io.BytesIO(content), read_only=True, data_only=True).active
    except Exception as exc:  # openpyxl raises several kinds for a broken file
        raise MovementFileInvalid([(0, "", _("This is not a readable XLSX file."))]) from exc
    return [["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)]


def parse_movement_file(*, filename: str, content: bytes) -> list[ParsedRow]:
    """Every row checked; raise MovementFileInvalid with all the problems found."""
    table = (
        _table_from_xlsx(content)
        if filename.lower().endswith(".xlsx")
        else _table_from_csv(content)
    )
    if not table:
        raise MovementFileInvalid([(0, "", _("The file is empty."))])
    header = [h.strip().lower() for h in table[0]]
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise MovementFileInvalid(
            [(1, c, _("Missing column: %(col)s") % {"col": c}) for c in missing]
        )
    index = {c: header.index(c) for c in COLUMNS}
    comuni = {c.istat_code: c for c in Comune.objects.filter(in_destination=True)}
    problems: list[tuple[int, str, str]] = []
    rows: list[ParsedRow] = []
    seen: dict[tuple, int] = {}
    for line, raw in enumerate(table[1:], start=2):
        if not any(cell.strip() for cell in raw):
            continue
        cell = {c: (raw[i].strip() if i < len(raw) else "") for c, i in index.items()}
        row_problems = []

        def number(col, low=0, high=None, cell=cell, row_problems=row_problems):
            try:
                value = int(float(cell[col])) if cell[col] else None
                if value is None or str(value) != cell[col].split(".")[0].lstrip("+"):
                    raise ValueError
            except ValueError:
                row_problems.append((col, _("Not a whole number: %(v)r") % {"v": cell[col]}))
                return None
            if value < low or (high is not None and value > high):
                row_problems.append((col, _("Out of range: %(v)s") % {"v": value}))
                return None
            return value

        year = number("anno", 2000, 2100)
        month = number("mese", 1, 12)
        arrivals = number("arrivi")
        presences = number("presenze")
        comune = comuni.get(cell["comune_istat"].zfill(6))
        if comune is None:
            row_problems.append(
                (
                    "comune_istat",
                    _("Unknown comune of the Piana: %(v)r") % {"v": cell["comune_istat"]},
                )
            )
        kind = TYPES.get(cell["tipo_esercizio"].lower())
        if kind is None:
            row_problems.append(("tipo_esercizio", _("Use alberghiero or extralberghiero.")))
        origin = codes.normalise_origin(cell["residenza"])
        if not origin:
            row_problems.append(
                ("residenza", _("Unknown residence code: %(v)r") % {"v": cell["residenza"]})
            )
        if arrivals is not None and presences is not None and presences < arrivals:
            row_problems.append(("presenze", _("Fewer presences than arrivals.")))
        if not row_problems:
            key = (comune.pk, year, month, kind, origin)
            if key in seen:
                row_problems.append(
                    (
                        "",
                        _("Duplicate of line %(n)s (same comune, month, type and residence).")
                        % {"n": seen[key]},
                    )
                )
            else:
                seen[key] = line
                rows.append(ParsedRow(line, comune, year, month, kind, origin, arrivals, presences))
        problems.extend((line, col, msg) for col, msg in row_problems)
        if len(problems) >= MAX_PROBLEMS:
            break
    if problems:
        raise MovementFileInvalid(problems)
    if not rows:
        raise MovementFileInvalid([(0, "", _("The file has no data rows."))])
    return rows


def movement_import(*, filename: str, content: bytes, actor=None, is_demo=False) -> MovementImport:
    """Check the whole file, then in one transaction replace the comune-months it covers."""
    digest = hashlib.sha256(content).hexdigest()
    rows = parse_movement_file(filename=filename, content=content)
    with transaction.atomic():
        previous = MovementImport.objects.filter(sha256=digest).first()
        if previous is not None:
            return previous
        keys = {(r.comune.pk, r.year, r.month) for r in rows}
        replaced = 0
        for comune_id, year, month in keys:
            replaced += MovementRow.objects.filter(
                comune_id=comune_id, year=year, month=month
            ).delete()[0]
        batch = MovementImport.objects.create(
            filename=filename[:200],
            sha256=digest,
            rows=len(rows),
            is_demo=is_demo,
            imported_by=actor,
            replaced_rows=replaced,
            months=sorted({f"{r.year}-{r.month:02d}" for r in rows}),
        )
        MovementRow.objects.bulk_create(
            [
                MovementRow(
                    source=batch,
                    comune=r.comune,
                    year=r.year,
                    month=r.month,
                    accommodation_type=r.accommodation_type,
                    origin=r.origin,
                    arrivals=r.arrivals,
                    presences=r.presences,
                    is_demo=is_demo,
                )
                for r in rows
            ],
            batch_size=2000,
        )
        aggregates.rebuild(keys={(c, y) for c, y, _m in keys})
    return batch
