import django_filters
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, PolymorphicProxySerializer, extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.tenancy import OrganisationScopedViewSet
from marketplace.queries import CompiledQuery
from operators.models import Product, Slot, UnitType
from operators.pricing import PaxMix

from .. import services
from ..idempotency import idempotent
from ..models import Booking, BookingLine, BookingStatus, Channel, TradeContract
from .serializers import (
    AmendInput,
    AmendmentOutput,
    AmendPreviewOutput,
    BookingListOutput,
    BookingOutput,
    CancelInput,
    CancelPreviewOutput,
    HoldInput,
)

IDEMPOTENCY_HEADER = OpenApiParameter(
    "Idempotency-Key",
    str,
    OpenApiParameter.HEADER,
    required=False,
    description="Send the same key to repeat a request safely: the first response is replayed.",
)


def _pax(data) -> PaxMix:
    return PaxMix.of(
        adults=data.get("adults", 0),
        seniors=data.get("seniors", 0),
        children_ages=data.get("children_ages", []),
        infants=data.get("infants", 0),
    )


# The supplier's booking terms and contract come with the product: the hold reads nothing more.
_PRODUCT_WITH_SUPPLIER = (
    "organisation",
    "organisation__supplier_terms",
    "organisation__operator_contract",
)


# The slot and its product, or the product alone, looked up for each line of a hold: SQL
# compiled once per process (marketplace/queries.py), one row at most, no ORDER BY.
_SLOT_OF_PRODUCT = CompiledQuery(
    lambda slot, product: (
        Slot.objects.select_related(
            "product", *(f"product__{path}" for path in _PRODUCT_WITH_SUPPLIER)
        )
        .filter(pk=slot, product__slug=product, product__status="published")
        .order_by()[:1]
    ),
    slot=-1,
    product="compiled-query-placeholder",
)
_PRODUCT_ON_SALE = CompiledQuery(
    lambda product: (
        Product.objects.select_related(*_PRODUCT_WITH_SUPPLIER)
        .filter(slug=product, status="published")
        .order_by()[:1]
    ),
    product="compiled-query-placeholder",
)


def _line_request(data) -> services.LineRequest:
    slot = unit_type = None
    if data.get("slot"):  # the slot and its product in one query
        slot = _SLOT_OF_PRODUCT.first(slot=data["slot"], product=data["product"])
    product = slot.product if slot is not None else None
    if product is None:
        product = _PRODUCT_ON_SALE.first(product=data["product"])
    if product is None:
        raise services.BookingError(
            {"product": _("No product “%(s)s” on sale.") % {"s": data["product"]}}
        )
    if data.get("slot") and slot is None:
        raise services.BookingError({"slot": _("Unknown slot for this product.")})
    if data.get("unit_type"):
        unit_type = UnitType.objects.filter(pk=data["unit_type"], product=product).first()
        if unit_type is None:
            raise services.BookingError({"unit_type": _("Unknown unit type for this product.")})
    return services.LineRequest(
        product=product,
        day=data["date"],
        pax=_pax(data),
        slot=slot,
        unit_type=unit_type,
        check_out=data.get("check_out"),
        units=data.get("units", 1),
        quantity=data.get("quantity", 1),
        residents=data.get("residents", 0),
    )


class BookingFilter(django_filters.FilterSet):
    """The documented filters of GET /api/v1/bookings/ (docs/api.md)."""

    status = django_filters.ChoiceFilter(choices=BookingStatus.choices)
    channel = django_filters.ChoiceFilter(choices=Channel.choices)
    reference = django_filters.CharFilter(lookup_expr="iexact", max_length=12)
    buyer_reference = django_filters.CharFilter(
        lookup_expr="iexact", max_length=60, label="Your own reference, as given at booking"
    )
    first_service_date = django_filters.DateFilter()
    first_service_from = django_filters.DateFilter(
        field_name="first_service_date", lookup_expr="gte", label="First service on or after"
    )
    first_service_to = django_filters.DateFilter(
        field_name="first_service_date", lookup_expr="lte", label="First service on or before"
    )
    created_from = django_filters.DateFilter(
        field_name="created_at", lookup_expr="date__gte", label="Created on or after"
    )
    created_to = django_filters.DateFilter(
        field_name="created_at", lookup_expr="date__lte", label="Created on or before"
    )

    class Meta:
        model = Booking
        fields = ["status", "channel", "reference", "buyer_reference", "first_service_date"]


class BookingViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, OrganisationScopedViewSet):
    """Bookings of the calling trade partner, addressed by their reference."""

    queryset = Booking.objects.prefetch_related(
        "lines__product", "lines__supplier", "participants", "events", "amendments"
    )
    organisation_field = "buyer_organisation"
    organisation_kinds = ("trade",)
    lookup_field = "reference"
    filterset_class = BookingFilter

    def get_serializer_class(self):
        return BookingListOutput if self.action == "list" else BookingOutput

    @extend_schema(
        request=HoldInput,
        responses={201: BookingOutput},
        parameters=[IDEMPOTENCY_HEADER],
        summary="Hold inventory (an option) for the lines and packages given",
    )
    @idempotent
    def create(self, request):
        data = HoldInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        package_lines = []
        if values["packages"]:
            from ..package_lines import package_line_requests

            package_lines = package_line_requests(
                values["packages"], accepted=values["accept_package_terms"]
            )
        organisation = self.get_organisation()
        booking = services.booking_hold(
            lines=[_line_request(line) for line in values["lines"]],
            package_lines=package_lines,
            channel=Channel.API,
            contact_name=values["contact_name"],
            contact_email=values["contact_email"],
            contact_phone=values["contact_phone"],
            language=values["language"],
            buyer_organisation=organisation,
            actor=None,
            buyer_reference=values["buyer_reference"],
            notes=values["notes"],
        )
        return Response(BookingOutput(self._as_held(booking)).data, status=status.HTTP_201_CREATED)

    def _as_held(self, booking):
        """The new booking answered from the rows the hold inserted (no re-read)."""
        lines = getattr(booking, "inserted_lines", None)
        if lines is None:
            return self._fresh(booking)
        booking._prefetched_objects_cache = {
            "lines": lines,
            "participants": [],
            "events": booking.inserted_events,
            "amendments": [],
        }
        return booking

    def _fresh(self, booking):
        return self.get_queryset().get(pk=booking.pk)

    @extend_schema(
        request=None,
        responses=BookingOutput,
        parameters=[IDEMPOTENCY_HEADER],
        summary="Confirm an option (on account, within the partner's contract)",
    )
    @action(detail=True, methods=["post"])
    @idempotent
    def confirm(self, request, reference=None):
        booking = self.get_object()
        contract = TradeContract.objects.filter(organisation=self.get_organisation()).first()
        if booking.status == BookingStatus.CONFIRMED:
            return Response(BookingOutput(self._fresh(booking)).data)
        if contract is None or not contract.on_account:
            raise services.PaymentRequired(
                _("Your contract does not allow booking on account: pay the booking by card.")
            )
        from ..confirmation import confirm_on_account

        confirm_on_account(booking=booking, organisation=self.get_organisation())
        return Response(BookingOutput(self._fresh(booking)).data)

    @extend_schema(
        request=AmendInput,
        responses=PolymorphicProxySerializer(
            component_name="AmendOrPreview",
            serializers=[AmendmentOutput, AmendPreviewOutput],
            resource_type_field_name=None,
        ),
        parameters=[IDEMPOTENCY_HEADER],
        summary="Change a line's date, slot, pax or stay (preview=true to price it)",
    )
    @action(detail=True, methods=["post"])
    @idempotent
    def amend(self, request, reference=None):
        booking = self.get_object()
        data = AmendInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        line = get_object_or_404(BookingLine, pk=values["line"], booking=booking)
        changes = {}
        if "date" in values:
            changes["day"] = values["date"]
        if values.get("slot"):
            changes["slot"] = get_object_or_404(Slot, pk=values["slot"], product=line.product)
        if values.get("unit_type"):
            changes["unit_type"] = get_object_or_404(
                UnitType, pk=values["unit_type"], product=line.product
            )
        if values.get("check_out"):
            changes["check_out"] = values["check_out"]
        if values.get("units"):
            changes["units"] = values["units"]
        if any(k in request.data for k in ("adults", "seniors", "children_ages", "infants")):
            changes["pax"] = _pax(values)
        if values["preview"]:
            preview = services.amendment_preview(line=line, **changes)
            return Response(
                AmendPreviewOutput(
                    {
                        "old_total": preview.old_total,
                        "new_total": preview.new_total,
                        "difference": preview.difference,
                        "problem": preview.problem,
                    }
                ).data
            )
        amendment = services.booking_amend(
            line=line, actor=None, expected_total=values.get("expected_total"), **changes
        )
        return Response(AmendmentOutput(amendment).data)

    @extend_schema(
        request=CancelInput,
        responses=PolymorphicProxySerializer(
            component_name="CancelOrPreview",
            serializers=[BookingOutput, CancelPreviewOutput],
            resource_type_field_name=None,
        ),
        parameters=[IDEMPOTENCY_HEADER],
        summary="Cancel the booking or some lines (preview=true for the penalty)",
    )
    @action(detail=True, methods=["post"])
    @idempotent
    def cancel(self, request, reference=None):
        booking = self.get_object()
        data = CancelInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        line_ids = values.get("lines")
        if values["preview"]:
            penalty = services.cancellation_preview(booking=booking, line_ids=line_ids)
            return Response(CancelPreviewOutput({"penalty": penalty}).data)
        services.booking_cancel(booking=booking, reason="buyer", line_ids=line_ids)
        return Response(BookingOutput(self._fresh(booking)).data)

    @extend_schema(
        responses={(200, "application/pdf"): bytes},
        summary="The voucher PDF of a confirmed booking",
    )
    @action(detail=True, methods=["get"])
    def voucher(self, request, reference=None):
        from ..vouchers import voucher_pdf_bytes

        booking = self.get_object()
        if booking.status not in (BookingStatus.CONFIRMED, BookingStatus.COMPLETED):
            raise services.InvalidTransition(_("The voucher exists once the booking is confirmed."))
        response = HttpResponse(voucher_pdf_bytes(booking), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="voucher-{booking.reference}.pdf"'
        return response
