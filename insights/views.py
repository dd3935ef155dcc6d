"""Insights pages for DMC staff: the dashboard (charts, tables, CSV per chart) and the
movement file import with its row-by-row report."""

import csv
import io

from django import forms
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from accounts.models import OrganisationKind
from accounts.tenancy import DmcStaffRequiredMixin, OrganisationScopedMixin
from iat import codes
from iat.models import Topic
from places.models import Comune

from . import charts, selectors
from .errors import MovementFileInvalid
from .importer import movement_import
from .models import MovementImport

MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


class FilterForm(forms.Form):
    year = forms.TypedChoiceField(label=gettext_lazy("Year"), coerce=int, required=False)
    comune = forms.ModelChoiceField(
        label=gettext_lazy("Comune"),
        queryset=Comune.objects.filter(in_destination=True),
        required=False,
        empty_label=gettext_lazy("Piana di Lucca (all six)"),
    )
    market = forms.CharField(
        label=gettext_lazy("Market"),
        required=False,
        widget=forms.TextInput(attrs={"list": "markets", "placeholder": "DE, US, IT-25…"}),
    )

    def __init__(self, *args, years, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [(y, y) for y in reversed(years)]

    def clean_market(self):
        raw = self.cleaned_data["market"]
        code = codes.normalise_origin(raw)
        if raw and not code:
            raise forms.ValidationError(_("Unknown market code."))
        return code


def _per_comune_for(viewer_comune, per_comune: dict) -> list[tuple]:
    """The per-comune rows a viewer may read: every comune for the DMC; for a comune its
    own row and the other comuni of the Piana together."""
    rows = sorted(per_comune.items(), key=lambda kv: -kv[1][1])
    if viewer_comune is None:
        return rows
    own = [(cid, v) for cid, v in rows if cid == viewer_comune.pk]
    others = [0, 0, 0, 0, 0]
    for cid, v in rows:
        if cid != viewer_comune.pk:
            others = [a + b for a, b in zip(others, v, strict=False)]
    return own + ([(OTHERS, others)] if any(others) else [])


OTHERS = "others"


def _chart_tables(data, trend, contacts, sales, viewer_comune=None):
    year = data["year"]
    m_now, m_before = data["monthly"][year], data["monthly"][year - 1]
    comuni = {c.pk: c.name for c in Comune.objects.filter(in_destination=True)}
    comuni[OTHERS] = _("Other comuni of the Piana (together)")
    withheld = f"<{selectors.confidentiality_threshold()}"  # fewer operators than that
    return {
        "monthly": (
            [
                "month",
                f"arrivals_{year}",
                f"presences_{year}",
                f"presences_{year - 1}",
                f"foreign_share_{year}",
            ],
            [
                [
                    MONTHS[i],
                    m_now[i][0],
                    m_now[i][1],
                    m_before[i][1],
                    round(100 * m_now[i][2] / m_now[i][0], 1) if m_now[i][0] else "",
                ]
                for i in range(12)
            ],
        ),
        "comuni": (
            [
                "comune",
                "arrivals",
                "presences",
                "average_stay",
                "foreign_share",
                "presences_change",
            ],
            [
                [
                    comuni.get(cid, cid),
                    v[0],
                    v[1],
                    round(v[1] / v[0], 2) if v[0] else "",
                    round(100 * v[2] / v[0], 1) if v[0] else "",
                    round(100 * (v[1] - v[3]) / v[3], 1) if v[3] else "",
                ]
                for cid, v in _per_comune_for(viewer_comune, data["per_comune"])
            ],
        ),
        "markets": (
            ["code", "market", "arrivals", "presences", f"presences_{year - 1}", "change"],
            [
                [
                    m["origin"],
                    m["label"],
                    m["arrivals"],
                    m["presences"],
                    m["prev_presences"],
                    m["change"] if m["change"] is not None else "",
                ]
                for m in data["markets"]
            ],
        ),
        "trend": (
            ["year", "arrivals", "presences", "average_stay", "foreign_share"],
            [
                [t["year"], t["arrivals"], t["presences"], t["average_stay"], t["foreign_share"]]
                for t in trend
            ],
        ),
        "contacts": (
            ["origin_code", "origin", "visitors"],
            [[o, codes.origin_label(o), n] for o, n in contacts["by_origin"]],
        ),
        "sales": (
            [
                "month",
                "bookings",
                "revenue_eur",
                "arrivals_sold",
                "nights_sold",
                "official_presences",
                "dmc_share_pct",
            ],
            [
                [
                    MONTHS[i],
                    s["bookings"],
                    f"{s['revenue']:.2f}",
                    s["arrivals"],
                    s["nights"],
                    m_now[i][1],
                    round(100 * s["nights"] / m_now[i][1], 3) if m_now[i][1] else "",
                ]
                if not s.get("withheld")
                else [MONTHS[i], withheld, withheld, withheld, withheld, m_now[i][1], withheld]
                for i, s in enumerate(sales)
            ],
        ),
    }


def _dashboard(request, *, viewer_comune=None):
    """The dashboard for the DMC (`viewer_comune` None: every comune in detail) or for a
    comune's staff (the Piana's aggregates, their own comune in detail, no other comune's
    detail, the platform's sales only in cells of at least three operators)."""
    years = selectors.available_years()
    form = FilterForm(request.GET or None, years=years or [2025])
    if viewer_comune is not None:
        asked = request.GET.get("comune", "")
        if asked and asked != str(viewer_comune.pk):
            raise Http404("Another comune's detail")
        form.fields["comune"].queryset = Comune.objects.filter(pk=viewer_comune.pk)
    year = years[-1] if years else 2025
    comune, market = None, ""
    if form.is_valid():
        year = form.cleaned_data["year"] or year
        comune = form.cleaned_data["comune"]
        market = form.cleaned_data["market"]
    data = selectors.dashboard(year=year, comune=comune, market=market)
    trend = selectors.yearly_trend(comune=comune)
    contacts = selectors.iat_contacts(year=year, comune=comune)
    topic_labels = dict(Topic.choices)
    contacts["topics"] = [(topic_labels.get(t, t), n) for t, n in contacts["topics"]]
    sales = selectors.dmc_sales(year=year, comune=comune)
    if viewer_comune is not None:
        sales = selectors.withhold_small_cells(sales)
    tables = _chart_tables(data, trend, contacts, sales, viewer_comune)
    chart_name = request.GET.get("chart")
    if chart_name in tables and request.GET.get("format") == "csv":
        header, rows = tables[chart_name]
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(header)
        writer.writerows(rows)
        response = HttpResponse(out.getvalue().encode("utf-8-sig"), content_type="text/csv")
        response["Content-Disposition"] = f'attachment; filename="{chart_name}-{year}.csv"'
        return response
    m_now, m_before = data["monthly"][year], data["monthly"][year - 1]
    svg = {
        "monthly": charts.bars(
            MONTHS,
            [
                (_("Arrivals %(y)s") % {"y": year}, [c[0] for c in m_now]),
                (_("Presences %(y)s") % {"y": year}, [c[1] for c in m_now]),
            ],
            line=(_("Presences %(y)s") % {"y": year - 1}, [c[1] for c in m_before]),
            title=_("Arrivals and presences by month"),
        ),
        "markets": charts.hbars(
            [m["label"] for m in data["markets"]],
            [m["presences"] for m in data["markets"]],
            compare=[m["prev_presences"] for m in data["markets"]],
            title=_("Top markets by presences"),
        ),
        "trend": charts.bars(
            [str(t["year"]) for t in trend],
            [
                (_("Arrivals"), [t["arrivals"] for t in trend]),
                (_("Presences"), [t["presences"] for t in trend]),
            ],
            title=_("Year on year"),
        ),
        "contacts": charts.hbars(
            [codes.origin_label(o) for o, _n in contacts["by_origin"]],
            [n for _o, n in contacts["by_origin"]],
            title=_("IAT visitors by origin"),
        ),
        "sales": charts.bars(
            MONTHS,
            [(_("Nights sold on the platform"), [s["nights"] or 0 for s in sales])],
            title=_("DMC sales by month"),
        ),
    }
    query = request.GET.copy()
    query.pop("chart", None)
    query.pop("format", None)
    return render(
        request,
        "insights/dashboard.html",
        {
            "form": form,
            "data": data,
            "kpis": data["kpis"],
            "svg": svg,
            "tables": tables,
            "contacts": contacts,
            "trend": trend,
            "comune": comune,
            "market": market,
            "query": query.urlencode(),
            "origin_options": codes.datalist_options(),
            "platform": selectors.platform_movement(year=year, comune=comune, sales=sales),
            "viewer_comune": viewer_comune,
            "dashboard_url": request.path,
            "min_units": selectors.confidentiality_threshold(),
        },
    )


class DashboardView(DmcStaffRequiredMixin, View):
    def get(self, request):
        return _dashboard(request)


class ComuneDashboardView(OrganisationScopedMixin, View):
    """The dashboard for the staff of a comune organisation (any role reads it)."""

    organisation_kinds = (OrganisationKind.COMUNE,)

    def get(self, request):
        organisation = self.get_organisation()
        if organisation.comune_id is None:  # fails closed: a comune org without its comune
            raise Http404("No comune")
        return _dashboard(request, viewer_comune=organisation.comune)


class ImportForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Movement file (CSV or XLSX)"))


class ImportView(DmcStaffRequiredMixin, View):
    def get(self, request):
        return self._render(ImportForm())

    def post(self, request):
        form = ImportForm(request.POST, request.FILES)
        if not form.is_valid():
            return self._render(form, status=400)
        upload = form.cleaned_data["file"]
        try:
            batch = movement_import(filename=upload.name, content=upload.read(), actor=request.user)
        except MovementFileInvalid as exc:
            return self._render(form, problems=exc.problems, status=400)
        messages.success(
            request,
            _("Imported %(rows)s rows for %(months)s (%(replaced)s rows replaced).")
            % {
                "rows": batch.rows,
                "months": ", ".join(batch.months),
                "replaced": batch.replaced_rows,
            },
        )
        return redirect("insights:import")

    def _render(self, form, problems=None, status=200):
        return render(
            self.request,
            "insights/import.html",
            {
                "form": form,
                "problems": problems,
                "imports": MovementImport.objects.all()[:30],
            },
            status=status,
        )
