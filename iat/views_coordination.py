"""Coordination pages: the network board (events, announcements, training), training
attendance and certificates, the shift roster, destination audits with their PDF."""

from datetime import timedelta

from django import forms
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from accounts.models import Role
from accounts.selectors import user_is_dmc_staff
from accounts.tenancy import DmcStaffRequiredMixin
from marketplace.errors import DomainError
from portal.selectors import upcoming_events

from . import services_coordination as services
from .audit import CRITERIA
from .models import (
    Announcement,
    AnnouncementAudience,
    AnnouncementReceipt,
    Audit,
    Office,
    Shift,
    TrainingRegistration,
    TrainingSession,
)


def _pdf(html: str) -> bytes:
    from weasyprint import HTML

    return HTML(string=html).write_pdf()


class NetworkMemberMixin:
    """DMC staff, and members of IAT offices and operators; anybody else gets 404."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            raise Http404
        self.is_dmc = user_is_dmc_staff(request.user)
        membership = request.membership._wrapped if request.membership else None
        self.organisation = membership.organisation if membership else None
        self.membership = membership
        if not self.is_dmc and getattr(self.organisation, "kind", None) not in ("iat", "operator"):
            raise Http404
        return super().dispatch(request, *args, **kwargs)


class AnnouncementForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Title"), max_length=200)
    body = forms.CharField(label=gettext_lazy("Text"), widget=forms.Textarea(attrs={"rows": 3}))
    audience = forms.ChoiceField(
        label=gettext_lazy("Audience"), choices=AnnouncementAudience.choices
    )


class NetworkView(NetworkMemberMixin, View):
    def get(self, request, form=None):
        today = timezone.localdate()
        kind = getattr(self.organisation, "kind", None)
        announcements = Announcement.objects.all()
        if not self.is_dmc:
            announcements = announcements.filter(audience__in=[kind, AnnouncementAudience.ALL])
        announcements = list(announcements[:20])
        read = set(
            AnnouncementReceipt.objects.filter(
                user=request.user, announcement__in=announcements
            ).values_list("announcement_id", flat=True)
        )
        receipts = {}
        if self.is_dmc:
            for a_id in AnnouncementReceipt.objects.filter(
                announcement__in=announcements
            ).values_list("announcement_id", flat=True):
                receipts[a_id] = receipts.get(a_id, 0) + 1
        sessions = list(
            TrainingSession.objects.filter(starts_at__gte=timezone.now() - timedelta(days=90))
            .select_related("comune")
            .prefetch_related("registrations")
        )
        mine = {r.session_id: r for r in TrainingRegistration.objects.filter(user=request.user)}
        return render(
            request,
            "iat/network.html",
            {
                # the shared calendar is the portal's published events (portal.selectors)
                "events": upcoming_events(today=today)[:30],
                "announcements": [(a, a.pk in read, receipts.get(a.pk, 0)) for a in announcements],
                "sessions": [(s, mine.get(s.pk)) for s in sessions],
                "is_dmc": self.is_dmc,
                "form": form or AnnouncementForm(),
            },
        )

    def post(self, request):
        action = request.POST.get("action")
        if action == "publish" and self.is_dmc:
            form = AnnouncementForm(request.POST)
            if not form.is_valid():
                return self.get(request, form=form)
            services.announcement_publish(author=request.user, **form.cleaned_data)
        elif action == "read" and self.organisation is not None:
            announcement = get_object_or_404(Announcement, pk=request.POST.get("announcement"))
            services.announcement_mark_read(
                announcement=announcement, user=request.user, organisation=self.organisation
            )
        elif action == "register" and self.organisation is not None:
            session = get_object_or_404(TrainingSession, pk=request.POST.get("session"))
            try:
                services.training_register(
                    session=session, user=request.user, organisation=self.organisation
                )
            except DomainError as exc:
                messages.error(request, exc.message)
        else:
            raise Http404
        return redirect("iat:coordination")


class AttendanceView(DmcStaffRequiredMixin, View):
    def get(self, request, pk):
        session = get_object_or_404(TrainingSession, pk=pk)
        return render(
            request,
            "iat/attendance.html",
            {
                "session": session,
                "registrations": session.registrations.select_related("user", "organisation"),
            },
        )

    def post(self, request, pk):
        session = get_object_or_404(TrainingSession, pk=pk)
        ids = {int(v) for v in request.POST.getlist("attended") if v.isdigit()}
        services.training_mark_attendance(session=session, attended_ids=ids)
        messages.success(request, _("Attendance saved."))
        return redirect("iat:attendance", pk=pk)


class CertificateView(NetworkMemberMixin, View):
    def get(self, request, pk):
        registration = (
            TrainingRegistration.objects.filter(session_id=pk, user=request.user, attended=True)
            .select_related("session", "session__comune", "organisation")
            .first()
        )
        if registration is None:
            raise Http404
        html = render_to_string(
            "iat/certificate_pdf.html", {"r": registration, "user": request.user}
        )
        response = HttpResponse(_pdf(html), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="certificate-{pk}.pdf"'
        return response


class ShiftForm(forms.Form):
    user = forms.ModelChoiceField(label=gettext_lazy("Staff"), queryset=None)
    date = forms.DateField(
        label=gettext_lazy("Date"), widget=forms.DateInput(attrs={"type": "date"})
    )
    starts = forms.TimeField(
        label=gettext_lazy("From"), widget=forms.TimeInput(attrs={"type": "time"})
    )
    ends = forms.TimeField(
        label=gettext_lazy("Until"), widget=forms.TimeInput(attrs={"type": "time"})
    )

    def __init__(self, *args, staff, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = staff


class ShiftsView(NetworkMemberMixin, View):
    def _office(self, request):
        offices = (
            Office.objects.all()
            if self.is_dmc
            else Office.objects.filter(organisation=self.organisation)
        )
        if not self.is_dmc and getattr(self.organisation, "kind", None) != "iat":
            raise Http404
        wanted = request.GET.get("office") or request.POST.get("office")
        office = offices.filter(pk=wanted).first() if wanted else offices.first()
        if office is None:
            raise Http404
        return office, offices

    def _staff(self, office):
        from accounts.models import User

        return User.objects.filter(memberships__organisation=office.organisation)

    def get(self, request, form=None):
        office, offices = self._office(request)
        start = timezone.localdate() - timedelta(days=timezone.localdate().weekday())
        days = [start + timedelta(days=i) for i in range(14)]
        shifts = Shift.objects.filter(
            office=office, date__gte=days[0], date__lte=days[-1]
        ).select_related("user")
        by_day = {d: [s for s in shifts if s.date == d] for d in days}
        return render(
            request,
            "iat/shifts.html",
            {
                "office": office,
                "offices": offices,
                "by_day": by_day,
                "form": form or ShiftForm(staff=self._staff(office)),
            },
        )

    def post(self, request):
        office, _offices = self._office(request)
        if not self.is_dmc and not self.membership.has_role(Role.MANAGER):
            raise Http404
        form = ShiftForm(request.POST, staff=self._staff(office))
        if form.is_valid():
            try:
                services.shift_add(office=office, **form.cleaned_data)
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                return redirect(f"{request.path}?office={office.pk}")
        return self.get(request, form=form)


class AuditsView(DmcStaffRequiredMixin, View):
    def get(self, request):
        audits = Audit.objects.select_related("office", "comune", "auditor")[:100]
        history = {}
        for audit in audits:
            history.setdefault(audit.office, []).append(audit)
        return render(
            request,
            "iat/audits.html",
            {
                "history": history,
                "offices": Office.objects.select_related("comune"),
                "manual": [c for c in CRITERIA if c.manual],
            },
        )

    def post(self, request):
        office = get_object_or_404(Office, pk=request.POST.get("office"))
        manual = {c.code: int(request.POST.get(c.code) or 0) for c in CRITERIA if c.manual}
        audit = services.audit_record(
            office=office,
            auditor=request.user,
            manual_points=manual,
            notes=request.POST.get("notes", "")[:2000],
        )
        return redirect("iat:audit", pk=audit.pk)


def _audit_context(audit):
    labels = {c.code: c.label for c in CRITERIA}
    previous = Audit.objects.filter(
        office=audit.office, audited_on__lte=audit.audited_on, pk__lt=audit.pk
    ).first()
    before = {i.criterion: i.points for i in previous.items.all()} if previous else {}
    items = [
        (labels.get(i.criterion, i.criterion), i, before.get(i.criterion))
        for i in audit.items.all()
    ]
    history = Audit.objects.filter(office=audit.office).order_by("audited_on", "pk")
    return {"audit": audit, "items": items, "previous": previous, "history": history}


class AuditView(DmcStaffRequiredMixin, View):
    def get(self, request, pk):
        audit = get_object_or_404(
            Audit.objects.select_related("office", "comune", "auditor"), pk=pk
        )
        context = _audit_context(audit)
        if request.GET.get("format") == "pdf":
            html = render_to_string("iat/audit_pdf.html", context)
            response = HttpResponse(_pdf(html), content_type="application/pdf")
            response["Content-Disposition"] = f'inline; filename="audit-{audit.pk}.pdf"'
            return response
        return render(request, "iat/audit.html", context)


urlpatterns = [
    path("network/", NetworkView.as_view(), name="coordination"),
    path("network/training/<int:pk>/attendance/", AttendanceView.as_view(), name="attendance"),
    path("network/training/<int:pk>/certificate/", CertificateView.as_view(), name="certificate"),
    path("desk/shifts/", ShiftsView.as_view(), name="shifts"),
    path("backoffice/iat/audits/", AuditsView.as_view(), name="audits"),
    path("backoffice/iat/audits/<int:pk>/", AuditView.as_view(), name="audit"),
]
