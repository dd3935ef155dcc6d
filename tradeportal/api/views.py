from django.http import HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.models import ApiKey
from accounts.tenancy import OrganisationScopedViewSet
from bookings.api.views import IDEMPOTENCY_HEADER
from bookings.idempotency import idempotent
from bookings.services import BookingError
from operators.models import Product, ProductStatus, Slot, UnitType
from operators.pricing import PaxMix

from .. import services
from ..models import Quote
from ..pdf import quote_pdf_bytes
from .serializers import (
    ConvertInput,
    OptionOutput,
    QuoteInput,
    QuoteListOutput,
    QuoteOutput,
)


def _actor(request):
    """The signed-in user, or None for an API key (the partner acts, not a person)."""
    if isinstance(request.auth, ApiKey) or not request.user.is_authenticated:
        return None
    return request.user


def _line_kwargs(data: dict) -> dict:
    """API line input -> quote_line_add's keywords (published products and packages only)."""
    from packages.models import Package, PackageStatus

    kwargs = {
        "day": data["date"],
        "check_out": data.get("check_out"),
        "units": data.get("units", 1),
        "quantity": data.get("quantity", 1),
        "pax": PaxMix.of(
            adults=data.get("adults", 0),
            seniors=data.get("seniors", 0),
            children_ages=data.get("children_ages", []),
            infants=data.get("infants", 0),
        ),
    }
    if data.get("package"):
        package = Package.objects.filter(
            slug=data["package"], status=PackageStatus.PUBLISHED
        ).first()
        if package is None:
            raise BookingError(
                {"package": _("No package “%(s)s” on sale.") % {"s": data["package"]}}
            )
        kwargs["package"] = package
        return kwargs
    product = Product.objects.filter(slug=data["product"], status=ProductStatus.PUBLISHED).first()
    if product is None:
        raise BookingError({"product": _("No product “%(s)s” on sale.") % {"s": data["product"]}})
    kwargs["product"] = product
    if data.get("slot"):
        kwargs["slot"] = Slot.objects.filter(pk=data["slot"], product=product).first()
        if kwargs["slot"] is None:
            raise BookingError({"slot": _("Unknown slot for this product.")})
    if data.get("unit_type"):
        kwargs["unit_type"] = UnitType.objects.filter(pk=data["unit_type"], product=product).first()
        if kwargs["unit_type"] is None:
            raise BookingError({"unit_type": _("Unknown unit type for this product.")})
    return kwargs


class QuoteViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, OrganisationScopedViewSet):
    """Quotes of the calling trade partner, priced at its contract's prices."""

    queryset = Quote.objects.select_related("booking").prefetch_related(
        "lines__product", "lines__package"
    )
    organisation_kinds = ("trade",)
    lookup_field = "reference"
    filterset_fields = ["status"]

    def get_serializer_class(self):
        return QuoteListOutput if self.action == "list" else QuoteOutput

    def _fresh(self, quote):
        return self.get_queryset().get(pk=quote.pk)

    def retrieve(self, request, *args, **kwargs):
        """A draft is priced again when it is read."""
        quote = self.get_object()
        services.quote_reprice(quote=quote)
        return Response(QuoteOutput(self._fresh(quote)).data)

    @extend_schema(
        request=QuoteInput,
        responses={201: QuoteOutput},
        parameters=[IDEMPOTENCY_HEADER],
        summary="Create a quote with its lines (all lines or none)",
    )
    @idempotent
    def create(self, request):
        data = QuoteInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        lines = [_line_kwargs(line) for line in values.pop("lines")]
        quote = services.quote_create_with_lines(
            organisation=self.get_organisation(),
            actor=_actor(request),
            lines=lines,
            **values,
        )
        return Response(QuoteOutput(self._fresh(quote)).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=None,
        responses=QuoteOutput,
        summary="Send the quote: its PDF by email to the partner's contact and the client",
    )
    @action(detail=True, methods=["post"])
    def send(self, request, reference=None):
        quote = services.quote_send(
            quote=self.get_object(),
            actor=_actor(request),
        )
        return Response(QuoteOutput(self._fresh(quote)).data)

    @extend_schema(
        request=ConvertInput,
        responses={201: OptionOutput, 409: OpenApiResponse(description="error body")},
        parameters=[IDEMPOTENCY_HEADER],
        summary="Turn the quote into an option (a held booking): all lines or none",
    )
    @action(detail=True, methods=["post"])
    @idempotent
    def option(self, request, reference=None):
        quote = self.get_object()
        data = ConvertInput(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            booking = services.quote_convert(
                quote=quote,
                actor=_actor(request),
                **data.validated_data,
            )
        except services.QuoteNotBookable as exc:
            errors = [
                {"field": f"lines.{e.position}", "code": e.code, "message": e.message}
                for e in exc.line_errors
            ]
            body = {
                "error": {
                    "code": exc.code,
                    "message": exc.message,
                    "field": errors[0]["field"] if errors else None,
                }
            }
            if errors:
                body["error"]["errors"] = errors
            return Response(body, status=exc.api_status)
        return Response(
            OptionOutput(
                {
                    "reference": booking.reference,
                    "status": booking.status,
                    "expires_at": booking.expires_at,
                    "total_retail": booking.total_retail,
                    "quote": quote.reference,
                }
            ).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(responses={(200, "application/pdf"): bytes}, summary="The quote as a PDF")
    @action(detail=True, methods=["get"])
    def pdf(self, request, reference=None):
        quote = self.get_object()
        response = HttpResponse(quote_pdf_bytes(quote), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="quote-{quote.reference}.pdf"'
        return response
