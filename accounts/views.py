from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.http import require_POST
from django.views.generic import FormView, ListView, TemplateView, UpdateView

from . import services
from .forms import ApiKeyForm, InvitationForm, OrganisationProfileForm, OrganisationRegisterForm
from .middleware import ACTIVE_ORGANISATION_SESSION_KEY
from .models import ApiKey, Invitation, Membership, Organisation, Role
from .selectors import memberships_for_user
from .tenancy import OrganisationScopedMixin


@login_required
def home(request):
    """Where a user lands after login: the dashboard of their organisation, or their account."""
    return redirect("accounts:dashboard")


class DashboardView(LoginRequiredMixin, TemplateView):
    template_name = "accounts/dashboard.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        organisation = self.request.membership.organisation if self.request.membership else None
        context["organisation"] = organisation
        if organisation is not None:
            context["member_count"] = organisation.memberships.count()
            context["open_invitations"] = organisation.invitations.filter(
                accepted_at__isnull=True, revoked_at__isnull=True
            ).count()
        if self.request.user.is_superuser or (organisation and organisation.is_dmc):
            context["organisations_by_kind"] = (
                Organisation.objects.values("kind").annotate(n=Count("id")).order_by("kind")
            )
        return context


class OrganisationProfileView(OrganisationScopedMixin, UpdateView):
    model = Organisation
    organisation_field = "pk"
    form_class = OrganisationProfileForm
    template_name = "accounts/organisation_form.html"
    min_write_role = Role.MANAGER

    def get_object(self, queryset=None):
        return get_object_or_404(self.get_queryset())

    def form_valid(self, form):
        services.organisation_update(organisation=self.object, data=form.cleaned_data)
        messages.success(self.request, _("Organisation profile saved."))
        return redirect("accounts:organisation_profile")


class TeamView(OrganisationScopedMixin, ListView):
    model = Membership
    template_name = "accounts/team.html"
    context_object_name = "memberships"

    def get_base_queryset(self):
        return Membership.objects.select_related("user").order_by("user__email")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["invitations"] = Invitation.objects.filter(
            organisation=self.get_organisation(), accepted_at__isnull=True, revoked_at__isnull=True
        )
        context["form"] = kwargs.get("form") or InvitationForm()
        context["can_manage"] = self.get_membership().has_role(Role.MANAGER)
        return context


class InvitationCreateView(OrganisationScopedMixin, FormView):
    model = Invitation
    form_class = InvitationForm
    template_name = "accounts/team.html"
    min_write_role = Role.MANAGER
    http_method_names = ["post"]

    def form_valid(self, form):
        role = form.cleaned_data["role"]
        if role == Role.OWNER and not self.get_membership().has_role(Role.OWNER):
            raise PermissionDenied
        try:
            services.invitation_create(
                organisation=self.get_organisation(),
                email=form.cleaned_data["email"],
                role=role,
                invited_by=self.request.user,
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
            return self.form_invalid(form)
        messages.success(self.request, _("Invitation sent to %s.") % form.cleaned_data["email"])
        return redirect("accounts:team")

    def form_invalid(self, form):
        for errors in form.errors.values():
            for error in errors:
                messages.error(self.request, error)
        return redirect("accounts:team")


class InvitationRevokeView(OrganisationScopedMixin, View):
    model = Invitation
    min_write_role = Role.MANAGER

    def post(self, request, pk):
        invitation = get_object_or_404(self.get_queryset(), pk=pk)
        services.invitation_revoke(invitation=invitation)
        messages.success(request, _("Invitation revoked."))
        return redirect("accounts:team")


class InvitationAcceptView(View):
    """The link in the invitation email. Anonymous visitors log in or sign up first."""

    def get(self, request, token):
        invitation = get_object_or_404(
            Invitation.objects.select_related("organisation"), token=token
        )
        return render(request, "accounts/invitation_accept.html", {"invitation": invitation})

    def post(self, request, token):
        invitation = get_object_or_404(Invitation, token=token)
        if not request.user.is_authenticated:
            return redirect(f"{reverse('account_login')}?next={request.path}")
        try:
            membership = services.invitation_accept(invitation=invitation, user=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("accounts:dashboard")
        request.session[ACTIVE_ORGANISATION_SESSION_KEY] = membership.organisation_id
        messages.success(request, _("Welcome to %s.") % membership.organisation.name)
        return redirect("accounts:dashboard")


@login_required
@require_POST
def switch_organisation(request):
    wanted = request.POST.get("organisation")
    membership = memberships_for_user(request.user).filter(organisation_id=wanted).first()
    if membership is None:
        raise PermissionDenied
    request.session[ACTIVE_ORGANISATION_SESSION_KEY] = membership.organisation_id
    return redirect("accounts:dashboard")


class ApiKeyListView(OrganisationScopedMixin, ListView):
    model = ApiKey
    template_name = "accounts/api_keys.html"
    context_object_name = "api_keys"
    min_role = Role.MANAGER

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["form"] = ApiKeyForm()
        context["new_key"] = self.request.session.pop("new_api_key", None)
        return context

    def post(self, request):
        form = ApiKeyForm(request.POST)
        if form.is_valid():
            _key, raw = services.api_key_create(
                organisation=self.get_organisation(),
                name=form.cleaned_data["name"],
                created_by=request.user,
            )
            request.session["new_api_key"] = raw
            messages.success(request, _("API key created. Copy it now: it is shown only once."))
        else:
            messages.error(request, _("Give the key a label."))
        return redirect("accounts:api_keys")


class ApiKeyRevokeView(OrganisationScopedMixin, View):
    model = ApiKey
    min_role = Role.MANAGER

    def post(self, request, pk):
        api_key = get_object_or_404(self.get_queryset(), pk=pk)
        services.api_key_revoke(api_key=api_key)
        messages.success(request, _("API key revoked."))
        return redirect("accounts:api_keys")


class OrganisationRegisterView(LoginRequiredMixin, FormView):
    """Register a business; trade partners must give the fiscal data the DMC needs to invoice
    them (checked by the invoices app), operators their identity and payout IBAN later."""

    form_class = OrganisationRegisterForm
    template_name = "accounts/organisation_register.html"

    def form_valid(self, form):
        from invoices.fiscal import organisation_invoicing_problems

        organisation = form.instance
        if organisation.kind == "trade":
            for field, message in organisation_invoicing_problems(organisation).items():
                form.add_error(field if field in form.fields else None, message)
            if form.errors:
                return self.form_invalid(form)
        data = {k: v for k, v in form.cleaned_data.items() if k not in ("name", "kind")}
        organisation = services.organisation_create(
            name=form.cleaned_data["name"],
            kind=form.cleaned_data["kind"],
            owner=self.request.user,
            **data,
        )
        self.request.session[ACTIVE_ORGANISATION_SESSION_KEY] = organisation.pk
        messages.success(
            self.request, _("%(name)s is registered. Welcome!") % {"name": organisation.name}
        )
        return redirect("accounts:dashboard")
