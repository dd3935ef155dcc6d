from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q

from accounts.models import User
from accounts.selectors import user_is_dmc_staff
from accounts.services import comune_organisation_create
from places.models import Comune


class Command(BaseCommand):
    help = (
        "Create the organisation of a comune of the Piana (its staff read the comune's "
        "tourist-movement dashboard) and invite its first owner by email."
    )

    def add_arguments(self, parser):
        parser.add_argument("comune", help="The comune's name or ISTAT code.")
        parser.add_argument("owner_email")
        parser.add_argument("--by", required=True, help="Email of the DMC staff member inviting.")

    def handle(self, *args, comune, owner_email, by, **options):
        inviter = User.objects.filter(email__iexact=by).first()
        if inviter is None or not user_is_dmc_staff(inviter):
            raise CommandError(f"{by!r} is not a member of the DMC's staff")
        found = Comune.objects.filter(
            Q(name__iexact=comune) | Q(istat_code=comune), in_destination=True
        ).first()
        if found is None:
            raise CommandError(f"No comune of the Piana di Lucca called {comune!r}")
        try:
            organisation, invitation = comune_organisation_create(
                comune=found, owner_email=owner_email, invited_by=inviter
            )
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        self.stdout.write(
            f"{organisation.name} ({organisation.slug}): invitation sent to {invitation.email}"
        )
