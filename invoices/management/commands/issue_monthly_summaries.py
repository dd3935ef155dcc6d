from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from invoices.adapters import monthly_summaries_issue, statements_for_month
from invoices.exports import parse_month
from invoices.tasks import previous_month


class Command(BaseCommand):
    help = (
        "Issue the monthly summary invoices of the trade partners on account for a month that "
        "is over (default: last month) and build the operators' statements of that month. "
        "Idempotent: a partner's month is summarised once."
    )

    def add_arguments(self, parser):
        parser.add_argument("--month", help="YYYY-MM (default: last month)")
        parser.add_argument(
            "--no-statements", action="store_true", help="do not (re)build operator statements"
        )

    def handle(self, *args, month=None, no_statements=False, **options):
        try:
            year, number = parse_month(month) if month else previous_month()
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        result = monthly_summaries_issue(year=year, month=number)
        for document in result["issued"]:
            self.stdout.write(f"{document.number}  {document.customer_name}  {document.total}")
        for partner, problems in result["failed"].items():
            details = "; ".join(problems.values())
            self.stderr.write(self.style.ERROR(f"{partner}: not issued: {details}"))
        self.stdout.write(f"{len(result['issued'])} summary invoice(s) for {year}-{number:02d}")
        if not no_statements:
            statements = statements_for_month(year=year, month=number)
            self.stdout.write(f"{len(statements)} operator statement(s) built")
        if result["failed"]:
            raise CommandError("Some partners could not be invoiced; see above.")
