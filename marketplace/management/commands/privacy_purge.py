from django.core.management.base import BaseCommand

from marketplace.privacy import KINDS, privacy_purge


class Command(BaseCommand):
    help = (
        "Apply the privacy notice's retention periods: blank old dietary and accessibility "
        "needs, anonymise old unpaid cancelled bookings, delete security logs older than "
        "6 months."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="Count what would be purged; change nothing."
        )

    def handle(self, *args, **options):
        dry_run = options["dry_run"]
        counts = privacy_purge(dry_run=dry_run)
        verb = "would be purged" if dry_run else "purged"
        for kind in KINDS:
            self.stdout.write(f"{kind}: {counts[kind]} {verb}")
