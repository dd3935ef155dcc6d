from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from invoices.exports import fatturapa_export_month, parse_month


class Command(BaseCommand):
    help = (
        "Write a month's FatturaPA XML files as a ZIP for the SdI intermediary "
        "(e.g. --month 2026-03 --out /srv/sdi). Each file is validated against the schema."
    )

    def add_arguments(self, parser):
        parser.add_argument("--month", required=True, help="YYYY-MM")
        parser.add_argument("--out", required=True, help="directory to write the ZIP into")
        parser.add_argument(
            "--mark-sent", action="store_true", help="mark the exported files as sent"
        )
        parser.add_argument(
            "--include-sent",
            action="store_true",
            help="also the files already sent (by default only those still to send)",
        )

    def handle(self, *args, month, out, mark_sent=False, include_sent=False, **options):
        try:
            year, number = parse_month(month)
            export = fatturapa_export_month(
                year=year, month=number, mark_sent=mark_sent, include_sent=include_sent
            )
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        directory = Path(out)
        directory.mkdir(parents=True, exist_ok=True)
        path = directory / export.filename
        path.write_bytes(export.content)
        self.stdout.write(f"{len(export.files)} FatturaPA file(s) written to {path}")
