from django.urls import path

from . import views

app_name = "packages"

urlpatterns = [
    path("backoffice/packages/", views.PackageListView.as_view(), name="builder_list"),
    path("backoffice/packages/new/", views.PackageCreateView.as_view(), name="create"),
    path(
        "backoffice/packages/products.json",
        views.ProductSearchView.as_view(),
        name="product_search",
    ),
    path("backoffice/packages/<int:pk>/", views.PackageBuilderView.as_view(), name="builder"),
    path(
        "backoffice/packages/<int:pk>/components/",
        views.ComponentAddView.as_view(),
        name="component_add",
    ),
    path(
        "backoffice/packages/<int:pk>/components/<int:component_pk>/remove/",
        views.ComponentRemoveView.as_view(),
        name="component_remove",
    ),
    path(
        "backoffice/packages/<int:pk>/photos/",
        views.PhotoUploadView.as_view(),
        name="photo_add",
    ),
    path(
        "backoffice/packages/<int:pk>/photos/<int:photo_pk>/delete/",
        views.PhotoDeleteView.as_view(),
        name="photo_delete",
    ),
    path(
        "backoffice/packages/<int:pk>/departures/",
        views.DepartureSeriesView.as_view(),
        name="departure_series",
    ),
    path(
        "backoffice/packages/<int:pk>/prices/",
        views.SeasonPriceAddView.as_view(),
        name="season_price_add",
    ),
    path(
        "backoffice/packages/<int:pk>/breakdown.json",
        views.BreakdownView.as_view(),
        name="breakdown",
    ),
    path("backoffice/packages/<int:pk>/calendar/", views.CalendarView.as_view(), name="calendar"),
    path(
        "backoffice/packages/<int:pk>/<str:action>/",
        views.PackageActionView.as_view(),
        name="action",
    ),
    path("packages/<slug:slug>/", views.PrecontractView.as_view(), name="precontract"),
    path(
        "packages/<slug:slug>/pre-contract.pdf",
        views.PrecontractPdfView.as_view(),
        name="precontract_pdf",
    ),
]
