"""Operator extranet and DMC curation desk: thin views over services and selectors."""

from __future__ import annotations

from datetime import date, timedelta

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from accounts.models import Role
from accounts.services import DmcGroup
from accounts.tenancy import DmcStaffRequiredMixin, OrganisationScopedMixin

from . import inventory, revisions, selectors, services
from .forms import (
    CurationDecisionForm,
    NightBulkForm,
    PhotoForm,
    RateForm,
    ScheduleForm,
    SeasonForm,
    SlotBulkForm,
    SlotCreateForm,
    SlotEditForm,
    StockForm,
    UnitTypeForm,
    add_service_errors,
    product_form_class,
)
from .ical import slots_calendar
from .models import (
    GoodsStock,
    Product,
    ProductKind,
    ProductPhoto,
    ProductRevision,
    ProductStatus,
    Rate,
    RateChange,
    Season,
    Slot,
    UnitType,
)


class OperatorMixin(OrganisationScopedMixin):
    """Extranet pages: the operator's own products; managers and owners change them."""

    model = Product
    organisation_field = "organisation"
    organisation_kinds = ("operator",)
    min_role = Role.STAFF
    min_write_role = Role.MANAGER

    def get_product(self, pk) -> Product:
        return get_object_or_404(self.get_queryset(), pk=pk)

    def can_edit(self) -> bool:
        return self.get_membership().has_role(Role.MANAGER)


class ProductMixin(OperatorMixin):
    """A page about one of the operator's products (404 for another tenant's)."""

    tab = ""

    def product_context(self, product, **extra):
        return {
            "product": product,
            "tab": self.tab,
            "can_edit": self.can_edit(),
            "organisation": self.get_organisation(),
            **extra,
        }


# --- Dashboard and listings -----------------------------------------------------------------


class DashboardView(OperatorMixin, TemplateView):
    template_name = "operators/dashboard.html"

    def get_context_data(self, **kwargs):
        organisation = self.get_organisation()
        return {
            **super().get_context_data(**kwargs),
            "organisation": organisation,
            "stats": selectors.operator_dashboard(organisation=organisation),
            "products": selectors.operator_products(organisation=organisation)[:8],
            "onboarding": selectors.onboarding_steps(organisation),
            "kinds": ProductKind.choices,
            "can_edit": self.can_edit(),
        }


class ProductListView(OperatorMixin, TemplateView):
    template_name = "operators/product_list.html"

    def get_context_data(self, **kwargs):
        organisation = self.get_organisation()
        return {
            **super().get_context_data(**kwargs),
            "products": selectors.operator_products(organisation=organisation),
            "kinds": ProductKind.choices,
            "can_edit": self.can_edit(),
        }


class ProductCreateView(OperatorMixin, TemplateView):
    template_name = "operators/product_form.html"

    def kind(self) -> str:
        kind = self.request.GET.get("kind") or self.request.POST.get("kind")
        if kind not in ProductKind.values:
            raise Http404("Unknown kind")
        return kind

    def get_context_data(self, form=None, **kwargs):
        kind = self.kind()
        organisation = self.get_organisation()
        form = form or product_form_class(kind)(
            organisation=organisation,
            instance=Product(kind=kind, organisation=organisation),
            initial={"comune": organisation.comune_id, "address": organisation.address},
        )
        return {
            **super().get_context_data(**kwargs),
            "form": form,
            "kind": kind,
            "kind_label": ProductKind(kind).label,
            "can_edit": True,
        }

    def post(self, request):
        kind = self.kind()
        organisation = self.get_organisation()
        form = product_form_class(kind)(
            request.POST,
            organisation=organisation,
            instance=Product(kind=kind, organisation=organisation),
        )
        if form.is_valid():
            try:
                product = services.product_create(
                    organisation=organisation, kind=kind, data=form.cleaned_data, actor=request.user
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Listing created as a draft. Add prices and photos."))
                return redirect("operators:product_edit", pk=product.pk)
        return self.render_to_response(self.get_context_data(form=form))


class ProductEditView(ProductMixin, TemplateView):
    template_name = "operators/product_form.html"
    tab = "edit"

    def get_context_data(self, product=None, form=None, photo_form=None, **kwargs):
        product = product or self.get_product(self.kwargs["pk"])
        revision = revisions.pending_revision(product)
        form = form or product_form_class(product.kind)(
            organisation=self.get_organisation(),
            instance=product,
            initial=revisions.form_initial(revision),
        )
        return {
            **super().get_context_data(**kwargs),
            **self.product_context(product),
            "form": form,
            "photo_form": photo_form or PhotoForm(),
            "photos": product.photos.all(),
            "kind": product.kind,
            "kind_label": product.get_kind_display(),
            "warn_resubmit": services.content_would_resubmit(product=product),
            "is_live": revisions.is_live(product),
            "revision": revision,
            "last_revision": product.revisions.exclude(status="pending").first(),
            # Going back to review from a published listing happens by editing its content.
            "transitions": [
                to
                for to in services.allowed_transitions(product=product, actor=self.request.user)
                if not (
                    to == ProductStatus.SUBMITTED
                    and product.status in (ProductStatus.PUBLISHED, ProductStatus.APPROVED)
                )
            ],
            "history": selectors.curation_history(product)[:10],
        }

    def post(self, request, pk):
        product = self.get_product(pk)
        was = product.status
        form = product_form_class(product.kind)(
            request.POST, organisation=self.get_organisation(), instance=product
        )
        if form.is_valid():
            try:
                product = services.product_update(
                    product=product, data=form.cleaned_data, actor=request.user
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                if getattr(product, "_revision", None) is not None:
                    messages.info(
                        request,
                        _(
                            "Saved as a draft for the DMC's review. The listing stays on sale "
                            "with its current content until the DMC approves the change."
                        ),
                    )
                elif product.status != was:
                    messages.warning(
                        request,
                        _(
                            "Saved. The content changed, so the listing went back to the DMC "
                            "for review and is off sale until it is published again."
                        ),
                    )
                else:
                    messages.success(request, _("Listing saved."))
                return redirect("operators:product_edit", pk=product.pk)
        product = self.get_product(pk)
        return self.render_to_response(self.get_context_data(product=product, form=form))


class ProductPhotoUploadView(ProductMixin, View):
    def post(self, request, pk):
        product = self.get_product(pk)
        form = PhotoForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                services.photo_add(
                    product=product,
                    image=form.cleaned_data["image"],
                    alt_text=form.cleaned_data["alt_text"],
                    actor=request.user,
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Photo added."))
                return redirect("operators:product_edit", pk=product.pk)
        view = ProductEditView(request=request, kwargs={"pk": pk}, args=())
        return view.render_to_response(
            view.get_context_data(product=product, photo_form=form), status=400
        )


class PhotoDeleteView(OperatorMixin, View):
    model = ProductPhoto
    organisation_field = "product__organisation"

    def post(self, request, pk):
        photo = get_object_or_404(self.get_queryset(), pk=pk)
        product_pk = photo.product_id
        services.photo_delete(photo=photo, actor=request.user)
        messages.success(request, _("Photo removed."))
        return redirect("operators:product_edit", pk=product_pk)


class ProductStatusView(ProductMixin, View):
    """The operator submits, withdraws, archives or reopens a listing."""

    def post(self, request, pk):
        product = self.get_product(pk)
        to_status = request.POST.get("to_status", "")
        if to_status not in ProductStatus.values:
            raise Http404
        try:
            services.product_transition(product=product, to_status=to_status, actor=request.user)
        except ValidationError as exc:
            for error in exc.messages:
                messages.error(request, error)
        else:
            messages.success(
                request,
                _("Status changed to “%(status)s”.") % {"status": ProductStatus(to_status).label},
            )
        return redirect(request.POST.get("next") or reverse("operators:product_edit", args=[pk]))


# --- Rates ----------------------------------------------------------------------------------


class RatesView(ProductMixin, TemplateView):
    template_name = "operators/rates.html"
    tab = "rates"

    def _editing(self, product) -> Rate | None:
        pk = self.request.POST.get("rate") or self.request.GET.get("rate")
        if not pk:
            return None
        return get_object_or_404(Rate, product=product, pk=pk if str(pk).isdigit() else 0)

    def get_context_data(self, product=None, season_form=None, rate_form=None, **kwargs):
        product = product or self.get_product(self.kwargs["pk"])
        editing = self._editing(product)
        if rate_form is None:
            initial = None
            if editing is not None:
                initial = {f: getattr(editing, f) for f in RateForm.base_fields}
                initial["weekdays"] = list(editing.weekdays)
            rate_form = RateForm(product=product, initial=initial)
        return {
            **super().get_context_data(**kwargs),
            **self.product_context(product),
            "rates": selectors.rates_of(product),
            "rate_changes": selectors.rate_changes_of(product),
            "seasons": product.seasons.all(),
            "season_form": season_form or SeasonForm(),
            "rate_form": rate_form,
            "editing": editing,
            "commission": services.default_commission(product.organisation),
        }

    def post(self, request, pk):
        product = self.get_product(pk)
        season_form = rate_form = None
        if request.POST.get("form") == "season":
            season_form = SeasonForm(request.POST)
            if season_form.is_valid():
                try:
                    services.season_save(product=product, data=season_form.cleaned_data)
                except ValidationError as exc:
                    add_service_errors(season_form, exc)
                else:
                    messages.success(request, _("Season added."))
                    return redirect("operators:rates", pk=pk)
        else:
            editing = self._editing(product)
            rate_form = RateForm(request.POST, product=product)
            if rate_form.is_valid():
                try:
                    result = services.rate_save(
                        product=product,
                        data=rate_form.cleaned_data,
                        rate=editing,
                        actor=request.user,
                    )
                except ValidationError as exc:
                    add_service_errors(rate_form, exc)
                else:
                    if isinstance(result, RateChange):
                        messages.warning(
                            request,
                            _(
                                "This price leaves the DMC %(percent)s%% commission, less than "
                                "your contract's %(contract)s%%: it was sent to the DMC for "
                                "approval. Until then the current prices stay in force."
                            )
                            % {
                                "percent": result.commission_percent,
                                "contract": result.contract_commission_percent,
                            },
                        )
                    else:
                        messages.success(
                            request, _("Price saved.") if editing else _("Price added.")
                        )
                    return redirect("operators:rates", pk=pk)
        context = self.get_context_data(
            product=product, season_form=season_form, rate_form=rate_form
        )
        return self.render_to_response(context, status=400)


class RateDeleteView(OperatorMixin, View):
    model = Rate
    organisation_field = "product__organisation"

    def post(self, request, pk):
        rate = get_object_or_404(self.get_queryset(), pk=pk)
        product_pk = rate.product_id
        services.rate_delete(rate=rate)
        messages.success(request, _("Price removed."))
        return redirect("operators:rates", pk=product_pk)


class SeasonDeleteView(OperatorMixin, View):
    model = Season
    organisation_field = "product__organisation"

    def post(self, request, pk):
        season = get_object_or_404(self.get_queryset(), pk=pk)
        product_pk = season.product_id
        services.season_delete(season=season)
        messages.success(request, _("Season removed, with its prices."))
        return redirect("operators:rates", pk=product_pk)


# --- Availability calendar ------------------------------------------------------------------


def _month(value: str | None) -> date:
    today = timezone.localdate()
    try:
        year, month = (int(x) for x in (value or "").split("-"))
        return date(year, month, 1)
    except ValueError:
        return today.replace(day=1)


def _shift(month: date, by: int) -> date:
    index = month.year * 12 + month.month - 1 + by
    return date(index // 12, index % 12 + 1, 1)


class CalendarView(ProductMixin, TemplateView):
    """Month grid of slots (experiences, services) or of one unit type's nights
    (accommodation) with bulk edits; the stock of goods."""

    template_name = "operators/calendar.html"
    tab = "calendar"
    FORMS = {
        "schedule": ScheduleForm,
        "slot": SlotCreateForm,
        "slot_bulk": SlotBulkForm,
        "night_bulk": NightBulkForm,
        "unit_type": UnitTypeForm,
        "unit_type_edit": UnitTypeForm,
        "stock": StockForm,
        "slot_edit": SlotEditForm,
    }
    # Two unit type forms on one page: the edit form's fields get their own ids.
    PREFIXES = {"unit_type_edit": "edit"}

    def get_context_data(self, product=None, bound=None, **kwargs):
        product = product or self.get_product(self.kwargs["pk"])
        month = _month(self.request.GET.get("month"))
        last = _shift(month, 1) - timedelta(days=1)
        unit_types = list(product.unit_types.all())
        unit_type = None
        if unit_types:
            wanted = self.request.GET.get("unit")
            unit_type = next((u for u in unit_types if str(u.pk) == wanted), unit_types[0])
        range_initial = {"start": month, "end": last}
        forms = {
            "schedule": ScheduleForm(initial={"valid_from": timezone.localdate()}),
            "slot": SlotCreateForm(),
            "slot_bulk": SlotBulkForm(initial=range_initial),
            "night_bulk": NightBulkForm(initial=range_initial),
            "unit_type": UnitTypeForm(),
            "stock": StockForm(
                initial={"quantity": getattr(getattr(product, "stock", None), "quantity", 0)}
            ),
        }
        edit_slot = None
        slot_pk = self.request.GET.get("slot")
        if slot_pk and slot_pk.isdigit():
            edit_slot = Slot.objects.filter(product=product, pk=slot_pk).first()
            if edit_slot:
                forms["slot_edit"] = SlotEditForm(
                    initial={
                        "capacity": edit_slot.capacity,
                        "status": edit_slot.status,
                        "note": edit_slot.note,
                    }
                )
        if unit_type:
            forms["unit_type_edit"] = UnitTypeForm(
                prefix=self.PREFIXES["unit_type_edit"],
                initial={field: getattr(unit_type, field) for field in UnitTypeForm.base_fields},
            )
        if bound:
            forms[bound[0]] = bound[1]
            if bound[0] == "slot_edit":
                edit_slot = bound[2]
        stock = GoodsStock.objects.filter(product=product).first()
        return {
            **super().get_context_data(**kwargs),
            **self.product_context(product),
            "month": month,
            "prev_month": _shift(month, -1),
            "next_month": _shift(month, 1),
            "weeks": selectors.month_grid(
                product=product, year=month.year, month=month.month, unit_type=unit_type
            ),
            "unit_types": unit_types,
            "unit_type": unit_type,
            "forms": forms,
            "edit_slot": edit_slot,
            "schedules": product.schedules.all(),
            "stock": stock,
            "today": timezone.localdate(),
            "horizon_end": (horizon := inventory.horizon_end()),
            "beyond_horizon": month > horizon,
            "feed_url": self.request.build_absolute_uri(
                reverse("operators:ical_feed", args=[services.product_ical_token(product=product)])
            )
            if product.uses_slots
            else None,
        }

    def post(self, request, pk):
        product = self.get_product(pk)
        which = request.POST.get("form", "")
        form_class = self.FORMS.get(which)
        if form_class is None:
            raise Http404
        form = form_class(request.POST, prefix=self.PREFIXES.get(which))
        extra = None
        if form.is_valid():
            data = form.cleaned_data
            try:
                done = self._apply(product, which, form, data)
                if which == "slot_edit":
                    extra = done
            except ValidationError as exc:
                add_service_errors(form, exc)
                if which == "slot_edit":
                    extra = self._slot(product)
            else:
                if isinstance(done, inventory.BulkResult):
                    # Days left alone are said as plainly as the ones changed.
                    level = messages.warning if done.skipped else messages.success
                    level(request, done.message())
                else:
                    messages.success(request, done if isinstance(done, str) else _("Saved."))
                return HttpResponseRedirect(request.get_full_path())
        elif which == "slot_edit":
            extra = self._slot(product)
        context = self.get_context_data(product=product, bound=(which, form, extra))
        return self.render_to_response(context, status=400)

    def _unit_type(self, product) -> UnitType:
        return get_object_or_404(UnitType, product=product, pk=self.request.POST.get("unit_type"))

    def _slot(self, product) -> Slot:
        return get_object_or_404(Slot, product=product, pk=self.request.POST.get("slot"))

    def _apply(self, product, which, form, data):
        if which == "schedule":
            services.schedule_add(product=product, data=data, generate=True)
            return _("Weekly schedule added and its slots generated up to the booking horizon.")
        if which == "slot":
            services.slot_create(
                product=product,
                day=data["date"],
                start_time=data["start_time"],
                capacity=data["capacity"],
            )
            return _("Slot added.")
        if which == "slot_edit":
            services.slot_update(
                slot=self._slot(product),
                capacity=data["capacity"],
                status=data["status"],
                note=data["note"],
            )
            return _("Slot saved.")
        if which == "slot_bulk":
            result = services.slots_bulk_update(
                product=product,
                start=data["start"],
                end=data["end"],
                weekdays=data["weekdays"],
                capacity=data["capacity"],
                status=data["status"] or None,
            )
            return result
        if which == "night_bulk":
            unit_type = self._unit_type(product)
            changes = form.changes()
            if not changes:
                raise ValidationError(_("Choose at least one change."))
            result = services.nights_bulk_update(
                unit_type=unit_type,
                start=data["start"],
                end=data["end"],
                changes=changes,
                weekdays=data["weekdays"],
            )
            return result
        if which == "unit_type":
            services.unit_type_save(product=product, data=data)
            return _("Unit type added with its nights up to the booking horizon.")
        if which == "unit_type_edit":
            unit_type = self._unit_type(product)
            services.unit_type_save(product=product, unit_type=unit_type, data=data)
            return _("Unit type saved.")
        if which == "stock":
            services.stock_set(product=product, quantity=data["quantity"])
            return _("Stock saved.")
        raise Http404


class UnitTypeDeleteView(OperatorMixin, View):
    """Remove a unit type of the operator's accommodation (refused while it has bookings)."""

    model = UnitType
    organisation_field = "product__organisation"

    def post(self, request, pk):
        unit_type = get_object_or_404(self.get_queryset(), pk=pk)
        product_pk = unit_type.product_id
        name = unit_type.name
        try:
            services.unit_type_delete(unit_type=unit_type)
        except ValidationError as exc:
            for error in exc.messages:
                messages.error(request, error)
            return redirect(f"{reverse('operators:calendar', args=[product_pk])}?unit={pk}")
        messages.success(
            request, _("Unit type “%(name)s” removed, with its nights.") % {"name": name}
        )
        return redirect("operators:calendar", pk=product_pk)


class FeedRotateView(ProductMixin, View):
    """A new secret for the product's calendar feed: the old URL stops working."""

    def post(self, request, pk):
        product = self.get_product(pk)
        services.product_ical_token(product=product, rotate=True)
        messages.success(request, _("New calendar link made; the old one no longer works."))
        return redirect("operators:calendar", pk=pk)


class IcalFeedView(View):
    """The product's slots as iCalendar, for the operator's own calendar app. The secret
    token in the URL is the only credential (calendar apps fetch without a session)."""

    def get(self, request, token):
        if len(token) < 32:
            raise Http404
        product = get_object_or_404(Product, ical_token=token)
        body = slots_calendar(product=product, slots=selectors.feed_slots(product=product))
        response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
        response["Content-Disposition"] = f'inline; filename="{product.slug}.ics"'
        response["Cache-Control"] = "private, max-age=900"
        return response


# --- DMC curation desk ----------------------------------------------------------------------


class CurationMixin(DmcStaffRequiredMixin):
    dmc_groups = (DmcGroup.PRODUCT_MANAGER,)


class CurationQueueView(CurationMixin, TemplateView):
    template_name = "operators/curation_queue.html"

    def get_context_data(self, **kwargs):
        queue = list(selectors.curation_queue())
        return {
            **super().get_context_data(**kwargs),
            "submitted": [p for p in queue if p.status == ProductStatus.SUBMITTED],
            "approved": [p for p in queue if p.status == ProductStatus.APPROVED],
            "rate_changes": selectors.pending_rate_changes(),
            "revisions": selectors.pending_revisions(),
        }


class RateChangeDecisionView(CurationMixin, View):
    """The DMC approves or rejects a price below the contract's commission."""

    def post(self, request, pk):
        change = get_object_or_404(RateChange, pk=pk)
        try:
            if request.POST.get("action") == "approve":
                services.rate_change_approve(change=change, actor=request.user)
                messages.success(request, _("Price approved: it is now in force."))
            elif request.POST.get("action") == "reject":
                services.rate_change_reject(
                    change=change, actor=request.user, reason=request.POST.get("reason", "")
                )
                messages.success(request, _("Price rejected: the current prices stay."))
            else:
                raise Http404
        except ValidationError as exc:
            for error in exc.messages:
                messages.error(request, error)
        return redirect("operators:curation_queue")


class CurationReviewView(CurationMixin, TemplateView):
    template_name = "operators/curation_review.html"

    def get_context_data(self, form=None, **kwargs):
        product = get_object_or_404(
            Product.objects.select_related("organisation", "comune", "cancellation_policy"),
            pk=self.kwargs["pk"],
        )
        return {
            **super().get_context_data(**kwargs),
            "product": product,
            "rates": selectors.rates_of(product),
            "photos": product.photos.all(),
            "history": selectors.curation_history(product),
            "revision": (revision := revisions.pending_revision(product)),
            "diff": revisions.revision_diff(revision) if revision else [],
            "languages": revisions.LANGS,
            "form": form or CurationDecisionForm(),
            "transitions": services.allowed_transitions(product=product, actor=self.request.user),
        }

    def post(self, request, pk):
        product = get_object_or_404(Product, pk=pk)
        form = CurationDecisionForm(request.POST)
        if form.is_valid():
            try:
                services.product_transition(
                    product=product,
                    to_status=form.cleaned_data["action"],
                    actor=request.user,
                    reason=form.cleaned_data["reason"],
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("“%(title)s” is now %(status)s.")
                    % {
                        "title": product.title,
                        "status": ProductStatus(form.cleaned_data["action"]).label.lower(),
                    },
                )
                return redirect("operators:curation_queue")
        return self.render_to_response(self.get_context_data(form=form), status=400)


class RevisionDecisionView(CurationMixin, View):
    """The DMC approves (applies) or rejects an edit of a live listing."""

    def post(self, request, pk):
        revision = get_object_or_404(ProductRevision.objects.select_related("product"), pk=pk)
        try:
            if request.POST.get("action") == "approve":
                revisions.revision_approve(revision=revision, actor=request.user)
                messages.success(request, _("Edit approved: the listing shows it now."))
            elif request.POST.get("action") == "reject":
                revisions.revision_reject(
                    revision=revision, actor=request.user, reason=request.POST.get("reason", "")
                )
                messages.success(request, _("Edit rejected: the operator is told why."))
            else:
                raise Http404
        except ValidationError as exc:
            for error in exc.messages:
                messages.error(request, error)
            return redirect("operators:curation_review", pk=revision.product_id)
        return redirect("operators:curation_queue")


class CatalogueView(CurationMixin, TemplateView):
    template_name = "operators/catalogue.html"

    def get_context_data(self, **kwargs):
        overview = selectors.catalogue_overview()
        operators = [
            (organisation, selectors.onboarding_steps(organisation))
            for organisation in overview["operators"]
        ]
        return {
            **super().get_context_data(**kwargs),
            "by_comune": overview["by_comune"],
            "by_theme": overview["by_theme"],
            "operators": operators,
            "kinds": ProductKind.choices,
        }
