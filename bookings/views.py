"""Booking pages: the DMC back office, the operator extranet (lines, manifests, redemption),
the trade partner's bookings with rooming lists, and the traveller's own bookings.

Views are thin: they pick the booking through a scoped queryset, call a service, and turn
the service's errors into messages."""

from __future__ import annotations

import csv
from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views import View
from django.views.generic import ListView, TemplateView

from accounts.tenancy import DmcStaffRequiredMixin, OrganisationScopedMixin
from marketplace.amounts import amount_text
from marketplace.errors import DomainError
from operators.models import Slot
from operators.pricing import money

from . import rooming, selectors, services
from .forms import (
    AddLineForm,
    AmendForm,
    BackofficeFilterForm,
    CancelForm,
    ExtendOptionForm,
    OperatorLinesFilterForm,
    PackageAmendForm,
    ParticipantForm,
    RedeemForm,
    RemoveLineForm,
    RoomingUploadForm,
)
from .models import Booking, BookingLine, BookingStatus, LineKind, LineStatus, Participant
from .money import PaymentState, booking_refund_view, payment_states

SERVICE_ERRORS = (DomainError, ValidationError)
VOUCHER_STATUSES = (BookingStatus.CONFIRMED, BookingStatus.COMPLETED)
EVENT_LABELS = {
    "hold": _lazy("Held"),
    "payment_started": _lazy("Payment started"),
    "confirm": _lazy("Confirmed"),
    "extend_option": _lazy("Option extended"),
    "cancel": _lazy("Cancelled"),
    "cancel_lines": _lazy("Lines cancelled"),
    "cancel_participants": _lazy("Participants cancelled"),
    "amend": _lazy("Amended"),
    "redeem": _lazy("Voucher redeemed"),
    "complete": _lazy("Completed"),
    "no_show": _lazy("No-show"),
    "participant_add": _lazy("Participant added"),
    "participant_edit": _lazy("Participant edited"),
    "participant_remove": _lazy("Participant removed"),
    "rooming_list_import": _lazy("Rooming list uploaded"),
}


def _timeline(events) -> list:
    """Events with readable labels for the action and the statuses."""
    statuses = dict(BookingStatus.choices)
    for event in events:
        event.label = EVENT_LABELS.get(event.action, event.action)
        event.from_label = statuses.get(event.from_status, event.from_status)
        event.to_label = statuses.get(event.to_status, event.to_status)
    return events


def error_message(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return str(getattr(exc, "message", "") or exc)


def call_service(request, fn, *args, **kwargs):
    """Run a service; its refusals become an error message and None, never a 500."""
    try:
        return fn(*args, **kwargs)
    except SERVICE_ERRORS as exc:
        messages.error(request, error_message(exc))
        return None


def voucher_response(booking: Booking) -> HttpResponse:
    from .vouchers import voucher_pdf_bytes

    response = HttpResponse(voucher_pdf_bytes(booking), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="voucher-{booking.reference}.pdf"'
    return response


def _penalty_rows(booking: Booking) -> list[dict]:
    """What cancelling each active line today would cost (shown before confirming)."""
    return [
        {
            "line": line,
            "penalty": services.cancellation_preview(booking=booking, line_ids=[line.pk]),
        }
        for line in booking.lines.filter(parent__isnull=True, status=LineStatus.ACTIVE).order_by(
            "position", "pk"
        )
    ]


class CancelFlowMixin:
    """GET: the lines with their penalty today. POST action=preview: the penalty of the chosen
    lines, with a confirm button. POST action=confirm: booking_cancel."""

    template_name = "bookings/cancel.html"
    staff = False

    def get_booking(self) -> Booking:
        raise NotImplementedError

    def detail_url(self, booking) -> str:
        raise NotImplementedError

    def _render(self, request, booking, form, preview=None):
        return render(
            request,
            self.template_name,
            {
                "booking": booking,
                "form": form,
                "preview": preview,
                "rows": _penalty_rows(booking),
                "staff": self.staff,
                "detail_url": self.detail_url(booking),
            },
        )

    def get(self, request, *args, **kwargs):
        booking = self.get_booking()
        initial = {"lines": [int(x) for x in request.GET.getlist("line") if x.isdigit()]}
        return self._render(
            request, booking, CancelForm(booking=booking, staff=self.staff, initial=initial)
        )

    def post(self, request, *args, **kwargs):
        booking = self.get_booking()
        form = CancelForm(request.POST, booking=booking, staff=self.staff)
        if not form.is_valid():
            return self._render(request, booking, form)
        waive = form.cleaned_data.get("waive_penalty", False)
        if request.POST.get("action") != "confirm":
            preview = services.cancellation_preview(
                booking=booking,
                line_ids=form.line_ids(),
                waive_penalty=waive
                or form.cleaned_data["reason"] in ("extraordinary", "not_guaranteed"),
            )
            return self._render(request, booking, form, preview=preview)
        result = call_service(
            request,
            services.booking_cancel,
            booking=booking,
            reason=form.cleaned_data["reason"],
            actor=request.user,
            line_ids=form.line_ids(),
            waive_penalty=waive,
            note=form.cleaned_data.get("note", ""),
        )
        if result is not None:
            messages.success(
                request,
                _("Cancelled. Penalty EUR %(p)s, refund due EUR %(r)s.")
                % {"p": amount_text(result.penalty), "r": amount_text(result.refund_due)},
            )
        return redirect(self.detail_url(booking))


# --- DMC back office -----------------------------------------------------------------------


class BackofficeBookingMixin(DmcStaffRequiredMixin):
    def get_booking(self) -> Booking:
        return get_object_or_404(Booking, reference=self.kwargs["reference"])

    def detail_url(self, booking) -> str:
        return reverse("bookings:backoffice_detail", args=[booking.reference])


class BackofficeBookingListView(DmcStaffRequiredMixin, ListView):
    template_name = "bookings/backoffice/list.html"
    context_object_name = "bookings"
    paginate_by = 25

    def get_queryset(self):
        self.filter_form = BackofficeFilterForm(self.request.GET or None)
        return selectors.bookings_for_backoffice(self.filter_form.filters())

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["filter_form"] = self.filter_form
        query = self.request.GET.copy()
        query.pop("page", None)
        context["query_string"] = query.urlencode()
        current = self.request.GET.get("sort", "")
        query.pop("sort", None)
        base = query.urlencode()
        context["sort_links"] = {
            key: {
                "url": "?"
                + "&".join(p for p in (base, f"sort={'-' if current == key else ''}{key}") if p),
                "state": "ascending"
                if current == key
                else "descending"
                if current == f"-{key}"
                else "none",
            }
            for key in selectors.BACKOFFICE_SORTS
        }
        page = list(context["object_list"])
        states = payment_states(page)
        for booking in page:
            code = states.get(booking.pk, "")
            booking.payment_state = code
            booking.payment_state_label = PaymentState.LABELS.get(code, "")
        context["bookings"] = context["object_list"] = page
        return context


class BackofficeBookingExportView(DmcStaffRequiredMixin, View):
    """The filtered list as CSV, streamed."""

    def get(self, request):
        form = BackofficeFilterForm(request.GET or None)
        bookings = selectors.bookings_for_backoffice(form.filters())

        class Echo:
            def write(self, value):
                return value

        writer = csv.writer(Echo())
        header = [
            "reference", "status", "channel", "created_at", "first_service_date", "buyer",
            "contact_name", "contact_email", "buyer_reference", "lines", "total_retail",
            "total_net", "tourist_tax", "penalty_total", "refund_due",
        ]  # fmt: skip

        def rows():
            yield writer.writerow(header)
            for b in bookings.iterator(chunk_size=500):
                yield writer.writerow(
                    [
                        b.reference,
                        b.status,
                        b.channel,
                        timezone.localtime(b.created_at).isoformat(timespec="minutes"),
                        b.first_service_date.isoformat() if b.first_service_date else "",
                        b.buyer_organisation.name if b.buyer_organisation else "",
                        b.contact_name,
                        b.contact_email,
                        b.buyer_reference,
                        b.line_count,
                        b.total_retail,
                        b.total_net,
                        b.tourist_tax,
                        b.penalty_total,
                        b.refund_due,
                    ]
                )

        response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
        stamp = timezone.localdate().isoformat()
        response["Content-Disposition"] = f'attachment; filename="bookings-{stamp}.csv"'
        return response


class BackofficeBookingDetailView(BackofficeBookingMixin, TemplateView):
    template_name = "bookings/backoffice/detail.html"

    def get_context_data(self, **kwargs):
        booking = selectors.booking_detail(Booking.objects, reference=self.kwargs["reference"])
        if booking is None:
            raise Http404
        context = super().get_context_data(**kwargs)
        default_until = (booking.expires_at or timezone.now()) + timedelta(days=2)
        context.update(
            booking=booking,
            refund=booking_refund_view(booking),
            lines=booking.top_lines,
            allocations=selectors.allocation_summary(booking),
            participants=list(booking.participants.all()),
            amendments=list(booking.amendments.all()),
            events=_timeline(list(booking.events.all())),
            extend_form=ExtendOptionForm(
                initial={"until": timezone.localtime(default_until).replace(second=0)}
            ),
            can_extend=booking.status in (BookingStatus.HELD, BookingStatus.PENDING_PAYMENT),
            can_confirm=booking.status in (BookingStatus.HELD, BookingStatus.PENDING_PAYMENT),
            can_complete=booking.status == BookingStatus.CONFIRMED,
            has_voucher=booking.status in VOUCHER_STATUSES,
            voucher_url=reverse("bookings:backoffice_voucher", args=[booking.reference]),
        )
        return context


class BackofficeActionView(BackofficeBookingMixin, View):
    http_method_names = ["post"]

    def post(self, request, reference):
        booking = self.get_booking()
        self.perform(request, booking)
        return redirect(self.detail_url(booking))

    def perform(self, request, booking):
        raise NotImplementedError


class BackofficeExtendView(BackofficeActionView):
    def perform(self, request, booking):
        form = ExtendOptionForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Give a valid new expiry date and time."))
            return
        if call_service(
            request,
            services.booking_extend_option,
            booking=booking,
            until=form.cleaned_data["until"],
            actor=request.user,
            reason=form.cleaned_data["reason"],
        ):
            messages.success(request, _("Option extended."))


class BackofficeConfirmView(BackofficeActionView):
    """Confirm on account: held inventory becomes sold without a card payment."""

    def perform(self, request, booking):
        if call_service(
            request,
            services.booking_confirm,
            booking=booking,
            actor=request.user,
            via="backoffice",
            reason=request.POST.get("reason", "")[:200] or _("Confirmed on account"),
        ):
            messages.success(request, _("Booking confirmed; the voucher follows."))


class BackofficeCompleteView(BackofficeActionView):
    def perform(self, request, booking):
        no_show = request.POST.get("outcome") == "no_show"
        if call_service(
            request,
            services.booking_complete,
            booking=booking,
            actor=request.user,
            no_show=no_show,
        ):
            messages.success(
                request, _("Marked as no-show.") if no_show else _("Marked as completed.")
            )


class BackofficeResendVoucherView(BackofficeActionView):
    """Regenerate the voucher and send the confirmation email again (after commit)."""

    def perform(self, request, booking):
        from outbox.services import outbox_enqueue

        from . import tasks
        from .vouchers import voucher_generate

        if booking.status not in VOUCHER_STATUSES:
            messages.error(request, _("Only a confirmed booking has a voucher."))
            return
        with transaction.atomic():
            voucher = voucher_generate(booking=booking)
            outbox_enqueue(
                handler=tasks.send_booking_notification,
                kwargs={"booking_id": booking.pk, "event": "confirmed"},
            )
        messages.success(
            request,
            _("Voucher version %(v)s generated and sent to %(email)s.")
            % {"v": voucher.version, "email": booking.contact_email},
        )


class BackofficeCancelView(BackofficeBookingMixin, CancelFlowMixin, View):
    staff = True


class BackofficeAmendView(BackofficeBookingMixin, View):
    """A line's new slot/date/pax/rooms (a package line: its start date, party and rooms):
    preview the price difference, then confirm it with the total shown (the service refuses
    if the price moved meanwhile); or remove the line with its penalty."""

    template_name = "bookings/backoffice/amend.html"

    def get_line(self, booking) -> BookingLine:
        return get_object_or_404(
            BookingLine.objects.select_related("product", "slot", "unit_type").filter(
                Q(product__isnull=False) | Q(kind=LineKind.PACKAGE)
            ),
            pk=self.kwargs["line"],
            booking=booking,
            parent__isnull=True,
            status=LineStatus.ACTIVE,
        )

    @staticmethod
    def _form(line, data=None):
        if line.kind == LineKind.PACKAGE:
            return PackageAmendForm(data, line=line)
        return AmendForm(data, line=line)

    @staticmethod
    def _preview(line, changes):
        if line.kind == LineKind.PACKAGE:
            return services.package_amendment_preview(line=line, **changes)
        return services.amendment_preview(line=line, **changes)

    def _render(self, request, booking, line, form, preview=None, remove_form=None):
        return render(
            request,
            self.template_name,
            {
                "booking": booking,
                "line": line,
                "form": form,
                "preview": preview,
                "remove_form": remove_form or RemoveLineForm(),
                "removal_penalty": services.line_removal_preview(line=line),
            },
        )

    def get(self, request, reference, line):
        booking = self.get_booking()
        line = self.get_line(booking)
        return self._render(request, booking, line, self._form(line))

    def post(self, request, reference, line):
        booking = self.get_booking()
        line = self.get_line(booking)
        if request.POST.get("action") == "remove":
            return self._remove(request, booking, line)
        form = self._form(line, request.POST)
        if not form.is_valid():
            return self._render(request, booking, line, form)
        try:
            changes = form.changes()
        except ValidationError as exc:
            form.add_error(None, error_message(exc))
            return self._render(request, booking, line, form)
        if request.POST.get("action") != "confirm":
            return self._render(request, booking, line, form, self._preview(line, changes))
        try:
            expected = money(request.POST.get("expected_total", ""))
        except Exception:  # noqa: BLE001 - any unparsable total means: preview again
            messages.error(request, _("Preview the change before confirming it."))
            return self._render(request, booking, line, form)
        amend = (
            services.booking_amend_package
            if line.kind == LineKind.PACKAGE
            else services.booking_amend
        )
        amendment = call_service(
            request, amend, line=line, actor=request.user, expected_total=expected, **changes
        )
        if amendment is None:
            return self._render(request, booking, line, form, self._preview(line, changes))
        messages.success(
            request,
            _("Line changed; difference EUR %(d)s.") % {"d": amount_text(amendment.difference)},
        )
        return redirect(self.detail_url(booking))

    def _remove(self, request, booking, line):
        remove_form = RemoveLineForm(request.POST)
        if not remove_form.is_valid():
            return self._render(request, booking, line, self._form(line), None, remove_form)
        result = call_service(
            request,
            services.booking_remove_line,
            line=line,
            actor=request.user,
            reason=remove_form.cleaned_data["reason"],
            waive_penalty=remove_form.cleaned_data["waive_penalty"],
        )
        if result is None:
            return self._render(request, booking, line, self._form(line), None, remove_form)
        messages.success(
            request,
            _("Line removed; penalty EUR %(p)s, refund due EUR %(r)s.")
            % {"p": amount_text(result.penalty), "r": amount_text(result.refund_due)},
        )
        return redirect(self.detail_url(booking))


class BackofficeAddLineView(BackofficeBookingMixin, View):
    """Add a product or a package to a booking (an option or a confirmed booking): preview
    the new total, then confirm it with the total shown."""

    template_name = "bookings/backoffice/add_line.html"

    def _render(self, request, booking, form, preview=None):
        return render(
            request, self.template_name, {"booking": booking, "form": form, "preview": preview}
        )

    def get_booking(self) -> Booking:
        booking = super().get_booking()
        if not booking.is_active:
            raise Http404
        return booking

    def get(self, request, reference):
        return self._render(request, self.get_booking(), AddLineForm())

    def post(self, request, reference):
        booking = self.get_booking()
        form = AddLineForm(request.POST)
        if not form.is_valid():
            return self._render(request, booking, form)
        try:
            requests = form.requests()
        except ValidationError as exc:
            form.add_error(None, error_message(exc))
            return self._render(request, booking, form)
        if request.POST.get("action") != "confirm":
            preview = services.add_lines_preview(booking=booking, **requests)
            return self._render(request, booking, form, preview)
        try:
            expected = money(request.POST.get("expected_total", ""))
        except Exception:  # noqa: BLE001 - any unparsable total means: preview again
            messages.error(request, _("Preview the change before confirming it."))
            return self._render(request, booking, form)
        amendment = call_service(
            request,
            services.booking_add_lines,
            booking=booking,
            actor=request.user,
            expected_total=expected,
            **requests,
        )
        if amendment is None:
            preview = services.add_lines_preview(booking=booking, **requests)
            return self._render(request, booking, form, preview)
        messages.success(
            request,
            _("Line added; difference EUR %(d)s.") % {"d": amount_text(amendment.difference)},
        )
        return redirect(self.detail_url(booking))


class BackofficeVoucherView(BackofficeBookingMixin, View):
    def get(self, request, reference):
        return voucher_response(self.get_booking())


# --- operator extranet ---------------------------------------------------------------------


class OperatorLinesMixin(OrganisationScopedMixin):
    model = BookingLine
    organisation_field = "supplier"
    organisation_kinds = ("operator",)


class OperatorLineListView(OperatorLinesMixin, ListView):
    template_name = "bookings/operator/lines.html"
    context_object_name = "lines"
    paginate_by = 50

    def get_base_queryset(self):
        return BookingLine.objects.exclude(kind="package")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["filter_form"] = self.filter_form
        query = self.request.GET.copy()
        query.pop("page", None)
        context["query_string"] = query.urlencode()
        context["today"] = timezone.localdate()
        return context

    def paginate_queryset(self, queryset, page_size):
        return super().paginate_queryset(self._filtered(queryset), page_size)

    def _filtered(self, queryset):
        self.filter_form = OperatorLinesFilterForm(
            self.request.GET or None, organisation=self.get_organisation()
        )
        data = self.filter_form.cleaned_data if self.filter_form.is_valid() else {}
        date_from = data.get("date_from")
        if not self.request.GET:
            date_from = timezone.localdate()
        return selectors.lines_for_operator(
            queryset,
            date_from=date_from,
            date_to=data.get("date_to"),
            product_id=data["product"].pk if data.get("product") else None,
            status=data.get("status") or "",
        )


class OperatorBookingMixin(OperatorLinesMixin):
    def get_lines(self) -> list[BookingLine]:
        lines = list(
            self.get_queryset()
            .filter(booking__reference=str(self.kwargs["reference"]).upper())
            .exclude(kind="package")
            .select_related("booking", "product", "unit_type", "slot", "redeemed_by")
            .prefetch_related("allocations")
            .order_by("service_date", "start_time", "pk")
        )
        if not lines:
            raise Http404
        return lines


class OperatorBookingDetailView(OperatorBookingMixin, TemplateView):
    template_name = "bookings/operator/booking.html"

    def get_context_data(self, **kwargs):
        lines = self.get_lines()
        booking = lines[0].booking
        participants = Participant.objects.filter(booking=booking, cancelled=False).filter(
            models_q_line_in(lines)
        )
        context = super().get_context_data(**kwargs)
        context.update(
            booking=booking,
            lines=lines,
            participants=participants.select_related("unit_type"),
            has_voucher=booking.status in VOUCHER_STATUSES,
        )
        return context


def models_q_line_in(lines):
    return Q(line__isnull=True) | Q(line__in=[ln.pk for ln in lines])


class OperatorVoucherView(OperatorBookingMixin, View):
    def get(self, request, reference):
        booking = self.get_lines()[0].booking
        if booking.status not in VOUCHER_STATUSES:
            raise Http404
        return voucher_response(booking)


class SlotManifestView(OrganisationScopedMixin, TemplateView):
    """Printable list of who is coming to one of the operator's slots."""

    model = Slot
    organisation_field = "product__organisation"
    organisation_kinds = ("operator",)
    template_name = "bookings/operator/manifest.html"

    def get_context_data(self, **kwargs):
        slot = get_object_or_404(self.get_queryset().select_related("product"), pk=kwargs["pk"])
        lines = selectors.slot_manifest(slot=slot, supplier=self.get_organisation())
        context = super().get_context_data(**kwargs)
        context.update(
            slot=slot,
            lines=lines,
            pax_total=sum(ln.quantity for ln in lines),
            redeemed=sum(ln.quantity for ln in lines if ln.redeemed_at),
            confirmed=sum(ln.quantity for ln in lines if ln.booking.status != BookingStatus.HELD),
        )
        return context


class RedeemView(OperatorLinesMixin, View):
    """Redeem a voucher by camera scan (BarcodeDetector) or by typing the reference."""

    template_name = "bookings/operator/redeem.html"

    def get(self, request):
        return render(request, self.template_name, {"form": RedeemForm()})

    def post(self, request):
        form = RedeemForm(request.POST)
        result = None
        if form.is_valid():
            result = services.voucher_redeem(
                organisation=self.get_organisation(),
                actor=request.user,
                raw=form.cleaned_data["raw"],
                method=form.cleaned_data["method"],
            )
            form = RedeemForm()
        return render(
            request,
            self.template_name,
            {"form": form, "result": result},
            status=200 if result is None or result.accepted else 409,
        )


# --- buyers: trade partners and travellers -------------------------------------------------


class BuyerBookingMixin:
    """Shared by the trade partner's and the traveller's pages; `url_prefix` names the
    routes ("trade" or "account")."""

    url_prefix = ""
    staff = False

    def buyer_queryset(self):
        raise NotImplementedError

    def get_booking(self) -> Booking:
        return get_object_or_404(
            self.buyer_queryset(), reference=str(self.kwargs["reference"]).upper()
        )

    def detail_url(self, booking) -> str:
        return reverse(f"bookings:{self.url_prefix}_detail", args=[booking.reference])


class BuyerListMixin(BuyerBookingMixin):
    template_name = "bookings/buyer/list.html"
    context_object_name = "bookings"
    paginate_by = 25

    def paginate_queryset(self, queryset, page_size):
        qs = selectors.bookings_for_buyer(queryset, status=self.request.GET.get("status", ""))
        return super().paginate_queryset(qs, page_size)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["url_prefix"] = self.url_prefix
        context["statuses"] = BookingStatus.choices
        context["status"] = self.request.GET.get("status", "")
        return context


class BuyerDetailMixin(BuyerBookingMixin):
    template_name = "bookings/buyer/detail.html"
    can_edit_participants = False

    def get_context_data(self, **kwargs):
        booking = selectors.booking_detail(
            self.buyer_queryset(), reference=str(self.kwargs["reference"]).upper()
        )
        if booking is None:
            raise Http404
        context = super().get_context_data(**kwargs)
        context.update(
            booking=booking,
            refund=booking_refund_view(booking),
            lines=booking.top_lines,
            participants=[p for p in booking.participants.all() if not p.cancelled],
            url_prefix=self.url_prefix,
            has_voucher=booking.status in VOUCHER_STATUSES,
            can_cancel=booking.is_active,
            can_edit_participants=self.can_edit_participants and booking.is_active,
        )
        return context


class TradeMixin(OrganisationScopedMixin):
    model = Booking
    organisation_field = "buyer_organisation"
    organisation_kinds = ("trade",)
    url_prefix = "trade"

    def buyer_queryset(self):
        return self.get_queryset()


class TradeBookingListView(TradeMixin, BuyerListMixin, ListView):
    pass


class TradeBookingDetailView(TradeMixin, BuyerDetailMixin, TemplateView):
    can_edit_participants = True


class TradeCancelView(TradeMixin, BuyerBookingMixin, CancelFlowMixin, View):
    pass


class TradeVoucherView(TradeMixin, BuyerBookingMixin, View):
    def get(self, request, reference):
        booking = self.get_booking()
        if booking.status not in VOUCHER_STATUSES:
            raise Http404
        return voucher_response(booking)


def rooming_page(request, booking, *, upload_form=None, add_form=None, row_errors=None, status=200):
    limits = rooming.rooming_limits(booking)
    unit_types = list(limits.unit_types.values())
    return render(
        request,
        "bookings/trade/rooming.html",
        {
            "booking": booking,
            "limits": limits,
            "unit_types": unit_types,
            "participants": booking.participants.filter(cancelled=False).select_related(
                "unit_type"
            ),
            "upload_form": upload_form or RoomingUploadForm(),
            "add_form": add_form or ParticipantForm(unit_types=unit_types),
            "row_errors": row_errors,
            "editable": booking.is_active,
        },
        status=status,
    )


class TradeRoomingView(TradeMixin, BuyerBookingMixin, View):
    """The participants: upload a rooming list (replaces it), add one, download the CSV."""

    def get(self, request, reference):
        return rooming_page(request, self.get_booking())

    def post(self, request, reference):
        booking = self.get_booking()
        form = RoomingUploadForm(request.POST, request.FILES)
        if not form.is_valid():
            return rooming_page(request, booking, upload_form=form, status=400)
        try:
            result = rooming.rooming_list_import(
                booking=booking, content=form.cleaned_data["file"].read(), actor=request.user
            )
        except rooming.RoomingListInvalid as exc:
            messages.error(request, _("Nothing was imported: correct these rows and upload again."))
            return rooming_page(
                request, booking, upload_form=form, row_errors=exc.row_errors, status=400
            )
        except ValidationError as exc:
            messages.error(request, error_message(exc))
            return rooming_page(request, booking, upload_form=form, status=400)
        messages.success(
            request, _("%(n)s participants imported.") % {"n": len(result.participants)}
        )
        for note in result.notes:
            messages.warning(request, note)
        return redirect("bookings:trade_rooming", booking.reference)


class TradeRoomingCsvView(TradeMixin, BuyerBookingMixin, View):
    def get(self, request, reference):
        booking = self.get_booking()
        response = HttpResponse(rooming.rooming_list_csv(booking), content_type="text/csv")
        response["Content-Disposition"] = f'attachment; filename="rooming-{booking.reference}.csv"'
        return response


class TradeParticipantAddView(TradeMixin, BuyerBookingMixin, View):
    http_method_names = ["post"]

    def post(self, request, reference):
        booking = self.get_booking()
        limits = rooming.rooming_limits(booking)
        form = ParticipantForm(request.POST, unit_types=list(limits.unit_types.values()))
        if form.is_valid():
            try:
                rooming.participant_add(booking=booking, actor=request.user, **form.cleaned_data)
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                messages.success(request, _("Participant added."))
                return redirect("bookings:trade_rooming", booking.reference)
        return rooming_page(request, booking, add_form=form, status=400)


def _add_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


class TradeParticipantEditView(TradeMixin, BuyerBookingMixin, View):
    template_name = "bookings/trade/participant_form.html"

    def get_participant(self, booking):
        return get_object_or_404(
            Participant.objects.select_related("unit_type"),
            pk=self.kwargs["pk"],
            booking=booking,
            cancelled=False,
        )

    def _render(self, request, booking, participant, form, status=200):
        return render(
            request,
            self.template_name,
            {"booking": booking, "participant": participant, "form": form},
            status=status,
        )

    def get(self, request, reference, pk):
        booking = self.get_booking()
        participant = self.get_participant(booking)
        unit_types = list(rooming.rooming_limits(booking).unit_types.values())
        form = ParticipantForm(instance=participant, unit_types=unit_types)
        return self._render(request, booking, participant, form)

    def post(self, request, reference, pk):
        booking = self.get_booking()
        participant = self.get_participant(booking)
        if request.POST.get("action") == "delete":
            try:
                rooming.participant_remove(participant=participant, actor=request.user)
            except ValidationError as exc:
                messages.error(request, error_message(exc))
            else:
                messages.success(request, _("Participant removed from the list."))
            return redirect("bookings:trade_rooming", booking.reference)
        unit_types = list(rooming.rooming_limits(booking).unit_types.values())
        form = ParticipantForm(request.POST, unit_types=unit_types)
        if form.is_valid():
            try:
                rooming.participant_update(
                    participant=participant, actor=request.user, **form.cleaned_data
                )
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                messages.success(request, _("Participant saved."))
                return redirect("bookings:trade_rooming", booking.reference)
        return self._render(request, booking, participant, form, status=400)


# --- the traveller's own bookings ----------------------------------------------------------


class TravellerMixin(LoginRequiredMixin):
    url_prefix = "account"

    def buyer_queryset(self):
        return selectors.bookings_for_traveller(self.request.user)


class TravellerBookingListView(TravellerMixin, BuyerListMixin, ListView):
    def get_queryset(self):
        return self.buyer_queryset()


class TravellerBookingDetailView(TravellerMixin, BuyerDetailMixin, TemplateView):
    pass


class TravellerCancelView(TravellerMixin, BuyerBookingMixin, CancelFlowMixin, View):
    pass


class TravellerVoucherView(TravellerMixin, BuyerBookingMixin, View):
    def get(self, request, reference):
        booking = self.get_booking()
        if booking.status not in VOUCHER_STATUSES:
            raise Http404
        return voucher_response(booking)
