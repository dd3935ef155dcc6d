"""The quarterly tourist-tax return: the accommodation operator's own establishments, and
every establishment for DMC staff; as a page and as CSV (thin: `tourist_tax` computes)."""

from django.http import Http404, HttpResponse
from django.utils import timezone
from django.views.generic import TemplateView

from accounts.tenancy import DmcStaffRequiredMixin, OrganisationScopedMixin

from .models import TouristTaxExemptionReason
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
