from django.urls import path

from . import views

app_name = "trade"

urlpatterns = [
    path("partners/apply/", views.ApplyView.as_view(), name="apply"),
    path("partners/apply/thanks/", views.ApplyThanksView.as_view(), name="apply_thanks"),
    path("backoffice/partners/", views.PartnerListView.as_view(), name="backoffice_list"),
    path(
        "backoffice/partners/applications/",
        views.ApplicationListView.as_view(),
        name="backoffice_applications",
    ),
    path(
        "backoffice/partners/applications/<int:pk>/",
        views.ApplicationDetailView.as_view(),
        name="backoffice_application",
    ),
    path(
        "backoffice/partners/<slug:slug>/",
        views.PartnerDetailView.as_view(),
        name="backoffice_detail",
    ),
    path(
        "backoffice/partners/<slug:slug>/terms/",
        views.PartnerTermsView.as_view(),
        name="backoffice_terms",
    ),
    path(
        "backoffice/partners/<slug:slug>/versions/",
        views.VersionCreateView.as_view(),
        name="backoffice_version_create",
    ),
    path(
        "backoffice/partners/<slug:slug>/versions/<int:version>/rules/",
        views.RuleCreateView.as_view(),
        name="backoffice_rule_create",
    ),
    path(
        "backoffice/partners/<slug:slug>/rules/<int:pk>/delete/",
        views.RuleDeleteView.as_view(),
        name="backoffice_rule_delete",
    ),
]
