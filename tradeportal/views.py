"""The trade portal's pages: home, group search, quotes (PDF, send, option) and the option
page (confirm on account, pay the deposit by card, rooming, amend, cancel). Thin: every
change is a service call, every queryset is scoped to the partner (another's is a 404)."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View

from accounts.tenancy import OrganisationScopedMixin
from bookings import services as booking_services
from bookings.forms import AmendForm
from bookings.models import Booking, BookingLine, BookingStatus, LineStatus
from marketplace.amounts import amount_text
from marketplace.errors import DomainError
from operators.models import Product, ProductStatus, Slot, UnitType
from operators.pricing import money

from . import selectors, services
from .forms import AddLineForm, ConvertForm, GroupSearchForm, QuoteForm
from .models import Quote, QuoteStatus
from .pdf import quote_pdf_bytes

SERVICE_ERRORS = (DomainError, ValidationError)


def _message(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return str(getattr(exc, "message", "") or exc)


class TradePortalMixin(OrganisationScopedMixin):
    organisation_kinds = ("trade",)


class QuoteMixin(TradePortalMixin):
    model = Quote

    def get_quote(self) -> Quote:
        return get_object_or_404(
            self.get_queryset().select_related("organisation", "booking"),
            reference=str(self.kwargs["reference"]).upper(),
        )


class OptionMixin(TradePortalMixin):
    model = Booking
    organisation_field = "buyer_organisation"

    def get_booking(self) -> Booking:
        return get_object_or_404(
            self.get_queryset().select_related("buyer_organisation"),
            reference=str(self.kwargs["reference"]).upper(),
        )


# --- home and search ------------------------------------------------------------------------


class HomeView(TradePortalMixin, View):
    def get(self, request):
        context = selectors.trade_home(self.get_organisation())
        context["organisation"] = self.get_organisation()
        return render(request, "tradeportal/home.html", context)


class SearchView(TradePortalMixin, View):
    def get(self, request):
        organisation = self.get_organisation()
        today = timezone.localdate()
        form = GroupSearchForm(
            request.GET or None,
            initial={
                "start": today + timedelta(days=30),
                "end": today + timedelta(days=32),
                "adults": 20,
            },
        )
        results = None
        if form.is_bound and form.is_valid():
            data = form.cleaned_data
            search = selectors.GroupSearch(
                start=data["start"],
                end=data["end"],
                pax=form.pax(),
                kind=data.get("kind") or "",
                q=data.get("q") or "",
                rooms=form.rooms(),
            )
            results = selectors.group_search(organisation, search)
        open_quotes = list(
            selectors.quotes_of(organisation)
            .filter(status=QuoteStatus.DRAFT, valid_until__gte=today)
            .order_by("-updated_at")[:20]
        )
        return render(
            request,
            "tradeportal/search.html",
            {
                "form": form,
                "results": results,
                "open_quotes": open_quotes,
                "current_quote": request.GET.get("quote", ""),
                "back": request.get_full_path(),
            },
            status=400 if form.is_bound and not form.is_valid() else 200,
        )


# --- quotes ---------------------------------------------------------------------------------


class QuoteListView(QuoteMixin, View):
    def get(self, request):
        quotes = self.get_queryset().order_by("-created_at")[:100]
        return render(
            request, "tradeportal/quotes.html", {"quotes": quotes, "today": timezone.localdate()}
        )


class QuoteCreateView(QuoteMixin, View):
    def get(self, request):
        form = QuoteForm(initial={"valid_until": timezone.localdate() + timedelta(days=14)})
        return render(request, "tradeportal/quote_form.html", {"form": form})

    def post(self, request):
        form = QuoteForm(request.POST)
        if form.is_valid():
            try:
                quote = services.quote_create(
                    organisation=self.get_organisation(),
                    actor=request.user,
                    language=request.LANGUAGE_CODE,
                    **form.cleaned_data,
                )
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                return redirect(reverse("tradeportal:search") + f"?quote={quote.reference}")
        return render(request, "tradeportal/quote_form.html", {"form": form}, status=400)


def _add_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _quote_page(request, quote, *, form=None, convert_form=None, line_errors=None, status=200):
    lines = list(quote.lines.select_related("product", "package", "slot", "unit_type"))
    return render(
        request,
        "tradeportal/quote.html",
        {
            "quote": quote,
            "lines": lines,
            "has_problems": any(ln.problem for ln in lines),
            "has_packages": any(ln.kind == "package" for ln in lines),
            "form": form
            or QuoteForm(
                initial={
                    "title": quote.title,
                    "client_reference": quote.client_reference,
                    "client_email": quote.client_email,
                    "valid_until": quote.valid_until,
                    "notes": quote.notes,
                }
            ),
            "convert_form": convert_form
            or ConvertForm(
                initial={
                    "contact_name": request.user.get_full_name(),
                    "contact_email": request.user.email,
                }
            ),
            "line_errors": line_errors,
        },
        status=status,
    )


class QuoteDetailView(QuoteMixin, View):
    def get(self, request, reference):
        quote = services.quote_reprice(quote=self.get_quote())
        return _quote_page(request, quote)

    def post(self, request, reference):
        quote = self.get_quote()
        form = QuoteForm(request.POST)
        if form.is_valid():
            try:
                services.quote_update(quote=quote, **form.cleaned_data)
            except SERVICE_ERRORS as exc:
                if isinstance(exc, ValidationError):
                    _add_errors(form, exc)
                else:
                    messages.error(request, _message(exc))
            else:
                messages.success(request, _("Quote saved."))
                return redirect("tradeportal:quote", quote.reference)
        quote.refresh_from_db()
        return _quote_page(request, quote, form=form, status=400)


class QuoteAddLineView(QuoteMixin, View):
    """A search result goes into a draft quote (or a new one named on the spot)."""

    http_method_names = ["post"]

    def post(self, request):
        organisation = self.get_organisation()
        back = request.POST.get("back") or ""
        if not url_has_allowed_host_and_scheme(
            back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ) or not back.startswith("/"):
            back = reverse("tradeportal:search")
        form = AddLineForm(request.POST)
        if not form.is_valid():
            for field, errors in form.errors.items():
                for error in errors:
                    messages.error(
                        request,
                        f"{form.fields[field].label or field}: {error}"
                        if field in form.fields
                        else error,
                    )
            return redirect(back)
        data = form.cleaned_data
        product = package = slot = unit_type = None
        if data.get("package"):
            from packages.models import Package, PackageStatus

            package = Package.objects.filter(
                pk=data["package"], status=PackageStatus.PUBLISHED
            ).first()
        elif data.get("product"):
            product = Product.objects.filter(
                pk=data["product"], status=ProductStatus.PUBLISHED
            ).first()
            if product is not None and data.get("slot"):
                slot = Slot.objects.filter(pk=data["slot"], product=product).first()
            if product is not None and data.get("unit_type"):
                unit_type = UnitType.objects.filter(pk=data["unit_type"], product=product).first()
        if product is None and package is None:
            messages.error(request, _("This product or package is not on sale."))
            return redirect(back)
        quote = None
        if data.get("quote"):
            quote = self.get_queryset().filter(reference=data["quote"].upper()).first()
            if quote is None:
                raise Http404("No such quote")
        try:
            if quote is None:
                quote = services.quote_create(
                    organisation=organisation,
                    actor=request.user,
                    title=data.get("new_title")
                    or _("Group from %(d)s") % {"d": date_format(data["day"], "SHORT_DATE_FORMAT")},
                    language=request.LANGUAGE_CODE,
                )
            line = services.quote_line_add(
                quote=quote,
                product=product,
                package=package,
                day=data["day"],
                pax=form.pax(),
                slot=slot,
                unit_type=unit_type,
                check_out=data.get("check_out"),
                units=data.get("units") or 1,
                quantity=data.get("quantity") or 1,
            )
        except SERVICE_ERRORS as exc:
            messages.error(request, _message(exc))
            return redirect(back)
        messages.success(
            request,
            _("“%(title)s” added to quote %(ref)s (€ %(amount)s).")
            % {"title": line.title, "ref": quote.reference, "amount": amount_text(line.amount)},
        )
        sep = "&" if "?" in back else "?"
        if "quote=" not in back:
            back = f"{back}{sep}{urlencode({'quote': quote.reference})}"
        return redirect(back)


class QuoteLineRemoveView(QuoteMixin, View):
    http_method_names = ["post"]

    def post(self, request, reference, pk):
        quote = self.get_quote()
        try:
            services.quote_line_remove(quote=quote, line_id=pk)
        except SERVICE_ERRORS as exc:
            messages.error(request, _message(exc))
        else:
            messages.success(request, _("Line removed."))
        return redirect("tradeportal:quote", quote.reference)


class QuoteSendView(QuoteMixin, View):
    http_method_names = ["post"]

    def post(self, request, reference):
        quote = self.get_quote()
        try:
            quote = services.quote_send(quote=quote, actor=request.user)
        except SERVICE_ERRORS as exc:
            messages.error(request, _message(exc))
        else:
            messages.success(
                request,
                _("Quote sent with its PDF to %(to)s.")
                % {"to": ", ".join(services.quote_recipients(quote, request.user))},
            )
        return redirect("tradeportal:quote", quote.reference)


class QuotePdfView(QuoteMixin, View):
    def get(self, request, reference):
        quote = self.get_quote()
        response = HttpResponse(quote_pdf_bytes(quote), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="quote-{quote.reference}.pdf"'
        return response


class QuoteConvertView(QuoteMixin, View):
    """All the quote's lines become one option, or nothing is held and each refused line
    says why."""

    http_method_names = ["post"]

    def post(self, request, reference):
        quote = self.get_quote()
        form = ConvertForm(request.POST)
        if not form.is_valid():
            return _quote_page(request, quote, convert_form=form, status=400)
        try:
            booking = services.quote_convert(
                quote=quote,
                actor=request.user,
                contact_name=form.cleaned_data["contact_name"],
                contact_email=form.cleaned_data["contact_email"],
                accept_package_terms=form.cleaned_data["accept_package_terms"],
            )
        except services.QuoteNotBookable as exc:
            messages.error(request, exc.message)
            quote.refresh_from_db()
            return _quote_page(
                request, quote, convert_form=form, line_errors=exc.line_errors, status=409
            )
        except SERVICE_ERRORS as exc:
            messages.error(request, _message(exc))
            quote.refresh_from_db()
            return _quote_page(request, quote, convert_form=form, status=409)
        messages.success(
            request,
            _("Option %(ref)s placed: the places are held until %(when)s.")
            % {
                "ref": booking.reference,
                "when": date_format(timezone.localtime(booking.expires_at), "DATETIME_FORMAT"),
            },
        )
        return redirect("tradeportal:option", booking.reference)


# --- options --------------------------------------------------------------------------------


class OptionDetailView(OptionMixin, View):
    def get(self, request, reference):
        booking = self.get_booking()
        lines = list(
            booking.lines.filter(parent__isnull=True)
            .select_related("product", "unit_type")
            .order_by("position", "pk")
        )
        check = services.option_confirm_check(booking)
        is_option = booking.status in (BookingStatus.HELD, BookingStatus.PENDING_PAYMENT)
        return render(
            request,
            "tradeportal/option.html",
            {
                "booking": booking,
                "lines": lines,
                "participants": booking.participants.filter(cancelled=False).count(),
                "persons": max((ln.persons for ln in lines), default=0),
                "check": check,
                "is_option": is_option,
                "quote": Quote.objects.filter(booking=booking).first(),
                "pay_url": request.build_absolute_uri(
                    reverse("tradeportal:option_pay", args=[booking.reference])
                ),
                "invoices": _invoices_of(booking),
            },
        )


def _invoices_of(booking) -> list:
    """The partner's issued invoices and credit notes of this booking (PDF links)."""
    from invoices.models import Invoice

    return list(
        Invoice.objects.issued()
        .filter(
            customer_organisation_id=booking.buyer_organisation_id,
            booking_reference=booking.reference,
        )
        .order_by("pk")
    )


class OptionConfirmView(OptionMixin, View):
    http_method_names = ["post"]

    def post(self, request, reference):
        booking = self.get_booking()
        try:
            services.option_confirm_on_account(
                booking=booking, organisation=self.get_organisation(), actor=request.user
            )
        except SERVICE_ERRORS as exc:
            messages.error(request, _message(exc))
        else:
            messages.success(
                request, _("Booking %(ref)s confirmed on account.") % {"ref": booking.reference}
            )
        return redirect("tradeportal:option", booking.reference)


class OptionPayView(OptionMixin, View):
    """The payment link for the deposit by card: any member of the partner opens it and lands
    on the checkout with its signed link."""

    def get(self, request, reference):
        from bookings.confirmation import checkout_url

        booking = self.get_booking()
        if not booking.is_active:
            messages.error(request, _("This booking is not active: there is nothing to pay."))
            return redirect("tradeportal:option", booking.reference)
        url = checkout_url(booking)
        if not url:
            raise Http404("No card payments")
        return redirect(url)


class OptionAmendView(OptionMixin, View):
    """A line's new slot/date/pax under the contract's terms: preview the new total, then
    confirm it at the total shown (the booking engine refuses if the price moved)."""

    template_name = "tradeportal/amend.html"

    def get_line(self, booking) -> BookingLine:
        return get_object_or_404(
            BookingLine.objects.select_related("product", "slot", "unit_type"),
            pk=self.kwargs["line"],
            booking=booking,
            parent__isnull=True,
            status=LineStatus.ACTIVE,
            product__isnull=False,
        )

    def _render(self, request, booking, line, form, preview=None, status=200):
        return render(
            request,
            self.template_name,
            {"booking": booking, "line": line, "form": form, "preview": preview},
            status=status,
        )

    def get(self, request, reference, line):
        booking = self.get_booking()
        line = self.get_line(booking)
        return self._render(request, booking, line, AmendForm(line=line))

    def post(self, request, reference, line):
        booking = self.get_booking()
        line = self.get_line(booking)
        form = AmendForm(request.POST, line=line)
        if not form.is_valid():
            return self._render(request, booking, line, form, status=400)
        try:
            changes = form.changes()
        except ValidationError as exc:
            form.add_error(None, _message(exc))
            return self._render(request, booking, line, form, status=400)
        if request.POST.get("action") != "confirm":
            preview = booking_services.amendment_preview(line=line, **changes)
            return self._render(request, booking, line, form, preview)
        try:
            expected = money(request.POST.get("expected_total", ""))
        except Exception:  # noqa: BLE001 - an unparsable total means: preview again
            messages.error(request, _("Preview the change before confirming it."))
            return self._render(request, booking, line, form, status=400)
        try:
            amendment = booking_services.booking_amend(
                line=line, actor=request.user, expected_total=expected, **changes
            )
        except SERVICE_ERRORS as exc:
            messages.error(request, _message(exc))
            preview = booking_services.amendment_preview(line=line, **changes)
            return self._render(request, booking, line, form, preview, status=409)
        messages.success(
            request,
            _("Line changed; difference EUR %(d)s.") % {"d": amount_text(amendment.difference)},
        )
        return redirect("tradeportal:option", booking.reference)
