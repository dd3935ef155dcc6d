"""Back office (DMC finance), the operators' money page and the trade partners' account.
Thin views over services and selectors."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlencode

import stripe
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Sum
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from accounts.models import Organisation, Role
from accounts.services import DmcGroup
from accounts.tenancy import DmcStaffRequiredMixin, OrganisationScopedMixin
from bookings.models import Booking

from . import selectors
from .credit import (
    bank_statement_import,
    bank_transaction_decide,
    bank_transaction_match_reference,
    receipt_record,
)
from .forms import (
    BankDecisionForm,
    BankImportForm,
    BankMatchForm,
    BankRefundForm,
    BankTransferForm,
    DayForm,
    PayoutRunForm,
    RefundForm,
)
from .models import (
    AttentionItem,
    BankTransaction,
    EntryKind,
    LedgerEntry,
    OperatorPayable,
    PayoutRun,
    ReconciliationReport,
    Refund,
)
from .payouts import (
    payables_release_due,
    payout_run_create,
    payout_run_mark_paid,
    payout_run_pay_connect,
    payout_run_sepa_xml,
    payout_totals,
)
from .reconciliation import reconcile_day
from .refunds import (
    bank_refund_suggested,
    bank_refundable,
    refund_create,
    refund_record_bank_transfer,
    refund_retry,
    refundable,
    refunds_failed_open,
)


class FinanceMixin(DmcStaffRequiredMixin):
    dmc_groups = (DmcGroup.FINANCE,)


def _field_errors(form, exc: ValidationError) -> None:
    for field, errors in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


class PaymentsListView(FinanceMixin, TemplateView):
    template_name = "payments/bo_payments.html"
    paginate_by = 100

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        search = self.request.GET.get("q", "")
        context["search"] = search
        paginator = Paginator(selectors.bookings_with_payments(search), self.paginate_by)
        page = paginator.get_page(self.request.GET.get("page"))
        context["page_obj"] = page
        context["bookings"] = page.object_list
        context["page_range"] = paginator.get_elided_page_range(page.number, on_each_side=2)
        context["query_string"] = urlencode({"q": search}) if search else ""
        context["attention"] = AttentionItem.objects.filter(
            resolved_at__isnull=True
        ).select_related("booking", "organisation")[:50]
        return context


class BookingPaymentsView(FinanceMixin, TemplateView):
    template_name = "payments/bo_booking.html"

    def get_booking(self):
        return get_object_or_404(Booking, reference=self.kwargs["reference"])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        booking = self.get_booking()
        context.update(selectors.booking_payments_overview(booking))
        context["booking"] = booking
        context["refundable"] = refundable(booking)
        context["failed_refunds"] = list(refunds_failed_open(booking))
        context["refund_form"] = kwargs.get("refund_form") or RefundForm()
        context["transfer_form"] = kwargs.get("transfer_form") or BankTransferForm()
        context["bank_refundable"] = bank_refundable(booking)
        suggested = bank_refund_suggested(booking)
        context["bank_refund_form"] = kwargs.get("bank_refund_form") or BankRefundForm(
            initial={"amount": suggested} if suggested > 0 else None
        )
        return context


class ManualRefundView(BookingPaymentsView):
    def post(self, request, reference):
        booking = self.get_booking()
        form = RefundForm(request.POST)
        if form.is_valid():
            try:
                refunds = refund_create(
                    booking=booking,
                    amount=form.cleaned_data["amount"],
                    reason=form.cleaned_data["reason"],
                    actor=request.user,
                )
            except ValidationError as exc:
                _field_errors(form, exc)
            else:
                failed = [r for r in refunds if r.status == "failed"]
                if failed:
                    messages.error(
                        request,
                        _("Stripe refused the refund: %(m)s") % {"m": failed[0].failure_message},
                    )
                else:
                    messages.success(request, _("Refund executed."))
                return redirect("payments_pages:bo_booking_payments", reference=reference)
        return self.render_to_response(self.get_context_data(refund_form=form), status=400)


class RefundRetryView(FinanceMixin, View):
    """Retry a refund that failed at Stripe."""

    def post(self, request, reference, pk):
        booking = get_object_or_404(Booking, reference=reference)
        failed = get_object_or_404(Refund, pk=pk, booking=booking)
        try:
            retry = refund_retry(refund=failed, actor=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            if retry.status == "succeeded":
                messages.success(request, _("Refund executed."))
            else:
                messages.error(
                    request,
                    _("Stripe refused the refund again: %(m)s") % {"m": retry.failure_message},
                )
        return redirect("payments_pages:bo_booking_payments", reference=reference)


class BankTransferView(BookingPaymentsView):
    def post(self, request, reference):
        booking = self.get_booking()
        form = BankTransferForm(request.POST)
        if form.is_valid():
            try:
                receipt_record(
                    booking=booking,
                    amount=form.cleaned_data["amount"],
                    booked_on=form.cleaned_data["booked_on"],
                    reference=f"manual:{form.cleaned_data['reference']}",
                    actor=request.user,
                )
            except ValidationError as exc:
                _field_errors(form, exc)
            else:
                messages.success(request, _("Bank transfer recorded."))
                return redirect("payments_pages:bo_booking_payments", reference=reference)
        return self.render_to_response(self.get_context_data(transfer_form=form), status=400)


class BankRefundView(BookingPaymentsView):
    """Finance made a refund by bank transfer: it is recorded as a refund in the ledger."""

    def post(self, request, reference):
        booking = self.get_booking()
        form = BankRefundForm(request.POST)
        if form.is_valid():
            try:
                refund_record_bank_transfer(
                    booking=booking,
                    amount=form.cleaned_data["amount"],
                    reference=form.cleaned_data["reference"],
                    booked_on=form.cleaned_data["booked_on"],
                    actor=request.user,
                )
            except ValidationError as exc:
                _field_errors(form, exc)
            else:
                messages.success(request, _("Refund by bank transfer recorded."))
                return redirect("payments_pages:bo_booking_payments", reference=reference)
        return self.render_to_response(self.get_context_data(bank_refund_form=form), status=400)


class LedgerView(FinanceMixin, TemplateView):
    template_name = "payments/bo_ledger.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        counterparty = None
        if self.request.GET.get("counterparty"):
            counterparty = Organisation.objects.filter(pk=self.request.GET["counterparty"]).first()
        kind = self.request.GET.get("kind") or None
        entries = selectors.ledger_for(counterparty=counterparty, kinds=[kind] if kind else None)
        context.update(
            {
                "counterparty": counterparty,
                "kind": kind,
                "kinds": EntryKind.choices,
                "entries": entries[:300],
                "totals": selectors.ledger_totals_by_kind(entries),
                "total_cents": entries.aggregate(t=Sum("amount_cents"))["t"] or 0,
                "counterparties": Organisation.objects.filter(ledger_entries__isnull=False)
                .annotate(n=Count("ledger_entries"))
                .order_by("name"),
                "unmatched": BankTransaction.objects.filter(ledger_entry__isnull=True)[:50],
            }
        )
        return context


class BankImportView(FinanceMixin, View):
    def get(self, request):
        return render(request, "payments/bo_bank_import.html", {"form": BankImportForm()})

    def post(self, request):
        form = BankImportForm(request.POST, request.FILES)
        result = None
        if form.is_valid():
            try:
                result = bank_statement_import(
                    data=form.cleaned_data["file"].read(),
                    amount_format=form.cleaned_data["amount_format"],
                    layout=form.cleaned_data["layout"],
                    actor=request.user,
                )
            except ValidationError as exc:
                _field_errors(form, exc)
        status = 200 if result else 400
        return render(
            request, "payments/bo_bank_import.html", {"form": form, "result": result}, status=status
        )


class BankUnmatchedView(FinanceMixin, View):
    """Bank lines not recorded yet: no reference matched (finance names the booking or the
    invoice), or the amount is not what is due (finance decides). Errors come back as
    messages, and the line stays as it was."""

    def get(self, request):
        lines = list(selectors.bank_transactions_unmatched().select_related("booking")[:200])
        return render(
            request,
            "payments/bo_bank_unmatched.html",
            {
                "transactions": [t for t in lines if t.booking_id is None],
                "to_decide": [t for t in lines if t.booking_id is not None],
            },
        )

    def post(self, request):
        if "decision" in request.POST:
            return self._decide(request)
        form = BankMatchForm(request.POST)
        if not form.is_valid():
            for errors in form.errors.values():
                messages.error(request, " ".join(errors))
            return redirect("payments_pages:bo_bank_unmatched")
        try:
            tx = bank_transaction_match_reference(
                transaction_id=form.cleaned_data["transaction"],
                reference=form.cleaned_data["reference"],
                actor=request.user,
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            if tx.ledger_entry_id:
                messages.success(
                    request,
                    _("%(amount)s EUR matched to booking %(ref)s.")
                    % {"amount": tx.amount, "ref": tx.booking.reference},
                )
            else:
                messages.warning(
                    request,
                    _("%(amount)s EUR is not what booking %(ref)s has due: decide below.")
                    % {"amount": tx.amount, "ref": tx.booking.reference},
                )
        return redirect("payments_pages:bo_bank_unmatched")

    def _decide(self, request):
        form = BankDecisionForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Choose a decision."))
            return redirect("payments_pages:bo_bank_unmatched")
        try:
            tx = bank_transaction_decide(
                transaction_id=form.cleaned_data["transaction"],
                decision=form.cleaned_data["decision"],
                actor=request.user,
            )
        except (ValidationError, BankTransaction.DoesNotExist) as exc:
            messages.error(request, " ".join(getattr(exc, "messages", [_("Unknown bank line.")])))
        else:
            messages.success(
                request,
                _("%(amount)s EUR recorded for booking %(ref)s.")
                % {"amount": tx.amount, "ref": tx.booking.reference},
            )
        return redirect("payments_pages:bo_bank_unmatched")


class PayoutRunsView(FinanceMixin, View):
    def context(self, form=None):
        return {
            "runs": PayoutRun.objects.annotate(
                total=Sum("items__amount"), operators=Count("items")
            ).order_by("-created_at")[:50],
            "payable": OperatorPayable.objects.filter(status="payable")
            .values("operator__name")
            .annotate(total=Sum("amount"))
            .order_by("operator__name"),
            "form": form or PayoutRunForm(),
        }

    def get(self, request):
        payables_release_due()
        return render(request, "payments/bo_payouts.html", self.context())

    def post(self, request):
        form = PayoutRunForm(request.POST)
        if form.is_valid():
            payables_release_due()
            try:
                run = payout_run_create(
                    actor=request.user, execution_date=form.cleaned_data["execution_date"]
                )
            except ValidationError as exc:
                _field_errors(form, exc)
            else:
                messages.success(request, _("Payout run created."))
                return redirect("payments_pages:bo_payout_run", pk=run.pk)
        return render(request, "payments/bo_payouts.html", self.context(form), status=400)


class PayoutRunView(FinanceMixin, View):
    def get(self, request, pk):
        run = get_object_or_404(PayoutRun, pk=pk)
        return render(
            request,
            "payments/bo_payout_run.html",
            {
                "run": run,
                "items": run.items.select_related("operator"),
                "totals": payout_totals(run),
            },
        )

    def post(self, request, pk):
        run = get_object_or_404(PayoutRun, pk=pk)
        action = request.POST.get("action")
        if action == "mark_paid":
            payout_run_mark_paid(run=run, actor=request.user)
            messages.success(request, _("SEPA transfers marked as paid."))
        elif action == "connect":
            try:
                count = payout_run_pay_connect(run=run, actor=request.user)
            except stripe.StripeError as exc:
                messages.error(request, str(exc))
            else:
                messages.success(request, _("%(n)s Connect transfer(s) made.") % {"n": count})
        return redirect("payments_pages:bo_payout_run", pk=pk)


class PayoutSepaView(FinanceMixin, View):
    def get(self, request, pk):
        run = get_object_or_404(PayoutRun, pk=pk)
        try:
            xml = payout_run_sepa_xml(run=run)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("payments_pages:bo_payout_run", pk=pk)
        response = HttpResponse(xml, content_type="application/xml")
        response["Content-Disposition"] = f'attachment; filename="payout-run-{run.pk}-pain001.xml"'
        return response


class ReconciliationView(FinanceMixin, View):
    def get(self, request):
        day = timezone.localdate() - timedelta(days=1)
        form = DayForm(request.GET or None, initial={"day": day})
        report = None
        if form.is_bound and form.is_valid():
            day = form.cleaned_data["day"]
            report = ReconciliationReport.objects.filter(day=day).first()
        return render(
            request,
            "payments/bo_reconciliation.html",
            {
                "form": form,
                "report": report,
                "day": day,
                "reports": ReconciliationReport.objects.all()[:30],
            },
        )

    def post(self, request):
        form = DayForm(request.POST)
        if not form.is_valid():
            return render(request, "payments/bo_reconciliation.html", {"form": form}, status=400)
        try:
            report = reconcile_day(day=form.cleaned_data["day"])
        except stripe.StripeError as exc:
            messages.error(request, _("Stripe could not be reached: %(e)s") % {"e": exc})
            return redirect("payments_pages:bo_reconciliation")
        return redirect(f"{request.path}?day={report.day.isoformat()}")


class CreditExposureView(FinanceMixin, TemplateView):
    template_name = "payments/bo_credit.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["rows"] = selectors.credit_exposure()
        return context


class OperatorPayoutsView(OrganisationScopedMixin, TemplateView):
    """An operator's money: upcoming, payable and paid amounts, and its payouts."""

    template_name = "payments/operator_payouts.html"
    model = OperatorPayable
    organisation_field = "operator"
    organisation_kinds = ("operator",)
    min_role = Role.MANAGER

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        organisation = self.get_organisation()
        if organisation is None:
            raise Http404
        context.update(selectors.operator_money(organisation))
        context["organisation"] = organisation
        return context


class TradeAccountView(OrganisationScopedMixin, TemplateView):
    """A trade partner's account: balance, credit left, open items."""

    template_name = "payments/trade_account.html"
    model = LedgerEntry
    organisation_field = "counterparty"
    organisation_kinds = ("trade",)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        organisation = self.get_organisation()
        context.update(selectors.partner_account(organisation))
        context["organisation"] = organisation
        context["today"] = timezone.localdate()
        return context
