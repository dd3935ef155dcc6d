from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path
from django.views.static import serve
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from portal.sitemaps import SITEMAPS

from .health import healthz

# Every app owns its API routes under /api/v1/ and its pages (with their own prefixes:
# operator/, backoffice/, trade/, …) under the language prefix.
api_v1 = [
    path("", include("accounts.api.urls")),
    path("", include("operators.api.urls")),
    path("", include("packages.api.urls")),
    path("", include("bookings.api.urls")),
    path("", include("payments.api.urls")),
    path("", include("invoices.api.urls")),
    path("", include("allotments.api.urls")),
    path("", include("tradeportal.api.urls")),
]

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("sitemap.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/v1/", include(api_v1)),
    path("admin/", admin.site.urls),
    path("payments/", include("payments.urls")),
    path("octo/", include("octo.urls")),
]

urlpatterns += i18n_patterns(
    path("", include("portal.urls")),
    path("", include("portal.urls_content")),
    path("accounts/", include("allauth.urls")),
    path("account/", include("accounts.urls")),
    path("", include("operators.urls")),
    path("", include("packages.urls")),
    path("", include("bookings.urls")),
    path("", include("payments.urls_pages")),
    path("", include("invoices.urls")),
    path("", include("iat.urls")),
    path("", include("insights.urls")),
    path("", include("trade.urls")),
    path("", include("tradeportal.urls")),
    path("", include("allotments.urls")),
    path("", include("webhooks.urls")),
    prefix_default_language=True,
)

if settings.DEBUG:
    urlpatterns += [path("media/<path:path>", serve, {"document_root": settings.MEDIA_ROOT})]
