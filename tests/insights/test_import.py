import io

import pytest
from django.urls import reverse
from openpyxl import Workbook

from insights.errors import MovementFileInvalid
from insights.importer import movement_import
from insights.models import MovementImport, MovementMarketYear, MovementMonth, MovementRow
from insights.selectors import dashboard
from tests.factories import comune

pytestmark = pytest.mark.django_db

HEADER = "anno;mese;comune_istat;tipo_esercizio;residenza;arrivi;presenze\n"
GOOD = HEADER + (
    "2024;7;046017;alberghiero;DE;100;250\n"
    "2024;7;046017;extralberghiero;DE;50;200\n"
    "2024;7;046017;alberghiero;IT-52;40;60\n"
    "2024;7;46007;extralberghiero;US;10;30\n"
)


def load(text, name="m.csv"):
    return movement_import(filename=name, content=text.encode())


def problems_of(text, name="m.csv", raw=None):
    with pytest.raises(MovementFileInvalid) as caught:
        movement_import(filename=name, content=raw if raw is not None else text.encode())
    return caught.value.problems


def test_a_good_file_fills_the_rows_and_the_aggregates():
    comune("Lucca")
    batch = load(GOOD)
    assert batch.rows == 4 and batch.months == ["2024-07"]
    lucca = MovementMonth.objects.get(comune__name="Lucca", year=2024, month=7)
    assert (lucca.arrivals, lucca.presences) == (190, 510)
    assert (lucca.foreign_arrivals, lucca.foreign_presences, lucca.hotel_presences) == (
        150,
        450,
        310,
    )
    assert (
        MovementMarketYear.objects.get(comune__name="Lucca", year=2024, origin="DE").presences
        == 450
    )
    data = dashboard(year=2024)
    assert data["kpis"]["arrivals"] == 200 and data["kpis"]["presences"] == 540
    assert data["kpis"]["average_stay"] == 2.7
    assert data["kpis"]["foreign_share"] == 80.0  # (150 + 10) / 200
    assert [m["origin"] for m in data["markets"]] == ["DE", "IT-52", "US"]


def test_bad_rows_are_all_reported_and_nothing_is_imported():
    comune("Lucca")
    bad = HEADER + (
        "2024;7;046017;alberghiero;DE;100;250\n"
        "2024;7;099999;alberghiero;DE;1;1\n"  # unknown comune
        "2024;7;046017;alberghiero;FR;-3;5\n"  # negative
        "2024;13;046017;alberghiero;FR;3;5\n"  # month
        "2024;7;046017;alberghiero;Narnia;3;5\n"  # residence
        "2024;7;046017;camping;FR;3;5\n"  # type
        "2024;7;046017;alberghiero;DE;1;2\n"  # duplicate of line 2
        "2024;7;046017;alberghiero;NL;9;3\n"  # presences below arrivals
    )
    found = {(line, column) for line, column, _m in problems_of(bad)}
    assert found == {
        (3, "comune_istat"),
        (4, "arrivi"),
        (5, "mese"),
        (6, "residenza"),
        (7, "tipo_esercizio"),
        (8, ""),
        (9, "presenze"),
    }
    assert not MovementRow.objects.exists() and not MovementImport.objects.exists()


def test_a_wrong_encoding_and_a_missing_column_are_reported():
    latin1 = (HEADER + "2024;7;046017;alberghiero;DE;1;2\n").encode() + "città".encode("latin-1")
    [(line, _col, message)] = problems_of("", raw=latin1)
    assert line == 3 and "UTF-8" in message
    assert problems_of("anno;mese\n2024;7\n")[0][1] == "comune_istat"


def test_a_corrected_month_replaces_the_old_one_and_the_same_file_is_a_no_op():
    comune("Lucca")
    first = load(GOOD)
    assert load(GOOD).pk == first.pk
    corrected = HEADER + "2024;7;046017;alberghiero;DE;120;300\n"
    load(corrected)
    lucca = MovementMonth.objects.get(comune__name="Lucca", year=2024, month=7)
    assert (lucca.arrivals, lucca.presences) == (120, 300)
    # Capannori's July was not in the corrected file: it stays
    assert MovementMonth.objects.get(comune__name="Capannori", year=2024, month=7).arrivals == 10
    assert MovementRow.objects.count() == 2


def test_xlsx_files_are_read():
    comune("Lucca")
    wb = Workbook()
    ws = wb.active
    ws.append(["anno", "mese", "comune_istat", "tipo_esercizio", "residenza", "arrivi", "presenze"])
    ws.append([2025, 1, "046017", "alberghiero", "GB", 7, 14])
    out = io.BytesIO()
    wb.save(out)
    batch = movement_import(filename="jan.xlsx", content=out.getvalue())
    assert batch.rows == 1


def test_the_import_page_shows_the_report(admin_client):
    comune("Lucca")
    upload = io.BytesIO((HEADER + "2024;7;046017;alberghiero;DE;-1;2\n").encode())
    upload.name = "bad.csv"
    response = admin_client.post(reverse("insights:import"), {"file": upload})
    assert response.status_code == 400
    assert "nothing was imported" in response.content.decode()
