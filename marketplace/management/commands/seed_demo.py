import importlib

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import translation

from places.services import comuni_ensure_piana

# Each app may offer `<app>/demo.py` with `seed(context: dict) -> None`; they run in this order
# and share `context` (e.g. the organisations made by accounts).
DEMO_APPS = (
    "accounts",
    "operators",
    "packages",
    "trade",
    "bookings",
    "payments",
    "invoices",
    "portal",
    "insights",
    "iat",
    "allotments",
    "tradeportal",
    "webhooks",
    "octo",
)


class Command(BaseCommand):
    help = "Load the demo data of the Piana di Lucca (idempotent: run it as often as you like)."

    def add_arguments(self, parser):
        parser.add_argument("--quiet-logins", action="store_true", help="Do not print the logins.")

    def handle(self, *args, quiet_logins=False, **options):
        context: dict = {}
        # Texts are written per language explicitly; the active language must not leak in.
        with translation.override(settings.LANGUAGE_CODE), transaction.atomic():
            comuni_ensure_piana()
            for app in DEMO_APPS:
                try:
                    module = importlib.import_module(f"{app}.demo")
                except ModuleNotFoundError as exc:
                    if exc.name != f"{app}.demo":
                        raise
                    continue
                module.seed(context)
                self.stdout.write(f"  {app}: demo data ready")
        if not quiet_logins:
            print_logins(self.stdout, context["accounts"])
        self.stdout.write(self.style.SUCCESS("Demo data of the Piana di Lucca loaded."))


def print_logins(stdout, result):
    stdout.write("")
    stdout.write(f"Demo logins (password for all: {result['password']})")
    for label, email in result["logins"].items():
        stdout.write(f"  {label:<58} {email}")
    stdout.write(f"  Tour operator API key: {result['api_key']}")
    stdout.write("")
