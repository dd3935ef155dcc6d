from django.db.models import QuerySet

from .models import Membership, Organisation, OrganisationKind, User
from .services import DmcGroup


def organisations_for_user(user: User) -> QuerySet[Organisation]:
    if not user.is_authenticated:
        return Organisation.objects.none()
    return Organisation.objects.filter(memberships__user=user, is_active=True)


def memberships_for_user(user: User) -> QuerySet[Membership]:
    return Membership.objects.filter(user=user, organisation__is_active=True).select_related(
        "organisation"
    )


def user_is_dmc_staff(user: User) -> bool:
    """DMC staff: members of the DMC organisation, or superusers."""
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return Membership.objects.filter(
        user=user, organisation__kind=OrganisationKind.DMC, organisation__is_active=True
    ).exists()


def user_in_dmc_group(user: User, *groups: str) -> bool:
    """A DMC staff member in one of the permission groups; DMC admins pass every check."""
    if not user_is_dmc_staff(user):
        return False
    if user.is_superuser:
        return True
    names = set(groups) | {DmcGroup.ADMIN}
    return user.groups.filter(name__in=names).exists()
