"""Read side of packages: lists for the builder and the API, catalogue search, terms."""

from __future__ import annotations

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet

from accounts.models import Organisation, OrganisationKind
from operators.models import Product, ProductKind, ProductStatus, UnitType

from .models import Component, Departure, Package, PackageStatus


def _broken_components():
    """Included components whose product and alternative are both no longer published."""
    return Component.objects.filter(package=OuterRef("pk"), required=True).filter(
        ~Q(product__status=ProductStatus.PUBLISHED),
        Q(alternative_product__isnull=True)
        | ~Q(alternative_product__status=ProductStatus.PUBLISHED),
    )


def packages_for_builder() -> QuerySet[Package]:
    """Every package with its component count and a live flag when a product was archived."""
    return Package.objects.annotate(
        component_count=Count("components", distinct=True),
        has_broken_component=Exists(_broken_components()),
    ).order_by("title")


def packages_published() -> QuerySet[Package]:
    return (
        Package.objects.filter(status=PackageStatus.PUBLISHED)
        .annotate(has_broken_component=Exists(_broken_components()))
        .prefetch_related("themes", "comuni", "languages")
        .order_by("title")
    )


def packages_visible_to(user) -> QuerySet[Package]:
    """DMC staff see every package; anybody else the published ones."""
    from accounts.selectors import user_is_dmc_staff

    if user is not None and user.is_authenticated and user_is_dmc_staff(user):
        return (
            Package.objects.annotate(has_broken_component=Exists(_broken_components()))
            .prefetch_related("themes", "comuni", "languages")
            .order_by("title")
        )
    return packages_published()


def package_with_components(pk: int) -> Package:
    return Package.objects.prefetch_related(
        Prefetch(
            "components",
            queryset=Component.objects.select_related(
                "product__organisation",
                "product__comune",
                "unit_type",
                "alternative_product",
                "alternative_unit_type",
            ).order_by("day_offset", "position", "pk"),
        ),
        "season_prices",
        "child_reductions",
        "themes",
        "languages",
        "comuni",
    ).get(pk=pk)


def package_for_precontract(slug: str) -> Package:
    return (
        Package.objects.filter(slug=slug, status=PackageStatus.PUBLISHED)
        .select_related("heritage_story", "cancellation_policy")
        .prefetch_related(
            Prefetch(
                "components",
                queryset=Component.objects.select_related(
                    "product__comune", "unit_type", "alternative_product", "alternative_unit_type"
                ).order_by("day_offset", "position", "pk"),
            ),
            "cancellation_policy__tiers",
            "season_prices",
            "child_reductions",
            "languages",
            "comuni",
            "themes",
            "photos",
        )
        .get()
    )


def upcoming_departures(package: Package) -> QuerySet[Departure]:
    return package.departures.order_by("date")


def catalogue_search(query: str = "", kind: str = "", limit: int = 20) -> list[dict]:
    """Published products matching a text, with their unit types: for the builder."""
    products = Product.objects.filter(status=ProductStatus.PUBLISHED).select_related(
        "organisation", "comune"
    )
    if query:
        products = products.filter(
            Q(title_it__icontains=query)
            | Q(title_en__icontains=query)
            | Q(slug__icontains=query)
            | Q(comune__name__icontains=query)
            | Q(organisation__name__icontains=query)
        )
    if kind:
        products = products.filter(kind=kind)
    products = list(
        products.prefetch_related(
            Prefetch("unit_types", queryset=UnitType.objects.order_by("name"))
        ).order_by("title")[:limit]
    )
    return [
        {
            "id": p.pk,
            "slug": p.slug,
            "title": p.title,
            "kind": p.kind,
            "kind_label": p.get_kind_display(),
            "comune": p.comune.name,
            "organisation": p.organisation.name,
            "unit_types": [{"id": u.pk, "name": u.name} for u in p.unit_types.all()]
            if p.kind == ProductKind.ACCOMMODATION
            else [],
        }
        for p in products
    ]


def dmc_organisation() -> Organisation | None:
    """The DMC, organiser of every package (for the pre-contract information)."""
    return (
        Organisation.objects.filter(kind=OrganisationKind.DMC, is_active=True)
        .select_related("comune")
        .order_by("pk")
        .first()
    )
