"""Operator statements: in the operator extranet (own statements only) and for finance."""

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.views import View
from django.views.generic import DetailView, ListView

from accounts.tenancy import OrganisationScopedMixin

from .models import OperatorStatement
from .statements import statement_csv, statement_filename, statement_pdf
from .views import FinanceMixin, pdf_response


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


class OperatorStatementInvoicePdfView(OperatorStatementMixin, View):
    """The DMC's commission invoice for the statement, addressed to the operator."""

    def get(self, request, pk):
        statement = get_object_or_404(self.get_queryset(), pk=pk)
        if statement.commission_invoice is None:
            raise Http404("No commission invoice")
        return pdf_response(statement.commission_invoice)
