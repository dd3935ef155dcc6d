"""Pages: the DMC's allotment editor and release report (back office), the partner's view of
its allotments (trade area). Thin: forms validate, services change, selectors read."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import DetailView, ListView, TemplateView

from accounts.tenancy import DmcStaffRequiredMixin, OrganisationScopedMixin
from marketplace.errors import DomainError

from . import selectors, services
from .errors import AllotmentRefused
from .forms import (
    AllotmentCreateForm,
    AllotmentEditForm,
    BackofficeFilterForm,
    ReleaseReportFilterForm,
)
from .models import Allotment, AllotmentStatus


def _add_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _usage_rows(allotment):
    rows = selectors.allotment_usage(allotment)
    for row in rows:
        row["per_slot"] = row["allotted"] // row["slots"] if row["slots"] else row["allotted"]
    return rows


# --- DMC back office -----------------------------------------------------------------------


class BackofficeAllotmentListView(DmcStaffRequiredMixin, ListView):
    template_name = "allotments/backoffice/list.html"
    context_object_name = "allotments"
    paginate_by = 50

    def get_queryset(self):
        self.filter_form = BackofficeFilterForm(self.request.GET or None)
        filters = self.filter_form.cleaned_data if self.filter_form.is_valid() else {}
        partner = filters.get("partner")
        return selectors.allotments_for_backoffice(
            partner_id=partner.pk if partner else None, status=filters.get("status") or None
        )

    def get_context_data(self, **kwargs):
        return super().get_context_data(filter_form=self.filter_form, **kwargs)


class BackofficeAllotmentCreateView(DmcStaffRequiredMixin, View):
    template_name = "allotments/backoffice/create.html"

    def get(self, request):
        initial = {"partner": request.GET.get("partner")} if request.GET.get("partner") else {}
        return render(request, self.template_name, {"form": AllotmentCreateForm(initial=initial)})

    def post(self, request):
        form = AllotmentCreateForm(request.POST)
        problems = []
        if form.is_valid():
            data = form.cleaned_data
            try:
                allotment = services.allotment_create(
                    partner=data["partner"],
                    product=data["product"],
                    unit_type=data["unit_type"],
                    start_date=data["start_date"],
                    end_date=data["end_date"],
                    quantity=data["quantity"],
                    release_days=data["release_days"],
                    overrides=data["overrides"],
                    notes=data["notes"],
                    actor=request.user,
                )
            except ValidationError as exc:
                _add_errors(form, exc)
            except AllotmentRefused as exc:
                problems = exc.problems
            else:
                messages.success(
                    request,
                    _("Allotment %(ref)s created: its places are held for %(partner)s.")
                    % {"ref": allotment.reference, "partner": allotment.partner},
                )
                return redirect("allotments:backoffice_detail", pk=allotment.pk)
        return render(request, self.template_name, {"form": form, "problems": problems}, status=400)


class BackofficeAllotmentDetailView(DmcStaffRequiredMixin, View):
    """The editor: usage per day, shrink or enlarge days, release period, history, close."""

    template_name = "allotments/backoffice/detail.html"

    def _allotment(self, pk):
        allotment = selectors.allotments_for_backoffice().filter(pk=pk).first()
        if allotment is None:
            raise Http404
        return allotment

    def _render(self, request, allotment, form=None, problems=(), status=200):
        rows = _usage_rows(allotment)
        open_rows = [r for r in rows if not r["is_released"]]
        if form is None:
            form = AllotmentEditForm(
                days=open_rows,
                initial={"release_days": allotment.release_days, "notes": allotment.notes},
            )
        inputs = {day["date"]: field for day, field in form.day_fields}
        for row in rows:
            row["input"] = inputs.get(row["date"])
        context = {
            "allotment": allotment,
            "rows": rows,
            "form": form,
            "problems": problems,
            "history": selectors.allotment_history(allotment),
            "is_active": allotment.status == AllotmentStatus.ACTIVE,
            "report": selectors.release_report(allotment_id=allotment.pk),
        }
        return render(request, self.template_name, context, status=status)

    def get(self, request, pk):
        return self._render(request, self._allotment(pk))

    def post(self, request, pk):
        allotment = self._allotment(pk)
        open_rows = [r for r in _usage_rows(allotment) if not r["is_released"]]
        form = AllotmentEditForm(request.POST, days=open_rows)
        if not form.is_valid():
            return self._render(request, allotment, form, status=400)
        per_slot = {r["date"]: r["per_slot"] for r in open_rows}
        quantities = {
            day: value for day, value in form.quantities().items() if per_slot.get(day) != value
        }
        try:
            services.allotment_update(
                allotment=allotment,
                quantities=quantities,
                release_days=form.cleaned_data["release_days"],
                notes=form.cleaned_data["notes"],
                actor=request.user,
            )
        except ValidationError as exc:
            _add_errors(form, exc)
            return self._render(request, allotment, form, status=400)
        except DomainError as exc:
            problems = getattr(exc, "problems", None) or [exc.message]
            return self._render(request, allotment, form, problems=problems, status=409)
        messages.success(request, _("Allotment %(ref)s saved.") % {"ref": allotment.reference})
        return redirect("allotments:backoffice_detail", pk=allotment.pk)


class BackofficeAllotmentCloseView(DmcStaffRequiredMixin, View):
    def post(self, request, pk):
        allotment = get_object_or_404(Allotment, pk=pk)
        services.allotment_close(allotment=allotment, actor=request.user)
        messages.success(
            request,
            _("Allotment %(ref)s closed: its unsold places are back in general sale.")
            % {"ref": allotment.reference},
        )
        return redirect("allotments:backoffice_detail", pk=allotment.pk)


class BackofficeReleaseReportView(DmcStaffRequiredMixin, TemplateView):
    template_name = "allotments/backoffice/releases.html"

    def get_context_data(self, **kwargs):
        form = ReleaseReportFilterForm(self.request.GET or None)
        filters = form.cleaned_data if form.is_valid() else {}
        partner = filters.get("partner")
        rows = selectors.release_report(
            partner_id=partner.pk if partner else None,
            date_from=filters.get("date_from"),
            date_to=filters.get("date_to"),
        )
        return super().get_context_data(filter_form=form, rows=rows[:1000], **kwargs)


# --- the partner's view ----------------------------------------------------------------------


class TradeAllotmentMixin(OrganisationScopedMixin):
    model = Allotment
    organisation_field = "partner"
    organisation_kinds = ("trade",)

    def get_base_queryset(self):
        return selectors.allotments_for_partner(Allotment.objects.all())


class TradeAllotmentListView(TradeAllotmentMixin, ListView):
    template_name = "allotments/trade/list.html"
    context_object_name = "allotments"
    paginate_by = 50


class TradeAllotmentDetailView(TradeAllotmentMixin, DetailView):
    template_name = "allotments/trade/detail.html"
    context_object_name = "allotment"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        allotment = self.object
        context["rows"] = _usage_rows(allotment)
        context["report"] = selectors.release_report(allotment_id=allotment.pk)
        context["bookings_url"] = reverse("bookings:trade_list")
        return context
