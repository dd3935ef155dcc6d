"""DMC back office of the trade partners (list, contract editor with history, credit
exposure, applications) and the public partner application form."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView, TemplateView

from accounts.models import Organisation
from accounts.tenancy import DmcStaffRequiredMixin

from . import selectors, services
from .forms import ApplicationForm, ContractTermsForm, PriceRuleForm, RefuseForm, VersionForm
from .models import ApplicationStatus, ContractVersion, PartnerApplication, PriceRule


class PartnerListView(DmcStaffRequiredMixin, TemplateView):
    template_name = "trade/backoffice/list.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            rows=selectors.partners_overview(),
            pending=PartnerApplication.objects.filter(status=ApplicationStatus.PENDING).count(),
            today=timezone.localdate(),
            **kwargs,
        )


class PartnerMixin(DmcStaffRequiredMixin):
    def partner(self):
        return get_object_or_404(Organisation, kind="trade", slug=self.kwargs["slug"])


class PartnerDetailView(PartnerMixin, TemplateView):
    """The partner's contract editor: terms, versions with their rules, history, exposure."""

    template_name = "trade/backoffice/detail.html"

    def get_context_data(self, **kwargs):
        partner = self.partner()
        contract = services.contract_for(organisation=partner, actor=self.request.user)
        versions = list(contract.versions.prefetch_related("rules__product", "rules__package"))
        today = timezone.localdate()
        in_force = selectors.version_in_force(versions, today)
        editing = (
            next((v for v in versions if str(v.pk) == self.request.GET.get("version")), None)
            or in_force
            or (versions[0] if versions else None)
        )
        [row] = selectors.partners_overview(organisation_id=partner.pk)
        context = {
            "partner": partner,
            "contract": contract,
            "row": row,
            "versions": versions,
            "in_force": in_force,
            "editing": editing,
            "terms_form": kwargs.pop("terms_form", None) or ContractTermsForm(instance=contract),
            "rule_form": kwargs.pop("rule_form", None) or PriceRuleForm(),
            "version_form": kwargs.pop("version_form", None)
            or VersionForm(initial={"valid_from": today, "copy_rules": True}),
            "history": contract.changes.select_related("actor")[:50],
        }
        return super().get_context_data(**context, **kwargs)


class PartnerTermsView(PartnerMixin, View):
    def post(self, request, slug):
        partner = self.partner()
        contract = services.contract_for(organisation=partner, actor=request.user)
        form = ContractTermsForm(request.POST, instance=contract)
        if not form.is_valid():
            view = PartnerDetailView(request=request, kwargs=self.kwargs)
            return view.render_to_response(view.get_context_data(terms_form=form), status=400)
        services.contract_terms_update(
            contract=contract,
            actor=request.user,
            **{name: form.cleaned_data[name] for name in form.Meta.fields},
        )
        messages.success(request, _("The contract terms are saved."))
        return redirect("trade:backoffice_detail", slug=slug)


class VersionCreateView(PartnerMixin, View):
    def post(self, request, slug):
        partner = self.partner()
        contract = services.contract_for(organisation=partner, actor=request.user)
        form = VersionForm(request.POST)
        if form.is_valid():
            source = (
                selectors.version_in_force(list(contract.versions.all()), timezone.localdate())
                or contract.versions.first()
            )
            try:
                version = services.contract_version_create(
                    contract=contract,
                    valid_from=form.cleaned_data["valid_from"],
                    valid_until=form.cleaned_data["valid_until"],
                    note=form.cleaned_data["note"],
                    copy_rules_from=source if form.cleaned_data["copy_rules"] else None,
                    actor=request.user,
                )
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                messages.success(request, _("New version created."))
                url = reverse("trade:backoffice_detail", args=[slug])
                return redirect(f"{url}?version={version.pk}")
        view = PartnerDetailView(request=request, kwargs=self.kwargs)
        return view.render_to_response(view.get_context_data(version_form=form), status=400)


class RuleCreateView(PartnerMixin, View):
    def post(self, request, slug, version):
        partner = self.partner()
        version = get_object_or_404(ContractVersion, pk=version, contract__organisation=partner)
        rule = PriceRule(version=version)
        form = PriceRuleForm(request.POST, instance=rule)
        if form.is_valid():
            services.price_rule_save(rule=form.instance, actor=request.user)
            messages.success(request, _("Rule added."))
            url = reverse("trade:backoffice_detail", args=[slug])
            return redirect(f"{url}?version={version.pk}")
        request.GET = request.GET.copy()
        request.GET["version"] = str(version.pk)
        view = PartnerDetailView(request=request, kwargs=self.kwargs)
        return view.render_to_response(view.get_context_data(rule_form=form), status=400)


class RuleDeleteView(PartnerMixin, View):
    def post(self, request, slug, pk):
        partner = self.partner()
        rule = get_object_or_404(PriceRule, pk=pk, version__contract__organisation=partner)
        version_id = rule.version_id
        services.price_rule_delete(rule=rule, actor=request.user)
        messages.success(request, _("Rule removed."))
        url = reverse("trade:backoffice_detail", args=[slug])
        return redirect(f"{url}?version={version_id}")


class ApplicationListView(DmcStaffRequiredMixin, TemplateView):
    template_name = "trade/backoffice/applications.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            applications=PartnerApplication.objects.select_related("organisation")[:200],
            **kwargs,
        )


class ApplicationDetailView(DmcStaffRequiredMixin, TemplateView):
    template_name = "trade/backoffice/application.html"

    def get_context_data(self, **kwargs):
        application = get_object_or_404(PartnerApplication, pk=self.kwargs["pk"])
        return super().get_context_data(
            application=application,
            refuse_form=kwargs.pop("refuse_form", None) or RefuseForm(),
            **kwargs,
        )

    def post(self, request, pk):
        application = get_object_or_404(PartnerApplication, pk=pk)
        try:
            if request.POST.get("decision") == "approve":
                organisation = services.application_approve(
                    application=application, actor=request.user
                )
                messages.success(
                    request, _("Approved: the partner is created and its owner invited.")
                )
                return redirect("trade:backoffice_detail", slug=organisation.slug)
            form = RefuseForm(request.POST)
            if not form.is_valid():
                return self.render_to_response(self.get_context_data(refuse_form=form), status=400)
            services.application_refuse(
                application=application, actor=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("trade:backoffice_application", pk=pk)
        messages.success(request, _("The application is refused; the applicant is told why."))
        return redirect("trade:backoffice_applications")


class ApplyView(FormView):
    """The public partner application form."""

    template_name = "trade/apply.html"
    form_class = ApplicationForm

    def form_valid(self, form):
        form.instance.language = (get_language() or "en")[:5]
        services.application_submit(application=form.instance)
        return redirect("trade:apply_thanks")


class ApplyThanksView(TemplateView):
    template_name = "trade/apply_thanks.html"
