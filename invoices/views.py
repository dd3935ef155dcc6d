"""Pages: the finance back office (DMC staff, Finance group) and the trade partners' own
documents. Thin: they read through selectors and write through services."""

from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import DetailView, ListView, TemplateView

from accounts.services import DmcGroup
from accounts.tenancy import DmcStaffRequiredMixin, OrganisationScopedMixin

from . import exports, selectors, services
from .forms import (
    CreditNoteForm,
    InvoiceSearchForm,
    MonthForm,
    PeriodForm,
    SdiImportForm,
    SdiStatusForm,
)
from .models import Invoice, LineKind, RegimeFiscale, SdiStatus
from .pdf import invoice_pdf, invoice_pdf_filename
from .selectors import stamp_duty_for_quarter
from .specs import InvoiceLineSpec


def pdf_response(invoice: Invoice) -> HttpResponse:
    if not invoice.is_issued:
        raise Http404("Drafts have no PDF")
    response = HttpResponse(invoice_pdf(invoice), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{invoice_pdf_filename(invoice)}"'
    return response


def xml_response(invoice: Invoice) -> HttpResponse:
    if not invoice.is_issued or not invoice.xml_content:
        raise Http404("No FatturaPA XML for this document")
    response = HttpResponse(invoice.xml_content.encode(), content_type="application/xml")
    response["Content-Disposition"] = f'attachment; filename="{invoice.xml_filename}"'
    return response


def _form_errors_to_messages(request, form):
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        for error in errors:
            messages.error(request, f"{label}: {error}" if label else error)


def _validation_error_to_messages(request, exc: ValidationError):
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            for error in errors:
                messages.error(request, f"{field}: {error}" if field != "__all__" else error)
    else:
        for error in exc.messages:
            messages.error(request, error)


class FinanceMixin(DmcStaffRequiredMixin):
    dmc_groups = (DmcGroup.FINANCE,)


class BackofficeInvoiceListView(FinanceMixin, ListView):
    template_name = "invoices/backoffice/list.html"
    context_object_name = "invoices"
    paginate_by = 50

    def get_queryset(self):
        self.form = InvoiceSearchForm(self.request.GET or None)
        filters = self.form.cleaned_data if self.form.is_valid() else {}
        return selectors.invoice_search(
            query=filters.get("q", ""),
            kind=filters.get("kind", ""),
            status=filters.get("status", ""),
            sdi_status=filters.get("sdi_status", ""),
            date_from=filters.get("date_from"),
            date_to=filters.get("date_to"),
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        today = timezone.localdate()
        context.update(
            form=self.form,
            month_form=MonthForm(initial={"month": today.strftime("%Y-%m")}),
            period_form=PeriodForm(initial={"date_from": today.replace(day=1), "date_to": today}),
            import_form=SdiImportForm(),
        )
        return context


class BackofficeInvoiceDetailView(FinanceMixin, DetailView):
    template_name = "invoices/backoffice/detail.html"
    context_object_name = "invoice"

    def get_object(self, queryset=None):
        try:
            return selectors.invoice_detail(self.kwargs["pk"])
        except Invoice.DoesNotExist as exc:
            raise Http404 from exc

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        invoice = self.object
        context.update(
            sdi_form=SdiStatusForm(initial={"status": invoice.sdi_status}),
            credit_form=CreditNoteForm(),
            lines=list(invoice.lines.all()),
            events=list(invoice.events.all()),
            credit_notes=list(invoice.credit_notes.all()),
            is_margin=invoice.regime_fiscale == RegimeFiscale.TRAVEL_AGENCY_MARGIN,
        )
        return context


class _InvoiceActionView(FinanceMixin, View):
    def get_invoice(self) -> Invoice:
        return get_object_or_404(Invoice, pk=self.kwargs["pk"])

    def back(self, invoice):
        return redirect("invoices:backoffice_detail", pk=invoice.pk)


class BackofficeInvoicePdfView(_InvoiceActionView):
    def get(self, request, pk):
        return pdf_response(self.get_invoice())


class BackofficeInvoiceXmlView(_InvoiceActionView):
    def get(self, request, pk):
        return xml_response(self.get_invoice())


class BackofficeInvoiceIssueView(_InvoiceActionView):
    def post(self, request, pk):
        invoice = self.get_invoice()
        try:
            invoice = services.invoice_issue(invoice=invoice, actor=request.user)
        except ValidationError as exc:
            messages.error(request, _("The invoice was not issued:"))
            _validation_error_to_messages(request, exc)
        else:
            messages.success(request, _("Invoice %s issued.") % invoice.number)
        return self.back(invoice)


class BackofficeInvoicePaidView(_InvoiceActionView):
    def post(self, request, pk):
        invoice = self.get_invoice()
        try:
            services.invoice_mark_paid(invoice=invoice, actor=request.user)
        except ValidationError as exc:
            _validation_error_to_messages(request, exc)
        else:
            messages.success(request, _("Marked as paid."))
        return self.back(invoice)


class BackofficeSdiStatusView(_InvoiceActionView):
    def post(self, request, pk):
        invoice = self.get_invoice()
        form = SdiStatusForm(request.POST)
        if not form.is_valid():
            _form_errors_to_messages(request, form)
            return self.back(invoice)
        try:
            services.invoice_sdi_status_set(
                invoice=invoice,
                status=form.cleaned_data["status"],
                reason=form.cleaned_data["reason"],
                actor=request.user,
            )
        except ValidationError as exc:
            _validation_error_to_messages(request, exc)
        else:
            messages.success(request, _("SdI status saved."))
        return self.back(invoice)


class BackofficeCreditNoteView(_InvoiceActionView):
    def post(self, request, pk):
        invoice = self.get_invoice()
        form = CreditNoteForm(request.POST)
        if not form.is_valid():
            _form_errors_to_messages(request, form)
            return self.back(invoice)
        data = form.cleaned_data
        lines = None
        if not data["full"]:
            margin = invoice.regime_fiscale == RegimeFiscale.TRAVEL_AGENCY_MARGIN
            lines = [
                InvoiceLineSpec(
                    description=data["description"] or data["reason"],
                    quantity=Decimal("1"),
                    unit_price=data["amount"],
                    vat_rate=None if margin else Decimal(data["vat_rate"] or "22.00"),
                    kind=LineKind.PACKAGE_MARGIN if margin else LineKind.SERVICE,
                    booking_reference=invoice.booking_reference or None,
                )
            ]
        try:
            note = services.credit_note_issue(
                invoice=invoice,
                full=data["full"],
                lines=lines,
                reason=data["reason"],
                actor=request.user,
            )
        except ValidationError as exc:
            messages.error(request, _("The credit note was not issued:"))
            _validation_error_to_messages(request, exc)
            return self.back(invoice)
        messages.success(request, _("Credit note %s issued.") % note.number)
        return self.back(note)


class BackofficeExportZipView(FinanceMixin, View):
    def get(self, request):
        form = MonthForm(request.GET)
        if not form.is_valid():
            _form_errors_to_messages(request, form)
            return redirect("invoices:backoffice_list")
        try:
            year, month = exports.parse_month(form.cleaned_data["month"])
            export = exports.fatturapa_export_month(year=year, month=month, actor=request.user)
        except ValidationError as exc:
            _validation_error_to_messages(request, exc)
            return redirect("invoices:backoffice_list")
        response = HttpResponse(export.content, content_type="application/zip")
        response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
        return response


class BackofficeExportCsvView(FinanceMixin, View):
    def get(self, request):
        form = PeriodForm(request.GET)
        if not form.is_valid():
            _form_errors_to_messages(request, form)
            return redirect("invoices:backoffice_list")
        start, end = form.cleaned_data["date_from"], form.cleaned_data["date_to"]
        response = HttpResponse(
            exports.accountant_csv(start=start, end=end), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="documenti-{start}-{end}.csv"'
        return response


class BackofficeSdiImportView(FinanceMixin, View):
    def post(self, request):
        form = SdiImportForm(request.POST, request.FILES)
        if not form.is_valid():
            _form_errors_to_messages(request, form)
            return redirect("invoices:backoffice_list")
        for upload in form.cleaned_data["files"]:
            result = exports.sdi_notification_import(
                name=upload.name, content=upload.read(), actor=request.user
            )
            if result.invoice and result.status:
                messages.success(
                    request,
                    _("%(file)s: %(number)s is now “%(status)s”.")
                    % {
                        "file": upload.name,
                        "number": result.invoice.number,
                        "status": SdiStatus(result.status).label,
                    },
                )
            else:
                messages.error(request, f"{upload.name}: {result.message}")
        return redirect("invoices:backoffice_list")


# Trade partners: their own invoices and credit notes.


class TradeInvoiceMixin(OrganisationScopedMixin):
    model = Invoice
    organisation_field = "customer_organisation"
    organisation_kinds = ("trade",)

    def get_base_queryset(self):
        return Invoice.objects.issued().select_related("original")


class TradeInvoiceListView(TradeInvoiceMixin, ListView):
    template_name = "invoices/trade/list.html"
    context_object_name = "invoices"
    paginate_by = 50

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["organisation"] = self.get_organisation()
        return context


class TradeInvoicePdfView(TradeInvoiceMixin, View):
    def get(self, request, pk):
        return pdf_response(get_object_or_404(self.get_queryset(), pk=pk))


class TradeInvoiceXmlView(TradeInvoiceMixin, View):
    def get(self, request, pk):
        return xml_response(get_object_or_404(self.get_queryset(), pk=pk))


class BackofficeStampDutyView(FinanceMixin, TemplateView):
    """The quarter's stamp duty due: the documents and the total to pay."""

    template_name = "invoices/backoffice/stamp_duty.html"

    def get_context_data(self, **kwargs):
        today = timezone.localdate()
        try:
            year = int(self.request.GET.get("year") or today.year)
            quarter = int(self.request.GET.get("quarter") or (today.month - 1) // 3 + 1)
            summary = stamp_duty_for_quarter(year, quarter)
        except ValueError as exc:
            raise Http404 from exc
        return {
            **super().get_context_data(**kwargs),
            "summary": summary,
            "year": year,
            "quarter": quarter,
        }
