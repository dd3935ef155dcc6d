from django.urls import path

from . import views, views_statutory

app_name = "insights"

urlpatterns = [
    path("backoffice/insights/", views.DashboardView.as_view(), name="dashboard"),
    path("backoffice/insights/import/", views.ImportView.as_view(), name="import"),
    path("comune/insights/", views.ComuneDashboardView.as_view(), name="comune_dashboard"),
] + views_statutory.urlpatterns
