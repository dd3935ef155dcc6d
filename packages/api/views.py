"""Read API of packages: list and detail, departures, month availability and quotes.

Any authenticated caller (trade API key or session) reads the published packages; DMC staff
also see drafts and the DMC-side figures of a quote (operators' nets and margin)."""

from datetime import date

from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from accounts.models import ApiKey
from accounts.selectors import user_is_dmc_staff
from trade.pricing import partner_package_quote, partner_package_repricer

from ..models import Package
from ..quotes import package_for_quote, package_month_availability
from ..selectors import packages_published, packages_visible_to
from ..services import package_quote
from .serializers import (
    AvailabilityQuerySerializer,
    CalendarDaySerializer,
    DepartureSerializer,
    PackageDetailSerializer,
    PackageListSerializer,
    PackageQuoteSerializer,
    QuoteQuerySerializer,
)

DMC_ONLY_QUOTE_FIELDS = ("net_total", "margin", "margin_percent", "margin_vat", "operators")


def caller_is_dmc(request) -> bool:
    if isinstance(request.auth, ApiKey):
        return request.auth.organisation.is_dmc
    return user_is_dmc_staff(request.user)


def _caller_organisation(request):
    """The organisation the request acts for: the API key's, or the session's active one."""
    if isinstance(request.auth, ApiKey):
        return request.auth.organisation
    membership = getattr(request._request, "membership", None)
    return membership.organisation if membership else None


class PackageViewSet(viewsets.ReadOnlyModelViewSet):
    lookup_field = "slug"
    serializer_class = PackageListSerializer

    def get_queryset(self):
        if caller_is_dmc(self.request):
            return packages_visible_to(self.request.user)
        return packages_published()

    def get_serializer_class(self):
        return PackageDetailSerializer if self.action == "retrieve" else PackageListSerializer

    def get_object(self):
        queryset = self.get_queryset()
        if self.action == "retrieve":
            queryset = queryset.select_related("heritage_story").prefetch_related(
                "components__product", "components__unit_type", "components__alternative_product"
            )
        return get_object_or_404(queryset, slug=self.kwargs["slug"])

    @extend_schema(responses=DepartureSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def departures(self, request, slug=None):
        package = self.get_object()
        departures = package.departures.filter(date__gte=timezone.localdate()).order_by("date")
        return Response(DepartureSerializer(departures, many=True).data)

    @extend_schema(
        parameters=[AvailabilityQuerySerializer], responses=CalendarDaySerializer(many=True)
    )
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def availability(self, request, slug=None):
        """Availability and price per person of every start date of a month."""
        package = self.get_object()
        params = AvailabilityQuerySerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        year, month = (int(x) for x in params.validated_data["month"].split("-"))
        try:
            first = date(year, month, 1)
        except ValueError:
            raise ValidationError({"month": _("Not a valid month.")}) from None
        days = package_month_availability(
            package_for_quote(package.pk),
            month=first,
            pax=params.pax(),
            extras=params.validated_data.get("extras"),
            reprice=None
            if caller_is_dmc(request)
            else partner_package_repricer(_caller_organisation(request)),
            buyer=None if caller_is_dmc(request) else _caller_organisation(request),
        )
        data = [
            {"date": d.date, "state": d.state, "per_person": d.per_person, "problems": d.problems}
            for d in days
        ]
        return Response(CalendarDaySerializer(data, many=True).data)

    @extend_schema(parameters=[QuoteQuerySerializer], responses=PackageQuoteSerializer)
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def quote(self, request, slug=None):
        """The quote of the package for a start date and a pax mix: total, per person,
        breakdown and the exact slots and nights a booking would take."""
        package = self.get_object()
        params = QuoteQuerySerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        quote = package_quote(
            package=Package.objects.get(pk=package.pk),
            start_date=params.validated_data["start_date"],
            pax=params.pax(),
            extras=params.validated_data.get("extras"),
            buyer=None if caller_is_dmc(request) else _caller_organisation(request),
        )
        if not caller_is_dmc(request):  # a trade partner's price under its contract
            quote = partner_package_quote(_caller_organisation(request), quote)
        data = quote.as_dict()
        if not caller_is_dmc(request):
            data["public_total"] = str(getattr(quote, "public_total", quote.retail_total))
            for key in DMC_ONLY_QUOTE_FIELDS:
                data.pop(key, None)
            for line in data["lines"]:
                line.pop("net", None)
        return Response(data)
