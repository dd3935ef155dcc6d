"""Operators API: the catalogue of products and their rates, the availability search, and
the operator's own rates, seasons and slots."""

import django_filters
from django.db.models import Q
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param
from rest_framework.views import APIView

from accounts.models import ApiKey, Role
from accounts.selectors import user_is_dmc_staff
from accounts.tenancy import OrganisationScopedViewSet
from marketplace.pagination import BoundedLimitOffsetPagination
from places.models import Comune
from trade.pricing import (
    partner_from_prices,
    partner_rate_prices,
    reprice_availability,
    terms_for,
)

from .. import selectors, services
from ..models import (
    Language,
    Product,
    ProductKind,
    ProductStatus,
    RateChange,
    Season,
    Slot,
    Theme,
    UnitType,
)
from .serializers import (
    AvailabilityQuerySerializer,
    AvailabilityResultSerializer,
    ProductContentInputSerializer,
    ProductDetailSerializer,
    ProductListSerializer,
    RateChangeSerializer,
    RateInputSerializer,
    RateSerializer,
    SeasonInputSerializer,
    SeasonSerializer,
    SlotSerializer,
    SlotUpdateSerializer,
)


def acting_organisation(request):
    """The organisation an API request acts for: the API key's, or the session's active one."""
    if isinstance(request.auth, ApiKey):
        return request.auth.organisation
    membership = getattr(request._request, "membership", None)
    return membership.organisation if membership else None


def partner_terms(request):
    """The trade partner's contract terms in force today, loaded once per request (None for
    any other caller, or a partner without terms: public prices)."""
    if not hasattr(request, "_partner_terms"):
        organisation = acting_organisation(request)
        is_partner = organisation is not None and organisation.kind == "trade"
        request._partner_terms = terms_for(organisation) if is_partner else None
    return request._partner_terms


def partner_from_context(request, products) -> dict:
    """Serializer context giving a trade partner its own "from" prices (public beside)."""
    terms = partner_terms(request)
    if terms is None:
        return {}
    prices = partner_from_prices(acting_organisation(request), products, terms=terms)
    return {"partner_from_prices": prices or {}}


def acting_role_at_least(request, role: str) -> bool:
    if isinstance(request.auth, ApiKey):
        return True
    membership = getattr(request._request, "membership", None)
    return bool(membership) and membership.has_role(role)


class ProductFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=ProductKind.choices)
    status = django_filters.ChoiceFilter(choices=ProductStatus.choices)
    comune = django_filters.ModelChoiceFilter(
        field_name="comune", to_field_name="istat_code", queryset=Comune.objects.all()
    )
    theme = django_filters.ModelChoiceFilter(
        field_name="themes", to_field_name="slug", queryset=Theme.objects.all()
    )
    language = django_filters.ModelChoiceFilter(
        field_name="languages", to_field_name="code", queryset=Language.objects.all()
    )
    organisation = django_filters.CharFilter(field_name="organisation__slug")
    q = django_filters.CharFilter(method="search", label="Free text")

    class Meta:
        model = Product
        fields = ["kind", "status", "comune", "theme", "language", "organisation"]

    def search(self, queryset, name, value):
        match = Q()
        for language in ("it", "en", "de", "fr"):
            match |= Q(**{f"title_{language}__icontains": value})
            match |= Q(**{f"summary_{language}__icontains": value})
        return queryset.filter(match)


class ProductViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Published products for everyone acting for an organisation (trade API keys, session
    users); operators also see their own listings in every state but archived."""

    lookup_field = "slug"
    permission_classes = [IsAuthenticated]
    filterset_class = ProductFilter

    def get_queryset(self):
        return selectors.product_detail_queryset(
            organisation=acting_organisation(self.request)
        ).distinct()

    def get_serializer_class(self):
        return ProductListSerializer if self.action == "list" else ProductDetailSerializer

    def list(self, request, *args, **kwargs):
        """Published products; a trade partner sees its contract's "from" prices."""
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        rows = list(page if page is not None else queryset)
        context = {**self.get_serializer_context(), **partner_from_context(request, rows)}
        data = self.get_serializer(rows, many=True, context=context).data
        return self.get_paginated_response(data) if page is not None else Response(data)

    def retrieve(self, request, *args, **kwargs):
        product = self.get_object()
        context = {**self.get_serializer_context(), **partner_from_context(request, [product])}
        return Response(self.get_serializer(product, context=context).data)

    def _shows_net(self, product) -> bool:
        organisation = acting_organisation(self.request)
        if organisation is not None and organisation.pk == product.organisation_id:
            return True
        return user_is_dmc_staff(self.request.user) if self.request.user.pk else False

    def _own_product(self, slug) -> Product:
        """The caller's own product (another tenant's answers 404), for writing."""
        organisation = acting_organisation(self.request)
        if organisation is None or not acting_role_at_least(self.request, Role.MANAGER):
            from rest_framework.exceptions import PermissionDenied

            raise PermissionDenied()
        return get_object_or_404(Product, slug=slug, organisation=organisation)

    @extend_schema(
        request=ProductContentInputSerializer,
        responses={200: ProductDetailSerializer, 202: ProductDetailSerializer},
    )
    def partial_update(self, request, slug=None):
        """The owner changes the listing's content. On a published listing the change waits for
        the DMC as a draft revision (202, `pending_revision`) and the live version stays on
        sale, as when it is edited in the extranet."""
        product = self._own_product(slug)
        data = ProductContentInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        # An API key acts for its organisation, not as a person: no actor on the event then.
        actor = request.user if request.user.pk else None
        updated = services.product_update(product=product, data=data.validated_data, actor=actor)
        # Re-read with the detail joins; an archived listing is not in them, so fall back.
        product = (
            selectors.product_detail_queryset(organisation=product.organisation)
            .filter(pk=product.pk)
            .first()
        )
        if product is None:
            product, product.from_price = updated, None
        body = ProductDetailSerializer(product, context={"request": request, "show_net": True}).data
        revision = getattr(updated, "_revision", None)
        if revision is not None:
            # The live listing is unchanged; the edit waits for the DMC as a revision.
            body["pending_revision"] = {
                "id": revision.pk,
                "status": revision.status,
                "fields": sorted(revision.data),
            }
            return Response(body, status=status.HTTP_202_ACCEPTED)
        return Response(body)

    @extend_schema(
        request=RateInputSerializer,
        responses={
            200: RateSerializer(many=True),
            201: RateSerializer,
            202: RateChangeSerializer,
        },
    )
    @action(detail=True, methods=["get", "post"], pagination_class=None, filter_backends=[])
    def rates(self, request, slug=None):
        """The product's rates (GET); the owner adds one (POST: 201). A price that leaves the
        DMC less than the contract's commission waits for the DMC's approval (202)."""
        if request.method == "POST":
            product = self._own_product(slug)
            data = RateInputSerializer(data=request.data)
            data.is_valid(raise_exception=True)
            values = dict(data.validated_data)
            if values.get("season"):
                values["season"] = get_object_or_404(Season, pk=values["season"], product=product)
            if values.get("unit_type"):
                values["unit_type"] = get_object_or_404(
                    UnitType, pk=values["unit_type"], product=product
                )
            actor = request.user if request.user.pk else None
            result = services.rate_save(product=product, data=values, actor=actor)
            if isinstance(result, RateChange):
                # Below the contract's commission: waits for the DMC, nothing changed yet.
                return Response(RateChangeSerializer(result).data, status=status.HTTP_202_ACCEPTED)
            return Response(
                RateSerializer(result, context={"show_net": True}).data,
                status=status.HTTP_201_CREATED,
            )
        product = self.get_object()
        rates = list(selectors.rates_of(product))
        terms = partner_terms(request)
        partner_prices = (
            partner_rate_prices(acting_organisation(request), rates, kind=product.kind, terms=terms)
            if terms is not None
            else None
        )
        return Response(
            RateSerializer(
                rates,
                many=True,
                context={
                    "show_net": self._shows_net(product),
                    "partner_prices": partner_prices or {},
                },
            ).data
        )

    @extend_schema(request=SeasonInputSerializer, responses={201: SeasonSerializer})
    @action(detail=True, methods=["post"], pagination_class=None, filter_backends=[])
    def seasons(self, request, slug=None):
        """The owner adds a season (overlaps are refused)."""
        product = self._own_product(slug)
        data = SeasonInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        season = services.season_save(product=product, data=data.validated_data)
        return Response(SeasonSerializer(season).data, status=status.HTTP_201_CREATED)


class SlotFilter(django_filters.FilterSet):
    product = django_filters.CharFilter(field_name="product__slug")
    date_from = django_filters.DateFilter(field_name="date", lookup_expr="gte")
    date_to = django_filters.DateFilter(field_name="date", lookup_expr="lte")

    class Meta:
        model = Slot
        fields = ["product", "date_from", "date_to", "status"]


class SlotViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, OrganisationScopedViewSet):
    """The operator's own slots: read them, change capacity or close one."""

    queryset = Slot.objects.select_related("product")
    organisation_field = "product__organisation"
    organisation_kinds = ("operator",)
    min_write_role = Role.MANAGER
    serializer_class = SlotSerializer
    filterset_class = SlotFilter

    @extend_schema(request=SlotUpdateSerializer, responses=SlotSerializer)
    def partial_update(self, request, pk=None):
        slot = self.get_object()
        data = SlotUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        slot = services.slot_update(slot=slot, **data.validated_data)
        return Response(SlotSerializer(slot).data)


class AvailabilityPagination(BoundedLimitOffsetPagination):
    """Limit/offset, ids first (selectors.search_page): `next` comes from whether another page
    exists. `count` is exact on the last page; while `next` is set it is a lower bound, the
    products known to match (offset + limit + 1): nothing is counted beyond the page."""

    default_limit = 20
    max_limit = 100

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        self.limit = self.get_limit(request)
        self.offset = self.get_offset(request)
        page = selectors.search_page(queryset, limit=self.limit, offset=self.offset)
        # "more than offset + limit" is "at least offset + limit + 1"
        self.count = page.total + 1 if page.at_least else page.total
        self.has_more = page.has_more
        return page.rows

    def get_next_link(self):
        if not self.has_more:
            return None
        url = replace_query_param(
            self.request.build_absolute_uri(), self.limit_query_param, self.limit
        )
        return replace_query_param(url, self.offset_query_param, self.offset + self.limit)


class AvailabilitySearchView(APIView):
    """Products bookable for a date range and a pax mix, with their slots, stays or stock
    priced for that mix. One database query decides what is bookable; the page is priced
    from rates fetched at once, so the number of queries does not grow with the results."""

    permission_classes = [IsAuthenticated]
    pagination_class = AvailabilityPagination

    @extend_schema(
        parameters=[AvailabilityQuerySerializer],
        responses=inline_serializer(
            "AvailabilityPage",
            {
                "count": serializers.IntegerField(
                    help_text=_(
                        "Products matching: exact when next is null; otherwise at least "
                        "this many (offset + limit + 1), as nothing is counted beyond the page."
                    )
                ),
                "next": serializers.URLField(allow_null=True),
                "previous": serializers.URLField(allow_null=True),
                "results": AvailabilityResultSerializer(many=True),
            },
        ),
    )
    def get(self, request):
        query = AvailabilityQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        criteria = query.criteria()
        organisation = acting_organisation(request)
        queryset = selectors.availability_search(criteria=criteria, organisation=organisation)
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(queryset, request, view=self)
        results = selectors.availability_options(page, criteria=criteria, organisation=organisation)
        # A trade partner's prices (its terms loaded once for the page), the public beside.
        terms = partner_terms(request)
        reprice_availability(organisation, results, day=criteria.start, terms=terms)
        show_net = bool(organisation and organisation.is_dmc) or (
            request.user.pk is not None and user_is_dmc_staff(request.user)
        )
        context = {"request": request, "show_net": show_net}
        context.update(partner_from_context(request, [r.product for r in results]))
        data = AvailabilityResultSerializer(results, many=True, context=context).data
        return paginator.get_paginated_response(data)
