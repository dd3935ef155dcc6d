from django.core.management.base import BaseCommand

from portal.content import portal_content_load


class Command(BaseCommand):
    help = "Load the portal's destination content from portal/data/*.yaml (idempotent)."

    def handle(self, *args, **options):
        report = portal_content_load()
        for name, count in report.counts.items():
            self.stdout.write(f"  {name}: {count}")
        for line in report.skipped:
            self.stdout.write(self.style.WARNING(f"  skipped {line}"))
