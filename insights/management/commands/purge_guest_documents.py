from django.core.management.base import BaseCommand

from insights.statutory import guest_documents_purge


class Command(BaseCommand):
    help = "Delete guests' document data past its retention date."

    def handle(self, *args, **options):
        self.stdout.write(f"{guest_documents_purge()} guests' document data purged")
