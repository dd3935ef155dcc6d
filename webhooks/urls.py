from django.urls import path

from . import views

app_name = "webhooks"

urlpatterns = [
    path("trade/webhooks/", views.EndpointListView.as_view(), name="endpoints"),
    path("trade/webhooks/<int:pk>/", views.EndpointDetailView.as_view(), name="endpoint"),
    path(
        "trade/webhooks/<int:pk>/<slug:action>/",
        views.EndpointActionView.as_view(),
        name="endpoint_action",
    ),
    path(
        "trade/webhooks/<int:pk>/deliveries/<int:delivery_pk>/redeliver/",
        views.RedeliverView.as_view(),
        name="redeliver",
    ),
]
