from django.core.management.base import BaseCommand
from django.db import transaction

from accounts import demo as accounts_demo
from places.services import comuni_ensure_piana


class Command(BaseCommand):
    help = "Load the demo data of the Piana di Lucca (idempotent: run it as often as you like)."

    def add_arguments(self, parser):
        parser.add_argument("--quiet-logins", action="store_true", help="Do not print the logins.")

    def handle(self, *args, quiet_logins=False, **options):
        with transaction.atomic():
            comuni_ensure_piana()
            result = accounts_demo.seed()
        if not quiet_logins:
            print_logins(self.stdout, result)
        self.stdout.write(self.style.SUCCESS("Demo data of the Piana di Lucca loaded."))


def print_logins(stdout, result):
    stdout.write("")
    stdout.write(f"Demo logins (password for all: {result['password']})")
    for label, email in result["logins"].items():
        stdout.write(f"  {label:<58} {email}")
    stdout.write(f"  Tour operator API key: {result['api_key']}")
    stdout.write("")
