from django.core.management.base import BaseCommand

from operators.tasks import roll_inventory_forward


class Command(BaseCommand):
    help = "Generate slots and nightly inventory so that a full year ahead is bookable."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=365, help="Horizon in days (365).")

    def handle(self, *args, days=365, **options):
        if days < 1:
            self.stderr.write("--days must be at least 1")
            return
        made = roll_inventory_forward(horizon_days=days)
        self.stdout.write(f"Slots created: {made['slots']}, nights created: {made['nights']}")
