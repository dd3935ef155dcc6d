"""The Alloggiati Web code tables: every row well formed, the evidence of each state's code
recorded, the derivations checked on the codes published elsewhere (data/README.md)."""

import csv
import re

import pytest

from insights import tables
from insights.management.commands import build_alloggiati_tables as build

# Cadastral codes of the Piana's comuni as DOMAIN.md lists them (a source independent of the
# ISTAT file the table is built from).
PIANA = {
    "046001": "A241",
    "046007": "B648",
    "046017": "E715",
    "046021": "F452",
    "046026": "G882",
    "046034": "L913",
}


def test_every_state_has_a_nine_digit_unique_code_and_its_evidence():
    rows = list(csv.DictReader((tables.DATA / "alloggiati_stati.csv").open(encoding="utf-8")))
    assert len(rows) > 200
    codes = [r["code"] for r in rows]
    assert len(codes) == len(set(codes))
    for row in rows:
        assert re.fullmatch(r"\d{9}", row["code"]), row
        assert row["evidence"] in build.EVIDENCE, row
        assert row["name"] == row["name"].upper()
    assert tables.states()["100000100"]["name"] == "ITALIA"


def test_the_committed_states_table_is_what_the_build_makes():
    rows, summary = build.build_states()
    committed = list(csv.reader((tables.DATA / "alloggiati_stati.csv").open(encoding="utf-8")))
    assert committed[1:] == sorted(rows)
    assert summary["corroborated"] >= 60


def test_the_police_listing_wins_where_the_istat_derivation_fails():
    states = tables.states()
    # Serbia, Montenegro, Kosovo, North Macedonia: the police number them apart
    assert states["100001000"]["name"] == "SERBIA"
    assert states["100001000"]["evidence"] == "police-listing"
    assert "100000271" not in states
    # 100000997 is North Macedonia for the police: Wallis e Futuna (ISTAT 997) is left out
    assert states["100000997"]["name"] == "MACEDONIA DEL NORD"
    assert all(r["name"] != "WALLIS E FUTUNA" for r in states.values())


def test_the_hand_typed_codes_that_were_wrong_are_corrected():
    states = tables.states()
    assert states["100000234"]["iso2"] == "PT"  # was 100000225, which is Liechtenstein
    assert states["100000225"]["iso2"] == "LI"
    assert states["100000244"]["iso2"] == "HU"  # was 100000250, which is Croatia
    assert states["100000250"]["iso2"] == "HR"
    assert states["100000334"]["iso2"] == "IL"  # was 100000324, which is Palestine
    for code in ("100000234", "100000244", "100000334"):
        assert states[code]["evidence"] == "corroborated"


def test_every_comune_code_derives_from_istat_and_the_piana_matches_domain():
    comuni = tables.comuni()
    assert len(comuni) > 7800
    for code, row in comuni.items():
        assert re.fullmatch(r"4\d{2}" + row["istat"], code)
        assert re.fullmatch(r"[A-Z]\d{3}", row["belfiore"])
    by_istat = {row["istat"]: row for row in comuni.values()}
    for istat, belfiore in PIANA.items():
        assert by_istat[istat]["belfiore"] == belfiore
        assert by_istat[istat]["province"] == "LU"
    # codes published elsewhere: Lucca, Milano, Oristano (Sardegna, region 20)
    assert comuni["409046017"]["name"] == "Lucca"
    assert comuni["403015146"]["name"] == "Milano"
    assert comuni["420095038"]["name"] == "Oristano"


def test_the_police_table_replaces_the_derivation(tmp_path):
    police = tmp_path / "stati.csv"
    police.write_text("Codice;Descrizione;Provincia\n100000216;GERMANIA;ES\n100001000;SERBIA;ES\n")
    rows = build.police_states(police)
    assert rows == [
        ["100000216", "GERMANIA", "DE", "", "police"],
        ["100001000", "SERBIA", "RS", "", "police"],
    ]
    bad = tmp_path / "bad.csv"
    bad.write_text("code,name\n1,X\n")
    with pytest.raises(build.CommandError):
        build.police_states(bad)
