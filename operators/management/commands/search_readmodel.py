from django.core.management.base import BaseCommand, CommandError

from operators import readmodel


class Command(BaseCommand):
    help = (
        "Check the availability search's read model against the counters (--check, the "
        "default) or recompute it (--rebuild). PostgreSQL only: elsewhere the search reads the "
        "counters directly."
    )

    def add_arguments(self, parser):
        parser.add_argument("--rebuild", action="store_true", help="Recompute every row.")

    def handle(self, *args, rebuild=False, **options):
        if not readmodel.enabled():
            self.stdout.write("No read model on this database: the search reads the counters.")
            return
        if rebuild:
            readmodel.rebuild()
            self.stdout.write("Read model rebuilt.")
        differences = readmodel.differences()
        for product_id, day, stored, computed in differences:
            what = f"day {day}" if day else "price_from"
            self.stdout.write(f"product {product_id} {what}: stored {stored}, computed {computed}")
        if differences:
            raise CommandError(f"{len(differences)} difference(s) (at most 20 are listed).")
        self.stdout.write("Read model = counters.")
