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
    """DMC staff: members of the DMC organisation, or superusers. Cached on the user object
    for the request (the navigation asks several times)."""
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    cached = getattr(user, "_is_dmc_staff", None)
    if cached is None:
        cached = Membership.objects.filter(
            user=user, organisation__kind=OrganisationKind.DMC, organisation__is_active=True
        ).exists()
        user._is_dmc_staff = cached
    return cached


def user_in_dmc_group(user: User, *groups: str) -> bool:
    """A DMC staff member in one of the permission groups; DMC admins pass every check."""
    if not user_is_dmc_staff(user):
        return False
    if user.is_superuser:
        return True
    names = getattr(user, "_group_names", None)
    if names is None:
        names = set(user.groups.values_list("name", flat=True))
        user._group_names = names
    return bool(names & (set(groups) | {DmcGroup.ADMIN}))
