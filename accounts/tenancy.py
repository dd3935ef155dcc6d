"""Tenancy that fails closed: every organisation-scoped view and API viewset derives from the
classes here, which own `get_queryset`; subclasses describe their base queryset and cannot
replace the scoping. Objects of another organisation answer 404."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.http import Http404
from rest_framework import permissions, viewsets

from .models import ApiKey, Membership, Role


class _ScopedQuerysetMixin:
    #: The lookup from the model to the owning organisation, e.g. "product__organisation".
    organisation_field: str = "organisation"
    #: Kinds of organisation allowed to use the view (empty: every kind).
    organisation_kinds: tuple[str, ...] = ()
    #: Minimum membership role to read, and to write (defaults to the reading role).
    min_role: str = Role.STAFF
    min_write_role: str | None = None

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if "get_queryset" in cls.__dict__:
            raise TypeError(
                f"{cls.__name__} overrides get_queryset; override get_base_queryset instead "
                "so that organisation scoping cannot be bypassed"
            )

    def get_base_queryset(self):
        if getattr(self, "queryset", None) is not None:
            return self.queryset.all()
        model = getattr(self, "model", None)
        if model is None:
            raise ImproperlyConfigured(f"{type(self).__name__} needs a model or queryset")
        return model._default_manager.all()

    def get_queryset(self):
        organisation = self.get_organisation()
        if organisation is None:
            return self.get_base_queryset().none()
        return self.get_base_queryset().filter(**{self.organisation_field: organisation.pk})


class OrganisationScopedMixin(_ScopedQuerysetMixin, LoginRequiredMixin):
    """For server-rendered views: login required, active organisation of an allowed kind,
    membership role checked, querysets scoped to the active organisation."""

    def get_membership(self) -> Membership | None:
        membership = self.request.membership
        return membership._wrapped if membership else None  # unwrap the lazy object

    def get_organisation(self):
        membership = self.get_membership()
        return membership.organisation if membership else None

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        membership = self.get_membership()
        if membership is None:
            raise Http404("No organisation")
        if self.organisation_kinds and membership.organisation.kind not in self.organisation_kinds:
            raise Http404("Not available for this organisation")
        safe = request.method in ("GET", "HEAD", "OPTIONS")
        needed = self.min_role if safe else (self.min_write_role or self.min_role)
        if not membership.has_role(needed):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class IsOrganisationMember(permissions.BasePermission):
    """The request acts for an organisation: an API key, or a session user's membership."""

    message = "You must act for an organisation to use this endpoint."

    def has_permission(self, request, view):
        organisation = view.get_organisation()
        if organisation is None:
            return False
        if view.organisation_kinds and organisation.kind not in view.organisation_kinds:
            return False
        if isinstance(request.auth, ApiKey):
            return True
        membership = getattr(request._request, "membership", None)
        safe = request.method in permissions.SAFE_METHODS
        needed = view.min_role if safe else (view.min_write_role or view.min_role)
        return bool(membership) and membership.has_role(needed)


class OrganisationScopedViewSet(_ScopedQuerysetMixin, viewsets.GenericViewSet):
    """Base of every organisation-scoped API resource."""

    permission_classes = [permissions.IsAuthenticated, IsOrganisationMember]

    def get_organisation(self):
        if isinstance(self.request.auth, ApiKey):
            return self.request.auth.organisation
        membership = getattr(self.request._request, "membership", None)
        return membership.organisation if membership else None


class DmcStaffRequiredMixin(LoginRequiredMixin):
    """Back-office views of the DMC. `dmc_groups` narrows them to some permission groups
    (DMC admins always pass). Anybody else gets 404, so the back office leaks nothing."""

    dmc_groups: tuple[str, ...] = ()

    def dispatch(self, request, *args, **kwargs):
        from .selectors import user_in_dmc_group, user_is_dmc_staff

        if not request.user.is_authenticated:
            return self.handle_no_permission()
        allowed = (
            user_in_dmc_group(request.user, *self.dmc_groups)
            if self.dmc_groups
            else user_is_dmc_staff(request.user)
        )
        if not allowed:
            raise Http404("Back office only")
        return super().dispatch(request, *args, **kwargs)


class IsDmcStaff(permissions.BasePermission):
    """API access for DMC staff sessions (and DMC API keys)."""

    def has_permission(self, request, view):
        from .selectors import user_in_dmc_group, user_is_dmc_staff

        if isinstance(request.auth, ApiKey):
            return request.auth.organisation.is_dmc
        groups = getattr(view, "dmc_groups", ())
        user = request.user
        return user_in_dmc_group(user, *groups) if groups else user_is_dmc_staff(user)
