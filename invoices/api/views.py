import django_filters
from django.http import Http404, HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import mixins
from rest_framework.decorators import action

from accounts.tenancy import OrganisationScopedViewSet

from ..models import Invoice
from ..pdf import invoice_pdf, invoice_pdf_filename
from .serializers import InvoiceSerializer


class InvoiceFilter(django_filters.FilterSet):
    """The documented filters of GET /api/v1/invoices/ (docs/api.md)."""

    document_type = django_filters.ChoiceFilter(
        choices=[("TD01", "TD01 invoice"), ("TD04", "TD04 credit note")],
        label="TD01 invoice, TD04 credit note",
    )
    booking_reference = django_filters.CharFilter(lookup_expr="iexact", max_length=40)
    issued_from = django_filters.DateFilter(field_name="issue_date", lookup_expr="gte")
    issued_to = django_filters.DateFilter(field_name="issue_date", lookup_expr="lte")

    class Meta:
        model = Invoice
        fields = ["document_type", "booking_reference"]


class InvoiceViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, OrganisationScopedViewSet):
    """The calling trade partner's invoices and credit notes, with PDF and FatturaPA XML."""

    model = Invoice
    organisation_field = "customer_organisation"
    # Not `organisation_kinds`: that answers 403; other kinds see an empty scope, so 404.
    customer_kinds = ("trade",)
    serializer_class = InvoiceSerializer
    lookup_field = "number"
    lookup_value_regex = "[A-Za-z0-9-]+"
    filterset_class = InvoiceFilter

    def get_base_queryset(self):
        organisation = self.get_organisation()
        if organisation is None or organisation.kind not in self.customer_kinds:
            return Invoice.objects.none()
        return (
            Invoice.objects.issued()
            .select_related("original")
            .prefetch_related("lines")
            .order_by("-issued_at", "-pk")
        )

    @extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"])
    def pdf(self, request, number=None):
        invoice = self.get_object()
        response = HttpResponse(invoice_pdf(invoice), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{invoice_pdf_filename(invoice)}"'
        return response

    @extend_schema(responses={(200, "application/xml"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"])
    def xml(self, request, number=None):
        invoice = self.get_object()
        if not invoice.xml_content:
            raise Http404("No FatturaPA XML for this document")
        response = HttpResponse(invoice.xml_content.encode(), content_type="application/xml")
        response["Content-Disposition"] = f'attachment; filename="{invoice.xml_filename}"'
        return response
