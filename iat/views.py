"""Pages of the IAT network: public "where to find us", the desk (contact log, stock) and
the monthly reports."""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views import View

from accounts.tenancy import DmcStaffRequiredMixin, OrganisationScopedMixin
from marketplace.errors import DomainError
from places.models import Comune

from . import codes, hours, reports, selectors, services
from .forms import ContactForm, MonthForm
from .models import Contact, MaterialStock, Office


def _comune_by_slug(slug: str) -> Comune:
    for comune in Comune.objects.filter(in_destination=True):
        if slugify(comune.name) == slug:
            return comune
    raise Http404("Unknown comune")


def where_to_find_us(request, comune_slug=None):
    comune = _comune_by_slug(comune_slug) if comune_slug else None
    offices = list(selectors.offices_public(comune=comune))
    today = timezone.localdate()
    cards = [
        {
            "office": office,
            "state": hours.opening_state(office),
            "week": hours.week_table(office, today),
        }
        for office in offices
    ]
    comuni = [(c, slugify(c.name)) for c in Comune.objects.filter(in_destination=True)]
    return render(
        request,
        "iat/where.html",
        {"comune": comune, "cards": cards, "comuni": comuni, "today": today},
    )


def footer_offices(request):
    """The footer fragment: offices and their opening state now (cached a minute)."""
    offices = [
        (office, hours.opening_state(office), slugify(office.comune.name))
        for office in selectors.offices_public()
    ]
    response = render(request, "iat/_footer_fragment.html", {"offices": offices})
    response["Cache-Control"] = "public, max-age=60"
    return response


class DeskMixin(OrganisationScopedMixin):
    """Pages of an IAT office's staff: the office comes from ?office= among the offices of
    the user's IAT organisation (another office answers 404)."""

    organisation_kinds = ("iat",)

    def get_office(self) -> Office:
        offices = selectors.offices_for_organisation(self.get_organisation())
        wanted = self.request.GET.get("office") or self.request.POST.get("office")
        office = offices.filter(pk=wanted).first() if wanted else offices.first()
        if office is None:
            raise Http404("No office")
        return office


def _parse_month(request) -> tuple[int, int]:
    form = MonthForm(request.GET)
    if form.is_valid():
        return form.cleaned_data["month"]
    today = timezone.localdate()
    return today.year, today.month


def _report_response(request, report, title, stem):
    fmt = request.GET.get("format")
    name = f"{stem}-{report['year']}-{report['month']:02d}"
    if fmt == "csv":
        response = HttpResponse(reports.report_csv(report), content_type="text/csv")
        response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
        return response
    if fmt == "xlsx":
        response = HttpResponse(
            reports.report_xlsx(report, title),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
        return response
    return render(
        request,
        "iat/report.html",
        {
            "report": report,
            "rows": reports.report_rows(report),
            "title": title,
            "month_value": f"{report['year']}-{report['month']:02d}",
        },
    )


class ContactLogView(DeskMixin, View):
    def get(self, request):
        office = self.get_office()
        last = Contact.objects.filter(office=office, recorded_by=request.user).first()
        initial = {"channel": "desk", "language": "en", "party_size": 1}
        if last:
            initial.update(channel=last.channel, language=last.language)
        return self._render(office, ContactForm(initial=initial))

    def post(self, request):
        office = self.get_office()
        form = ContactForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            booking = None
            if data["booking"]:
                from bookings.models import Booking

                booking = Booking.objects.filter(
                    reference=data["booking"].strip().upper(), channel="iat"
                ).first()
                if booking is None:
                    form.add_error("booking", _("No desk sale with this reference."))
            if form.is_valid():
                try:
                    services.contact_record(
                        office=office,
                        actor=request.user,
                        channel=data["channel"],
                        origin=data["origin"],
                        party_size=data["party_size"],
                        language=data["language"],
                        topics=data["topics"],
                        at=data["at"],
                        booking=booking,
                    )
                except DomainError as exc:
                    form.add_error(
                        "origin" if exc.code == "iat_unknown_origin" else None, exc.message
                    )
                else:
                    return redirect(f"{request.path}?office={office.pk}")
        return self._render(office, form, status=400)

    def _render(self, office, form, status=200):
        today = timezone.localdate()
        contacts = list(selectors.contacts_of_day(office=office, day=today))
        return render(
            self.request,
            "iat/contact_log.html",
            {
                "office": office,
                "offices": selectors.offices_for_organisation(self.get_organisation()),
                "form": form,
                "contacts": contacts,
                "visitors": sum(c.party_size for c in contacts),
                "origin_options": codes.datalist_options(),
                "today": today,
            },
            status=status,
        )


class ContactDeleteView(DeskMixin, View):
    model = Contact

    def post(self, request, pk):
        office = self.get_office()
        contact = Contact.objects.filter(pk=pk, office=office).first()
        if contact is None:
            raise Http404
        services.contact_delete(contact=contact)
        return redirect(f"{request.build_absolute_uri('../../')}?office={office.pk}")


class OfficeReportView(DeskMixin, View):
    def get(self, request):
        office = self.get_office()
        year, month = _parse_month(request)
        report = selectors.contact_report(year=year, month=month, offices=[office])
        return _report_response(request, report, office.name, f"contacts-{office.slug}")


class NetworkReportView(DmcStaffRequiredMixin, View):
    def get(self, request):
        year, month = _parse_month(request)
        offices = Office.objects.all()
        if request.GET.get("office"):
            offices = offices.filter(pk=request.GET["office"])
        report = selectors.contact_report(year=year, month=month, offices=offices)
        return _report_response(request, report, _("IAT network"), "contacts-network")


class StockView(DeskMixin, View):
    def get(self, request):
        office = self.get_office()
        return render(
            request,
            "iat/stock.html",
            {"office": office, "stock": selectors.stock_of_office(office)},
        )

    def post(self, request):
        office = self.get_office()
        stock = MaterialStock.objects.filter(pk=request.POST.get("stock"), office=office).first()
        if stock is None:
            raise Http404
        try:
            delta = int(request.POST.get("delta", "0"))
            services.stock_adjust(stock=stock, delta=delta)
        except ValueError:
            messages.error(request, _("Give a whole number."))
        except DomainError as exc:
            messages.error(request, exc.message)
        return redirect(f"{request.path}?office={office.pk}")
