"""Guests' document data and the statutory files, for accommodation establishments (owner and
managers) and DMC admins. Another establishment's guests answer 404; every access is logged."""

from datetime import date

from django import forms
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views import View

from accounts.models import Organisation, Role
from accounts.services import DmcGroup
from accounts.tenancy import DmcStaffRequiredMixin, OrganisationScopedMixin
from iat import codes

from . import statutory, tables
from .errors import GuestDataIncomplete, GuestDataInvalid
from .models import GuestDocument, GuestType, Sex


class GuestDocumentForm(forms.Form):
    guest_type = forms.ChoiceField(label=_("Guest type"), choices=GuestType.choices)
    sex = forms.ChoiceField(label=_("Sex"), choices=Sex.choices)
    birth_date = forms.DateField(
        label=_("Birth date"), widget=forms.DateInput(attrs={"type": "date"})
    )
    birth_state = forms.CharField(
        label=_("State of birth (code)"),
        max_length=9,
        widget=forms.TextInput(attrs={"list": "states"}),
    )
    birth_comune = forms.CharField(label=_("Comune of birth (code)"), max_length=9, required=False)
    birth_province = forms.CharField(label=_("Province"), max_length=2, required=False)
    citizenship = forms.CharField(
        label=_("Citizenship (code)"),
        max_length=9,
        widget=forms.TextInput(attrs={"list": "states"}),
    )
    document_type = forms.ChoiceField(
        label=_("Document"), required=False, choices=[("", "—"), *tables.document_types().items()]
    )
    document_number = forms.CharField(label=_("Document number"), max_length=20, required=False)
    document_place = forms.CharField(label=_("Issued at (code)"), max_length=9, required=False)
    residence = forms.CharField(
        label=_("Residence (country, or Italian province)"),
        max_length=60,
        help_text=_("For ISTAT: DE, US, …; residents of Italy by province: IT-LU, IT-MI, …"),
        widget=forms.TextInput(attrs={"list": "origins", "placeholder": "DE, IT-LU…"}),
    )

    def clean_residence(self):
        raw = self.cleaned_data["residence"]
        return codes.normalise_origin(raw) or raw.strip().upper()


class EstablishmentMixin(OrganisationScopedMixin):
    organisation_kinds = ("operator",)
    min_role = Role.MANAGER

    def establishment(self):
        organisation = self.get_organisation()
        if organisation.subkind != "accommodation":
            raise Http404("Accommodation only")
        return organisation


def _day(request) -> date:
    try:
        return date.fromisoformat(request.GET.get("date", ""))
    except ValueError:
        return timezone.localdate()


class GuestsView(EstablishmentMixin, View):
    def get(self, request):
        establishment = self.establishment()
        day = _day(request)
        lines = list(
            statutory.accommodation_lines(establishment=establishment, day_from=day, day_to=day)
        )
        stays = [(line, statutory.guests_of_line(line)) for line in lines]
        statutory.guest_documents_log_view(
            participants=[g for _l, guests in stays for g in guests],
            actor=request.user,
            organisation=establishment,
        )
        upcoming = statutory.accommodation_lines(
            establishment=establishment,
            day_from=day.replace(day=1),
            day_to=date(day.year + 1, day.month, 1),
        ).values_list("service_date", flat=True)
        return render(
            request,
            "insights/guests.html",
            {
                "day": day,
                "stays": stays,
                "upcoming": sorted(set(upcoming))[:20],
                "problems": statutory.alloggiati_problems(establishment=establishment, day=day),
                "states": tables.states(),
                "c59_fallbacks": statutory.c59_fallbacks(
                    statutory.c59_rows(establishment=establishment, year=day.year, month=day.month)
                ),
            },
        )


class GuestDocumentView(EstablishmentMixin, View):
    model = GuestDocument.participant.field.related_model

    def _participant(self, pk):
        from bookings.models import Participant

        participant = (
            Participant.objects.filter(
                pk=pk,
                booking__lines__supplier=self.establishment(),
                booking__lines__kind="accommodation",
            )
            .select_related("booking", "line")
            .first()
        )
        if participant is None:
            raise Http404
        return participant

    def get(self, request, pk):
        participant = self._participant(pk)
        document = getattr(participant, "guest_document", None)
        statutory.guest_documents_log_view(
            participants=[participant], actor=request.user, organisation=self.establishment()
        )
        initial = {}
        if document:
            initial = {f: getattr(document, f) for f in GuestDocumentForm.base_fields}
        return self._render(participant, GuestDocumentForm(initial=initial))

    def post(self, request, pk):
        participant = self._participant(pk)
        form = GuestDocumentForm(request.POST)
        if form.is_valid():
            try:
                statutory.guest_document_save(
                    participant=participant,
                    data=statutory.GuestInput(**form.cleaned_data),
                    actor=request.user,
                    organisation=self.establishment(),
                )
            except GuestDataInvalid as exc:
                for field, message in exc.errors.items():
                    form.add_error(field, message)
            else:
                return redirect(f"../../?date={request.GET.get('date', '')}")
        return self._render(participant, form, status=400)

    def _render(self, participant, form, status=200):
        return render(
            self.request,
            "insights/guest_document.html",
            {
                "participant": participant,
                "form": form,
                "states": tables.states(),
                "origin_options": codes.datalist_options(),
            },
            status=status,
        )


def _alloggiati_response(establishment, day, actor, request):
    try:
        content = statutory.alloggiati_file(establishment=establishment, day=day, actor=actor)
    except GuestDataIncomplete as exc:
        return render(
            request,
            "insights/alloggiati_refused.html",
            {"problems": exc.problems, "day": day},
            status=400,
        )
    response = HttpResponse(content, content_type="text/plain; charset=iso-8859-1")
    response["Content-Disposition"] = (
        f'attachment; filename="alloggiati-{establishment.slug}-{day.isoformat()}.txt"'
    )
    return response


class AlloggiatiFileView(EstablishmentMixin, View):
    def get(self, request):
        return _alloggiati_response(self.establishment(), _day(request), request.user, request)


class C59View(EstablishmentMixin, View):
    def get(self, request):
        establishment = self.establishment()
        day = _day(request)
        response = HttpResponse(
            statutory.c59_csv(establishment=establishment, year=day.year, month=day.month),
            content_type="text/csv",
        )
        response["Content-Disposition"] = (
            f'attachment; filename="c59-{establishment.slug}-{day:%Y-%m}.csv"'
        )
        return response


class DmcAlloggiatiView(DmcStaffRequiredMixin, View):
    dmc_groups = (DmcGroup.ADMIN,)

    def get(self, request, slug):
        establishment = get_object_or_404(
            Organisation, slug=slug, kind="operator", subkind="accommodation"
        )
        return _alloggiati_response(establishment, _day(request), request.user, request)


urlpatterns = [
    path("operator/guests/", GuestsView.as_view(), name="guests"),
    path("operator/guests/<int:pk>/document/", GuestDocumentView.as_view(), name="guest_document"),
    path("operator/guests/alloggiati.txt", AlloggiatiFileView.as_view(), name="alloggiati"),
    path("operator/guests/c59.csv", C59View.as_view(), name="c59"),
    path(
        "backoffice/insights/alloggiati/<slug:slug>/",
        DmcAlloggiatiView.as_view(),
        name="dmc_alloggiati",
    ),
]
