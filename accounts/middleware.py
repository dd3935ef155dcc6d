from django.utils.functional import SimpleLazyObject

ACTIVE_ORGANISATION_SESSION_KEY = "active_organisation_id"


def _active_membership(request):
    from .selectors import memberships_for_user

    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    memberships = list(memberships_for_user(user).order_by("organisation__name"))
    if not memberships:
        return None
    wanted = request.session.get(ACTIVE_ORGANISATION_SESSION_KEY)
    for membership in memberships:
        if membership.organisation_id == wanted:
            return membership
    return memberships[0]


class ActiveOrganisationMiddleware:
    """Puts the user's active membership and organisation on the request (lazily).

    The active organisation is chosen with the switcher and kept in the session; it is always
    one the user belongs to, so it can be trusted for scoping.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.membership = SimpleLazyObject(lambda: _active_membership(request))
        request.organisation = SimpleLazyObject(
            lambda: request.membership.organisation if request.membership else None
        )
        return self.get_response(request)
