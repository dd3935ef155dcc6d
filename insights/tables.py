"""The Alloggiati Web code tables (data/*.csv; origin in data/README.md)."""

import csv
from functools import lru_cache
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"
ITALY = "100000100"


def _read(name):
    with (DATA / name).open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@lru_cache(maxsize=1)
def comuni() -> dict[str, dict]:
    return {row["code"]: row for row in _read("alloggiati_comuni.csv")}


@lru_cache(maxsize=1)
def states() -> dict[str, dict]:
    return {row["code"]: row for row in _read("alloggiati_stati.csv")}


@lru_cache(maxsize=1)
def document_types() -> dict[str, str]:
    return {row["code"]: row["name"] for row in _read("alloggiati_documenti.csv")}


def state_for_iso(iso2: str) -> str:
    for code, row in states().items():
        if row["iso2"] == iso2.upper():
            return code
    return ""


def place_exists(code: str) -> bool:
    return code in comuni() or code in states()
