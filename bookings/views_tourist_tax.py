"""The quarterly tourist-tax return: the accommodation operator's own establishments, and
every establishment for DMC staff; as a page and as CSV (thin: `tourist_tax` computes).
The exemptions by reason of one stay, entered by its operator or by DMC staff."""

from django import forms
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from accounts.tenancy import DmcStaffRequiredMixin, OrganisationScopedMixin
from marketplace.amounts import amount_text

from . import services
from .models import BookingLine, LineKind, LineStatus, TouristTaxExemptionReason
from .tourist_tax import tourist_tax_return, tourist_tax_return_csv


class _ReturnMixin:
    template_name = "bookings/tourist_tax_return.html"

    def operator_ids(self):
        return None

    def period(self):
        today = timezone.localdate()
        try:
            year = int(self.request.GET.get("year") or today.year)
            quarter = int(self.request.GET.get("quarter") or (today.month - 1) // 3 + 1)
        except ValueError as exc:
            raise Http404 from exc
        if quarter not in (1, 2, 3, 4) or not 2000 <= year <= 2100:
            raise Http404
        return year, quarter

    def get(self, request, *args, **kwargs):
        year, quarter = self.period()
        rows = tourist_tax_return(year=year, quarter=quarter, operator_ids=self.operator_ids())
        reasons = list(TouristTaxExemptionReason.objects.filter(is_active=True))
        if request.GET.get("format") == "csv":
            content = tourist_tax_return_csv(rows, [r.code for r in reasons])
            response = HttpResponse(content, content_type="text/csv; charset=utf-8")
            name = f"imposta-soggiorno-{year}-T{quarter}.csv"
            response["Content-Disposition"] = f'attachment; filename="{name}"'
            return response
        table = [
            {"row": row, "exempt": [row.exempt.get(r.code, 0) for r in reasons]} for row in rows
        ]
        context = self.get_context_data(
            rows=table, reasons=reasons, year=year, quarter=quarter, quarters=(1, 2, 3, 4)
        )
        return self.render_to_response(context)


class OperatorTouristTaxReturnView(_ReturnMixin, OrganisationScopedMixin, TemplateView):
    organisation_kinds = ("operator",)

    def operator_ids(self):
        return [self.get_organisation().pk]


class BackofficeTouristTaxReturnView(_ReturnMixin, DmcStaffRequiredMixin, TemplateView):
    pass


class TaxExemptionsForm(forms.Form):
    """One count per exemption reason; together never more than the stay's guests."""

    def __init__(self, *args, line, reasons, **kwargs):
        super().__init__(*args, **kwargs)
        self.line = line
        current = line.tax_exemptions or {}
        for reason in reasons:
            self.fields[reason.code] = forms.IntegerField(
                label=reason.label,
                min_value=0,
                max_value=line.persons,
                initial=int(current.get(reason.code, 0)),
                required=False,
            )

    def clean(self):
        data = super().clean()
        total = sum(value or 0 for value in data.values())
        if total > self.line.persons:
            raise forms.ValidationError(
                _("%(exempt)s exempt guests, but the stay has only %(guests)s guests.")
                % {"exempt": total, "guests": self.line.persons},
                code="too_many_exempt",
            )
        return data


class _TaxExemptionsMixin:
    """The form on one accommodation line: GET shows it, POST records the counts through
    `services.booking_line_tax_exemptions_set`; nothing is written on an error."""

    template_name = "bookings/tax_exemptions.html"

    def lines(self):
        raise NotImplementedError

    def back_url(self, line) -> str:
        raise NotImplementedError

    def get_line(self) -> BookingLine:
        return get_object_or_404(
            self.lines()
            .filter(
                booking__reference=str(self.kwargs["reference"]).upper(),
                kind=LineKind.ACCOMMODATION,
                product__isnull=False,
            )
            .exclude(status=LineStatus.CANCELLED)
            .select_related("booking", "product", "unit_type"),
            pk=self.kwargs["pk"],
        )

    def page(self, line, form, status=200):
        return render(
            self.request,
            self.template_name,
            {"line": line, "booking": line.booking, "form": form, "back": self.back_url(line)},
            status=status,
        )

    def get(self, request, *args, **kwargs):
        line = self.get_line()
        reasons = services.tax_exemption_reasons_for(line)
        return self.page(line, TaxExemptionsForm(line=line, reasons=reasons))

    def post(self, request, *args, **kwargs):
        line = self.get_line()
        reasons = services.tax_exemption_reasons_for(line)
        form = TaxExemptionsForm(request.POST, line=line, reasons=reasons)
        if form.is_valid():
            try:
                line = services.booking_line_tax_exemptions_set(
                    line=line,
                    exemptions={k: v or 0 for k, v in form.cleaned_data.items()},
                    actor=request.user,
                )
            except services.TaxExemptionsInvalid as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(
                    request,
                    _("Exemptions saved: the tourist tax of this stay is now € %(tax)s.")
                    % {"tax": amount_text(line.tourist_tax)},
                )
                return redirect(self.back_url(line))
        return self.page(line, form, status=400)


class OperatorTaxExemptionsView(_TaxExemptionsMixin, OrganisationScopedMixin, View):
    """The accommodation operator's own lines only: another operator's line is 404."""

    model = BookingLine
    organisation_field = "supplier"
    organisation_kinds = ("operator",)

    def lines(self):
        return self.get_queryset()

    def back_url(self, line) -> str:
        return reverse("bookings:operator_detail", args=[line.booking.reference])


class BackofficeTaxExemptionsView(_TaxExemptionsMixin, DmcStaffRequiredMixin, View):
    def lines(self):
        return BookingLine.objects.all()

    def back_url(self, line) -> str:
        return reverse("bookings:backoffice_detail", args=[line.booking.reference])
