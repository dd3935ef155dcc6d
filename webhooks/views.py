"""The partner's webhook pages (/<lang>/trade/webhooks/): its endpoints, each one's delivery
log with redelivery, the test event; for the partner's owners and managers only."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from accounts.models import Role
from accounts.tenancy import OrganisationScopedMixin

from . import services
from .forms import EndpointForm
from .models import DeliveryStatus, WebhookDelivery, WebhookEndpoint

SECRET_SESSION_KEY = "webhooks_new_secret"


class PartnerWebhooksMixin(OrganisationScopedMixin):
    model = WebhookEndpoint
    organisation_kinds = ("trade",)
    min_role = Role.MANAGER

    def get_endpoint(self, pk) -> WebhookEndpoint:
        return get_object_or_404(self.get_queryset(), pk=pk)


def _form_errors(form, exc: ValidationError) -> None:
    for field, errors in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


class EndpointListView(PartnerWebhooksMixin, TemplateView):
    template_name = "webhooks/endpoints.html"

    def get_context_data(self, form=None, **kwargs):
        context = super().get_context_data(**kwargs)
        context["endpoints"] = self.get_queryset()
        context["form"] = form or EndpointForm()
        return context

    def post(self, request):
        form = EndpointForm(request.POST)
        if form.is_valid():
            try:
                endpoint = services.endpoint_create(
                    organisation=self.get_organisation(),
                    created_by=request.user,
                    **form.cleaned_data,
                )
            except ValidationError as exc:
                _form_errors(form, exc)
            else:
                request.session[SECRET_SESSION_KEY] = [endpoint.pk, endpoint.secret]
                messages.success(
                    request, _("Endpoint added. Copy its signing secret now: it is shown once.")
                )
                return redirect("webhooks:endpoint", pk=endpoint.pk)
        return self.render_to_response(self.get_context_data(form=form), status=400)


class EndpointDetailView(PartnerWebhooksMixin, TemplateView):
    """The endpoint's settings and its delivery log (newest first, 25 a page)."""

    template_name = "webhooks/endpoint.html"

    def get_context_data(self, form=None, **kwargs):
        context = super().get_context_data(**kwargs)
        endpoint = self.get_endpoint(self.kwargs["pk"])
        deliveries = (
            WebhookDelivery.objects.filter(endpoint=endpoint)
            .select_related("event")
            .order_by("-created_at", "-pk")
        )
        status = self.request.GET.get("status", "")
        if status in DeliveryStatus.values:
            deliveries = deliveries.filter(status=status)
        page = Paginator(deliveries, 25).get_page(self.request.GET.get("page"))
        shown = self.request.session.get(SECRET_SESSION_KEY)
        new_secret = None
        if shown and shown[0] == endpoint.pk:
            new_secret = self.request.session.pop(SECRET_SESSION_KEY)[1]
        context.update(
            endpoint=endpoint,
            page_obj=page,
            deliveries=page.object_list,
            statuses=DeliveryStatus.choices,
            status=status,
            new_secret=new_secret,
            form=form
            or EndpointForm(
                initial={
                    "url": endpoint.url,
                    "description": endpoint.description,
                    "events": endpoint.events,
                }
            ),
        )
        return context

    def post(self, request, pk):
        endpoint = self.get_endpoint(pk)
        form = EndpointForm(request.POST)
        if form.is_valid():
            try:
                services.endpoint_update(endpoint=endpoint, **form.cleaned_data)
            except ValidationError as exc:
                _form_errors(form, exc)
            else:
                messages.success(request, _("Endpoint saved."))
                return redirect("webhooks:endpoint", pk=endpoint.pk)
        return self.render_to_response(self.get_context_data(form=form), status=400)


class EndpointActionView(PartnerWebhooksMixin, View):
    """POST-only actions on an endpoint: test, enable, disable, roll the secret, delete."""

    def post(self, request, pk, action):
        endpoint = self.get_endpoint(pk)
        if action == "test":
            delivery = services.endpoint_send_test(endpoint=endpoint)
            _tell_outcome(request, delivery)
        elif action == "enable":
            services.endpoint_enable(endpoint=endpoint)
            messages.success(request, _("Endpoint enabled."))
        elif action == "disable":
            services.endpoint_disable(endpoint=endpoint, reason=_("Disabled by the partner."))
            messages.success(request, _("Endpoint disabled: no events are sent to it."))
        elif action == "roll-secret":
            secret = services.endpoint_roll_secret(endpoint=endpoint)
            request.session[SECRET_SESSION_KEY] = [endpoint.pk, secret]
            messages.success(request, _("New signing secret: copy it now, it is shown once."))
        elif action == "delete":
            services.endpoint_delete(endpoint=endpoint)
            messages.success(request, _("Endpoint deleted."))
            return redirect("webhooks:endpoints")
        else:
            return redirect("webhooks:endpoint", pk=endpoint.pk)
        return redirect("webhooks:endpoint", pk=endpoint.pk)


def _tell_outcome(request, delivery) -> None:
    if delivery.status == DeliveryStatus.SUCCEEDED:
        messages.success(
            request,
            _("Delivered: your endpoint answered %(code)s in %(ms)s ms.")
            % {"code": delivery.response_code, "ms": delivery.duration_ms},
        )
    else:
        messages.error(
            request,
            _("Not delivered: %(error)s. It will be retried.")
            % {"error": delivery.last_error or delivery.response_code},
        )


class RedeliverView(PartnerWebhooksMixin, View):
    def post(self, request, pk, delivery_pk):
        endpoint = self.get_endpoint(pk)
        delivery = get_object_or_404(WebhookDelivery, pk=delivery_pk, endpoint=endpoint)
        delivery = services.delivery_redeliver(delivery=delivery)
        _tell_outcome(request, delivery)
        return redirect("webhooks:endpoint", pk=endpoint.pk)
