"""Package builder for DMC staff (back office) and the public pre-contract page and PDF."""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView, TemplateView

from accounts.services import DmcGroup
from accounts.tenancy import DmcStaffRequiredMixin
from operators.forms import PhotoForm
from operators.pricing import PaxMix

from . import services
from .forms import ComponentForm, PackageForm, PaxForm, SeasonPriceForm, SeriesForm
from .models import Package
from .precontract import precontract_context, precontract_pdf
from .quotes import package_for_quote, package_month_availability, quote_for_staff
from .selectors import (
    catalogue_search,
    package_for_precontract,
    package_with_components,
    packages_for_builder,
)


def _add_errors(form, exc: ValidationError) -> None:
    """Put a service's ValidationError on the form's fields (or the form itself)."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            target = field if field in form.fields else None
            for message in errors:
                form.add_error(target, message)
    else:
        for message in exc.messages:
            form.add_error(None, message)


def _parse_date(value, default=None):
    try:
        return date.fromisoformat(value) if value else default
    except ValueError:
        return default


class BuilderMixin(DmcStaffRequiredMixin):
    dmc_groups = (DmcGroup.PRODUCT_MANAGER,)

    def get_package(self) -> Package:
        try:
            return package_with_components(int(self.kwargs["pk"]))
        except (Package.DoesNotExist, ValueError) as exc:
            raise Http404 from exc


class PackageListView(BuilderMixin, TemplateView):
    template_name = "packages/builder_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["packages"] = packages_for_builder()
        return context


class PackageCreateView(BuilderMixin, FormView):
    template_name = "packages/package_form.html"
    form_class = PackageForm

    def get_initial(self):
        today = timezone.localdate()
        return {
            "valid_from": today,
            "valid_until": today.replace(year=today.year + 1),
            "duration_days": 3,
            "duration_nights": 2,
        }

    def form_valid(self, form):
        try:
            package = services.package_create(data=form.cleaned_data)
        except ValidationError as exc:
            _add_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("Package created: now add its components."))
        return redirect("packages:builder", pk=package.pk)


def _default_start(package: Package) -> date:
    return max(package.valid_from, timezone.localdate() + timedelta(days=1))


def render_builder(
    request,
    package,
    *,
    form=None,
    component_form=None,
    series_form=None,
    price_form=None,
    photo_form=None,
    status=200,
):
    pax_form = PaxForm(request.GET or None)
    if pax_form.is_bound and pax_form.is_valid():
        pax = pax_form.pax()
    else:
        pax = PaxMix(adults=max(package.min_pax, 2))
    start = _parse_date(request.GET.get("start_date"), _default_start(package))
    preview = quote_for_staff(package_for_quote(package.pk), start_date=start, pax=pax)
    context = {
        "package": package,
        "form": form or PackageForm(instance=package),
        "component_form": component_form or ComponentForm(initial={"day": 1}),
        "series_form": series_form
        or SeriesForm(
            initial={
                "start": package.valid_from,
                "end": package.valid_until,
                "weekdays": ["6"],
                "capacity": package.max_pax or 20,
                "min_pax": package.guarantee_min_pax,
            }
        ),
        "price_form": price_form
        or SeasonPriceForm(
            initial={"start_date": package.valid_from, "end_date": package.valid_until}
        ),
        "pax_form": pax_form if pax_form.is_bound else PaxForm(initial={"adults": pax.adults}),
        "preview": preview,
        "start_date": start,
        "departures": package.departures.order_by("date")[:60],
        "components": list(package.components.all()),
        "photos": list(package.photos.all()),
        "photo_form": photo_form or PhotoForm(),
    }
    return render(request, "packages/builder.html", context, status=status)


class PackageBuilderView(BuilderMixin, View):
    def get(self, request, pk):
        return render_builder(request, self.get_package())

    def post(self, request, pk):
        package = self.get_package()
        form = PackageForm(request.POST, instance=Package.objects.get(pk=package.pk))
        if form.is_valid():
            try:
                services.package_update(package=package, data=form.cleaned_data)
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                messages.success(request, _("Package saved."))
                return redirect("packages:builder", pk=package.pk)
        return render_builder(request, self.get_package(), form=form, status=400)


class ComponentAddView(BuilderMixin, View):
    def post(self, request, pk):
        package = self.get_package()
        form = ComponentForm(request.POST)
        if form.is_valid():
            try:
                services.component_add(package=package, data=form.service_data())
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                messages.success(request, _("Component added."))
                return redirect(reverse("packages:builder", kwargs={"pk": pk}) + "#components")
        return render_builder(request, package, component_form=form, status=400)


class ComponentRemoveView(BuilderMixin, View):
    def post(self, request, pk, component_pk):
        package = self.get_package()
        component = package.components.filter(pk=component_pk).first()
        if component is None:
            raise Http404
        services.component_remove(component=component)
        messages.success(request, _("Component removed."))
        return redirect(reverse("packages:builder", kwargs={"pk": pk}) + "#components")


class PhotoUploadView(BuilderMixin, View):
    def post(self, request, pk):
        package = self.get_package()
        form = PhotoForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                services.package_photo_add(
                    package=package,
                    image=form.cleaned_data["image"],
                    alt_text=form.cleaned_data["alt_text"],
                )
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                messages.success(request, _("Photo added."))
                return redirect(reverse("packages:builder", kwargs={"pk": pk}) + "#photos")
        return render_builder(request, package, photo_form=form, status=400)


class PhotoDeleteView(BuilderMixin, View):
    def post(self, request, pk, photo_pk):
        package = self.get_package()
        photo = package.photos.filter(pk=photo_pk).first()
        if photo is None:
            raise Http404
        services.package_photo_delete(photo=photo)
        messages.success(request, _("Photo removed."))
        return redirect(reverse("packages:builder", kwargs={"pk": pk}) + "#photos")


class PackageActionView(BuilderMixin, View):
    """Publish, unpublish or clone."""

    def post(self, request, pk, action):
        package = self.get_package()
        try:
            if action == "publish":
                services.package_publish(package=package)
                messages.success(request, _("The package is published."))
            elif action == "unpublish":
                services.package_unpublish(package=package)
                messages.success(request, _("The package is no longer on sale."))
            elif action == "clone":
                copy = services.package_clone(package=package)
                messages.success(request, _("Copy created: it is a draft."))
                return redirect("packages:builder", pk=copy.pk)
            else:
                raise Http404
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        return redirect("packages:builder", pk=pk)


class DepartureSeriesView(BuilderMixin, View):
    def post(self, request, pk):
        package = self.get_package()
        form = SeriesForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                made = services.departures_create_series(
                    package=package,
                    start=data["start"],
                    end=data["end"],
                    weekdays="".join(sorted(data["weekdays"])),
                    capacity=data["capacity"],
                    min_pax=data["min_pax"],
                )
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                messages.success(request, _("%(n)s departures added.") % {"n": len(made)})
                return redirect(reverse("packages:builder", kwargs={"pk": pk}) + "#departures")
        return render_builder(request, package, series_form=form, status=400)


class SeasonPriceAddView(BuilderMixin, View):
    def post(self, request, pk):
        package = self.get_package()
        form = SeasonPriceForm(request.POST)
        if form.is_valid():
            try:
                services.season_price_add(package=package, data=form.cleaned_data)
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                messages.success(request, _("Season price added."))
                return redirect(reverse("packages:builder", kwargs={"pk": pk}) + "#pricing")
        return render_builder(request, package, price_form=form, status=400)


class BreakdownView(BuilderMixin, View):
    """The live price breakdown (JSON) with the markup being edited, before it is saved."""

    OVERRIDES = ("pricing_mode", "markup_kind")

    def get(self, request, pk):
        try:
            package = package_for_quote(int(pk))
        except Package.DoesNotExist as exc:
            raise Http404 from exc
        for name in self.OVERRIDES:
            if request.GET.get(name):
                setattr(package, name, request.GET[name])
        for name in ("markup_value", "rounding_step"):
            if request.GET.get(name):
                try:
                    setattr(package, name, Decimal(request.GET[name]))
                except InvalidOperation:
                    return JsonResponse(
                        {"error": {"field": name, "message": _("Not a number.")}}, status=400
                    )
        pax_form = PaxForm(request.GET)
        if not pax_form.is_valid():
            return JsonResponse({"error": {"message": _("Check the travellers.")}}, status=400)
        start = _parse_date(request.GET.get("start_date"), _default_start(package))
        try:
            quote = quote_for_staff(package, start_date=start, pax=pax_form.pax())
        except ValidationError as exc:
            return JsonResponse({"error": {"message": " ".join(exc.messages)}}, status=400)
        return JsonResponse(quote.as_dict())


class ProductSearchView(BuilderMixin, View):
    def get(self, request):
        return JsonResponse(
            {
                "results": catalogue_search(
                    request.GET.get("q", "").strip(), request.GET.get("kind", "")
                )
            }
        )


class CalendarView(BuilderMixin, TemplateView):
    template_name = "packages/calendar.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        package = package_for_quote(self.get_package().pk)
        month = _parse_date((self.request.GET.get("month") or "") + "-01", None)
        if month is None:
            month = _default_start(package).replace(day=1)
        pax_form = PaxForm(self.request.GET or None)
        if pax_form.is_bound and pax_form.is_valid():
            pax = pax_form.pax()
        else:
            pax = PaxMix(adults=max(package.min_pax, 2))
            pax_form = PaxForm(initial={"adults": pax.adults})
        days = package_month_availability(package, month=month, pax=pax)
        weeks, week = [], [None] * (month.weekday())
        for day in days:
            week.append(day)
            if len(week) == 7:
                weeks.append(week)
                week = []
        if week:
            weeks.append(week + [None] * (7 - len(week)))
        prev_month = (month - timedelta(days=1)).replace(day=1)
        next_month = (month + timedelta(days=32)).replace(day=1)
        context.update(
            {
                "package": package,
                "month": month,
                "weeks": weeks,
                "weekday_names": [calendar.day_abbr[i] for i in range(7)],
                "prev_month": prev_month.strftime("%Y-%m"),
                "next_month": next_month.strftime("%Y-%m"),
                "pax_form": pax_form,
                "pax": pax,
                "available_count": sum(1 for d in days if d.available),
            }
        )
        return context


# --- public pre-contract information --------------------------------------------------------


def _public_package(slug):
    try:
        return package_for_precontract(slug)
    except Package.DoesNotExist as exc:
        raise Http404 from exc


def _precontract(request, package):
    pax_form = PaxForm(request.GET or None)
    pax = pax_form.pax() if pax_form.is_bound and pax_form.is_valid() else None
    start = _parse_date(request.GET.get("start_date"))
    if start is not None and not (package.valid_from <= start <= package.valid_until):
        start = None
    return precontract_context(package, start_date=start, pax=pax)


def _upcoming_departures(package) -> list:
    """The package's next fixed departures (not cancelled), with the places left."""
    from .models import DepartureStatus

    return list(
        package.departures.filter(date__gte=timezone.localdate())
        .exclude(status=DepartureStatus.CANCELLED)
        .order_by("date")[:24]
    )


class PrecontractView(View):
    def get(self, request, slug):
        package = _public_package(slug)
        context = _precontract(request, package)
        context["pdf_url"] = reverse("packages:precontract_pdf", kwargs={"slug": slug})
        context["departures"] = _upcoming_departures(package)
        query = request.GET.urlencode()
        if query:
            context["pdf_url"] += "?" + query
        return render(request, "packages/precontract.html", context)


class PrecontractPdfView(View):
    def get(self, request, slug):
        package = _public_package(slug)
        context = _precontract(request, package)
        context["language"] = get_language()
        pdf = precontract_pdf(context, base_url=request.build_absolute_uri("/"))
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = (
            f'inline; filename="{package.slug}-pre-contract-{get_language()}.pdf"'
        )
        return response
