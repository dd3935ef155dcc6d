"""Operator statements: in the operator extranet (own statements only) and for finance."""

from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import DetailView, ListView

from accounts.tenancy import OrganisationScopedMixin

from . import adapters
from .exports import parse_month
from .forms import MonthForm
from .models import OperatorStatement
from .statements import statement_csv, statement_filename, statement_pdf
from .views import FinanceMixin, _validation_error_to_messages, pdf_response


class OperatorStatementMixin(OrganisationScopedMixin):
    model = OperatorStatement
    organisation_field = "operator"
    organisation_kinds = ("operator",)

    def get_base_queryset(self):
        return OperatorStatement.objects.select_related("operator", "commission_invoice")


class OperatorStatementListView(OperatorStatementMixin, ListView):
    template_name = "invoices/statements/list.html"
    context_object_name = "statements"


class OperatorStatementDetailView(OperatorStatementMixin, DetailView):
    template_name = "invoices/statements/detail.html"
    context_object_name = "statement"


class OperatorStatementPdfView(OperatorStatementMixin, View):
    def get(self, request, pk):
        statement = get_object_or_404(self.get_queryset(), pk=pk)
        response = HttpResponse(
            statement_pdf(statement, request.LANGUAGE_CODE), content_type="application/pdf"
        )
        response["Content-Disposition"] = (
            f'inline; filename="{statement_filename(statement, "pdf")}"'
        )
        return response


class OperatorStatementCsvView(OperatorStatementMixin, View):
    def get(self, request, pk):
        statement = get_object_or_404(self.get_queryset(), pk=pk)
        response = HttpResponse(statement_csv(statement), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = (
            f'attachment; filename="{statement_filename(statement, "csv")}"'
        )
        return response


class BackofficeStatementListView(FinanceMixin, ListView):
    template_name = "invoices/statements/backoffice_list.html"
    context_object_name = "statements"
    paginate_by = 100

    def get_queryset(self):
        return OperatorStatement.objects.select_related("operator", "commission_invoice")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        last_month = timezone.localdate().replace(day=1) - timedelta(days=1)
        context["month_form"] = MonthForm(initial={"month": last_month.strftime("%Y-%m")})
        return context


class OperatorStatementInvoicePdfView(OperatorStatementMixin, View):
    """The DMC's commission invoice for the statement, addressed to the operator."""

    def get(self, request, pk):
        statement = get_object_or_404(self.get_queryset(), pk=pk)
        if statement.commission_invoice is None:
            raise Http404("No commission invoice")
        return pdf_response(statement.commission_invoice)


class BackofficeStatementsBuildView(FinanceMixin, View):
    """(Re)build every served operator's statement of a month from the bookings."""

    def post(self, request):
        form = MonthForm(request.POST)
        try:
            if not form.is_valid():
                raise ValidationError({"month": _("Give the month as YYYY-MM.")})
            year, month = parse_month(form.cleaned_data["month"])
            statements = adapters.statements_for_month(year=year, month=month)
        except ValidationError as exc:
            _validation_error_to_messages(request, exc)
        else:
            messages.success(
                request, _("%(n)s operator statements built.") % {"n": len(statements)}
            )
        return redirect("invoices:backoffice_statements")


class BackofficeStatementCommissionView(FinanceMixin, View):
    """Invoice the DMC's commission of a statement to its operator (the statement is then
    final)."""

    def post(self, request, pk):
        statement = get_object_or_404(OperatorStatement.objects.select_related("operator"), pk=pk)
        if statement.commission_invoice_id:
            messages.info(request, _("This statement is already invoiced."))
            return redirect("invoices:backoffice_statements")
        try:
            statement = adapters.statement_for_operator(
                operator=statement.operator,
                year=statement.period_start.year,
                month=statement.period_start.month,
                invoice_commission=True,
                actor=request.user,
            )
        except ValidationError as exc:
            messages.error(request, _("The commission invoice was not issued:"))
            _validation_error_to_messages(request, exc)
        else:
            invoice = statement.commission_invoice
            if invoice is None:
                messages.info(
                    request,
                    _("No commission to invoice: the operator's sales are resales at net."),
                )
                return redirect("invoices:backoffice_statements")
            messages.success(
                request,
                _("Commission invoice %(number)s issued to %(operator)s.")
                % {
                    "number": invoice.number if invoice else "—",
                    "operator": statement.operator.name,
                },
            )
        return redirect("invoices:backoffice_statements")
