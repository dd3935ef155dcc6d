from django.urls import path

from . import views

app_name = "operators"

urlpatterns = [
    # Operator extranet
    path("operator/", views.DashboardView.as_view(), name="dashboard"),
    path("operator/products/", views.ProductListView.as_view(), name="products"),
    path("operator/products/new/", views.ProductCreateView.as_view(), name="product_create"),
    path("operator/products/<int:pk>/edit/", views.ProductEditView.as_view(), name="product_edit"),
    path(
        "operator/products/<int:pk>/photos/",
        views.ProductPhotoUploadView.as_view(),
        name="product_photos",
    ),
    path(
        "operator/products/<int:pk>/status/",
        views.ProductStatusView.as_view(),
        name="product_status",
    ),
    path("operator/products/<int:pk>/rates/", views.RatesView.as_view(), name="rates"),
    path("operator/products/<int:pk>/calendar/", views.CalendarView.as_view(), name="calendar"),
    path(
        "operator/products/<int:pk>/feed/rotate/",
        views.FeedRotateView.as_view(),
        name="feed_rotate",
    ),
    path("operator/photos/<int:pk>/delete/", views.PhotoDeleteView.as_view(), name="photo_delete"),
    path("operator/rates/<int:pk>/delete/", views.RateDeleteView.as_view(), name="rate_delete"),
    path(
        "operator/seasons/<int:pk>/delete/", views.SeasonDeleteView.as_view(), name="season_delete"
    ),
    path(
        "operator/unit-types/<int:pk>/delete/",
        views.UnitTypeDeleteView.as_view(),
        name="unit_type_delete",
    ),
    path("operator/feeds/<str:token>.ics", views.IcalFeedView.as_view(), name="ical_feed"),
    # DMC curation desk
    path("backoffice/curation/", views.CurationQueueView.as_view(), name="curation_queue"),
    path(
        "backoffice/curation/<int:pk>/",
        views.CurationReviewView.as_view(),
        name="curation_review",
    ),
    path(
        "backoffice/curation/rate-changes/<int:pk>/",
        views.RateChangeDecisionView.as_view(),
        name="rate_change_decision",
    ),
    path(
        "backoffice/curation/revisions/<int:pk>/",
        views.RevisionDecisionView.as_view(),
        name="revision_decision",
    ),
    path("backoffice/catalogue/", views.CatalogueView.as_view(), name="catalogue"),
]
