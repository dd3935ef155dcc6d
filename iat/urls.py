from django.urls import path

from . import views, views_coordination

app_name = "iat"

urlpatterns = [
    path("iat/", views.where_to_find_us, name="where"),
    path("iat/footer/", views.footer_offices, name="footer_offices"),
    path("iat/<slug:comune_slug>/", views.where_to_find_us, name="where_comune"),
    path("desk/contacts/", views.ContactLogView.as_view(), name="contacts"),
    path(
        "desk/contacts/<int:pk>/delete/", views.ContactDeleteView.as_view(), name="contact_delete"
    ),
    path("desk/report/", views.OfficeReportView.as_view(), name="office_report"),
    path("desk/stock/", views.StockView.as_view(), name="stock"),
    path("backoffice/iat/report/", views.NetworkReportView.as_view(), name="network_report"),
] + views_coordination.urlpatterns
