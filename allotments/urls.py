from django.urls import path

from . import views

app_name = "allotments"

urlpatterns = [
    # DMC back office
    path(
        "backoffice/allotments/",
        views.BackofficeAllotmentListView.as_view(),
        name="backoffice_list",
    ),
    path(
        "backoffice/allotments/new/",
        views.BackofficeAllotmentCreateView.as_view(),
        name="backoffice_create",
    ),
    path(
        "backoffice/allotments/releases/",
        views.BackofficeReleaseReportView.as_view(),
        name="backoffice_releases",
    ),
    path(
        "backoffice/allotments/<int:pk>/",
        views.BackofficeAllotmentDetailView.as_view(),
        name="backoffice_detail",
    ),
    path(
        "backoffice/allotments/<int:pk>/close/",
        views.BackofficeAllotmentCloseView.as_view(),
        name="backoffice_close",
    ),
    # the partner's view
    path("trade/allotments/", views.TradeAllotmentListView.as_view(), name="trade_list"),
    path(
        "trade/allotments/<int:pk>/",
        views.TradeAllotmentDetailView.as_view(),
        name="trade_detail",
    ),
]
