"""Finance back office: bookings not invoiced (with retry), monthly summaries waiting, and
cancellations still to credit (with the button that issues the credit note). Thin: reads
through selectors, writes through `invoices.adapters`."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from accounts.models import Organisation, OrganisationKind
from bookings.models import Booking

from . import adapters, selectors
from .exports import parse_month
from .forms import MonthForm
from .views import FinanceMixin, _form_errors_to_messages, _validation_error_to_messages


def _problem_messages(request, problems: dict) -> None:
    for field, message in problems.items():
        messages.error(request, message if field == "__all__" else f"{field}: {message}")


class BookingsNotInvoicedView(FinanceMixin, TemplateView):
    template_name = "invoices/backoffice/not_invoiced.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        this_month = timezone.localdate().replace(day=1)
        waiting = selectors.summaries_waiting()
        context.update(
            rows=selectors.bookings_not_invoiced(),
            summaries=[(s, s.period_start < this_month) for s in waiting],
            month_form=MonthForm(),
        )
        return context


class BookingInvoiceRetryView(FinanceMixin, View):
    def post(self, request, reference):
        booking = get_object_or_404(Booking, reference=reference)
        documents, problems = adapters.invoice_booking_or_record_failure(
            booking=booking, actor=request.user
        )
        if problems:
            messages.error(
                request, _("Booking %(ref)s is still not invoiced:") % {"ref": booking.reference}
            )
            _problem_messages(request, problems)
        elif documents:
            messages.success(
                request,
                _("Booking %(ref)s invoiced: %(numbers)s.")
                % {"ref": booking.reference, "numbers": ", ".join(d.number for d in documents)},
            )
        else:
            messages.success(
                request,
                _("Booking %(ref)s has nothing to invoice now, or waits for its monthly summary.")
                % {"ref": booking.reference},
            )
        return redirect("invoices:backoffice_not_invoiced")


class MonthlySummaryIssueView(FinanceMixin, View):
    def post(self, request):
        partner = get_object_or_404(
            Organisation, pk=request.POST.get("partner") or 0, kind=OrganisationKind.TRADE
        )
        form = MonthForm(request.POST)
        if not form.is_valid():
            _form_errors_to_messages(request, form)
            return redirect("invoices:backoffice_not_invoiced")
        try:
            year, month = parse_month(form.cleaned_data["month"])
        except ValidationError as exc:
            _validation_error_to_messages(request, exc)
            return redirect("invoices:backoffice_not_invoiced")
        documents, problems = adapters.monthly_summary_issue_or_record_failure(
            partner=partner, year=year, month=month, actor=request.user
        )
        if problems:
            messages.error(request, _("The monthly summary was not issued:"))
            _problem_messages(request, problems)
        else:
            numbers = ", ".join(d.number for d in documents) or _("nothing to invoice")
            messages.success(
                request,
                _("Monthly summary of %(partner)s: %(numbers)s.")
                % {"partner": partner.name, "numbers": numbers},
            )
        return redirect("invoices:backoffice_not_invoiced")


class CancellationsToCreditView(FinanceMixin, TemplateView):
    template_name = "invoices/backoffice/cancellations.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["rows"] = selectors.cancellations_to_credit()
        return context


class CancellationCreditView(FinanceMixin, View):
    def post(self, request, reference):
        booking = get_object_or_404(Booking, reference=reference)
        notes, problems = adapters.credit_cancellation_or_record_failure(
            booking=booking, actor=request.user
        )
        if problems:
            messages.error(request, _("The credit note was not issued:"))
            _problem_messages(request, problems)
        elif notes:
            messages.success(
                request,
                _("Credit note %(numbers)s issued for booking %(ref)s.")
                % {"numbers": ", ".join(n.number for n in notes), "ref": booking.reference},
            )
        else:
            messages.info(
                request,
                _("Nothing left to credit on booking %(ref)s.") % {"ref": booking.reference},
            )
        return redirect("invoices:backoffice_cancellations")
