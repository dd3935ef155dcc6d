"""sitemap.xml: every public page in the four languages, with hreflang alternates."""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from . import selectors


class PortalSitemap(Sitemap):
    i18n = True
    alternates = True
    x_default = True

    @property
    def protocol(self):
        return urlsplit(settings.SITE_URL).scheme or "https"

    def get_domain(self, site=None):
        return urlsplit(settings.SITE_URL).netloc


class PagesSitemap(PortalSitemap):
    priority = 0.8

    def items(self):
        return [
            "home",
            "discover",
            "discover_packages",
            "portal:comuni",
            "portal:stories",
            "portal:events",
            "portal:itineraries",
        ]

    def location(self, item):
        return reverse(item)


class ContentSitemap(PortalSitemap):
    def __init__(self, queryset_function):
        self.queryset_function = queryset_function

    def items(self):
        return self.queryset_function().order_by("pk")

    def lastmod(self, obj):
        return obj.updated_at


class ProductSitemap(PortalSitemap):
    def items(self):
        return selectors.published_products().order_by("pk")

    def location(self, obj):
        return reverse("discover_product", args=[obj.slug])

    def lastmod(self, obj):
        return obj.updated_at


class PackageSitemap(PortalSitemap):
    def items(self):
        return selectors.published_packages().order_by("pk")

    def location(self, obj):
        return reverse("discover_package", args=[obj.slug])


SITEMAPS = {
    "pages": PagesSitemap(),
    "comuni": ContentSitemap(selectors.comune_pages),
    "themes": ContentSitemap(selectors.theme_pages),
    "stories": ContentSitemap(selectors.stories),
    "events": ContentSitemap(selectors.upcoming_events),
    "itineraries": ContentSitemap(selectors.itineraries),
    "products": ProductSitemap(),
    "packages": PackageSitemap(),
}
