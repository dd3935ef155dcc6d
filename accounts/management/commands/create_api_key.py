from django.core.management.base import BaseCommand, CommandError

from accounts.models import Organisation
from accounts.services import api_key_create


class Command(BaseCommand):
    help = "Create an API key for an organisation and print it (it is shown only once)."

    def add_arguments(self, parser):
        parser.add_argument("organisation_slug")
        parser.add_argument("--name", required=True, help="A label for the key.")

    def handle(self, *args, organisation_slug, name, **options):
        organisation = Organisation.objects.filter(slug=organisation_slug).first()
        if organisation is None:
            raise CommandError(f"No organisation with slug {organisation_slug!r}")
        _api_key, raw = api_key_create(organisation=organisation, name=name)
        self.stdout.write(raw)
