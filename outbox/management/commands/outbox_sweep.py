from django.core.management.base import BaseCommand

from outbox.services import outbox_sweep


class Command(BaseCommand):
    help = "Run the outbox rows that are due (what a broker outage or a dead worker left)."

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=500)

    def handle(self, *args, limit, **options):
        result = outbox_sweep(limit=limit)
        self.stdout.write(f"outbox: {result['done']} done, {result['failed']} failed")
