"""Read side of the portal: live content, the offer that lets a visitor live a story, and the
upcoming events. Each function runs a fixed number of queries."""

from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from operators.models import Product, ProductStatus
from operators.selectors import _from_price as from_price_subquery
from packages.models import Package, PackageStatus

from .models import ComunePage, Event, Itinerary, ItineraryStop, Story, ThemePage

OFFER_SIZE = 6


def can_preview(request) -> bool:
    return bool(request.user.is_authenticated and request.user.is_staff)


def content_get(model, *, slug: str, preview: bool = False, queryset: QuerySet | None = None):
    """One piece of content by slug: live only, unless a staff member previews it."""
    qs = queryset if queryset is not None else model.objects.all()
    if not preview:
        qs = qs.live()
    obj = qs.filter(slug=slug).first()
    if obj is None:
        raise Http404
    return obj


def published_products() -> QuerySet[Product]:
    return (
        Product.objects.filter(status=ProductStatus.PUBLISHED)
        .select_related("comune", "organisation")
        .annotate(from_price=from_price_subquery())
    )


def published_packages() -> QuerySet[Package]:
    return Package.objects.filter(status=PackageStatus.PUBLISHED).prefetch_related("comuni")


@dataclass
class Offer:
    products: list
    packages: list

    def __bool__(self):
        return bool(self.products or self.packages)


def offer_for(obj, *, comuni_ids=(), limit: int = OFFER_SIZE) -> Offer:
    """The experiences, stays and packages that let a visitor live this content: those the DMC
    linked first, then others in the same comuni sharing a theme, then others in the comuni."""
    theme_ids = [t.pk for t in obj.themes.all()]
    linked = list(published_products().filter(pk__in=[p.pk for p in obj.products.all()]))
    products = linked[:limit]
    if len(products) < limit and comuni_ids:
        shares_theme = Exists(
            Product.themes.through.objects.filter(product_id=OuterRef("pk"), theme_id__in=theme_ids)
        )
        more = (
            published_products()
            .filter(comune_id__in=comuni_ids)
            .exclude(pk__in=[p.pk for p in products])
            .annotate(shares_theme=shares_theme)
            .order_by("-shares_theme", "-published_at", "title")
        )
        products += list(more[: limit - len(products)])
    linked_packages = [p.pk for p in obj.packages.all()]
    packages = list(
        published_packages()
        .filter(Q(pk__in=linked_packages) | Q(comuni__in=comuni_ids))
        .distinct()
        .order_by("title")[:3]
    )
    return Offer(products=products, packages=packages)


def comune_pages() -> QuerySet[ComunePage]:
    return ComunePage.objects.live().select_related("comune")


def theme_pages() -> QuerySet[ThemePage]:
    return ThemePage.objects.live().select_related("theme")


def stories(*, comune=None, theme=None) -> QuerySet[Story]:
    qs = Story.objects.live().prefetch_related("comuni")
    if comune is not None:
        qs = qs.filter(comuni=comune)
    if theme is not None:
        qs = qs.filter(themes=theme)
    return qs.distinct()


def upcoming_events(*, comune=None, theme=None, today=None) -> QuerySet[Event]:
    today = today or timezone.localdate()
    qs = Event.objects.live().filter(ends_on__gte=today).select_related("comune", "place")
    if comune is not None:
        qs = qs.filter(comune=comune)
    if theme is not None:
        qs = qs.filter(themes=theme)
    return qs.distinct().order_by("starts_on", "title")


def itineraries() -> QuerySet[Itinerary]:
    return Itinerary.objects.live()


def itinerary_detail_queryset() -> QuerySet[Itinerary]:
    return Itinerary.objects.prefetch_related(
        Prefetch("stops", queryset=ItineraryStop.objects.select_related("place", "place__comune")),
        "themes",
        "products",
        "packages",
    )
