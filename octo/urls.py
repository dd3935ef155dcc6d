"""The OCTO supplier API, mounted at /octo/ (outside the language prefix). Trailing slashes are
optional: the standard's document writes some paths with one and some without."""

from django.urls import re_path

from . import views

app_name = "octo"

UUID = r"(?P<uuid>[^/]+)"

urlpatterns = [
    re_path(r"^supplier/?$", views.supplier, name="supplier"),
    re_path(r"^products/?$", views.products, name="products"),
    re_path(r"^products/(?P<product_id>[^/]+)/?$", views.product, name="product"),
    re_path(r"^availability/calendar/?$", views.calendar, name="availability-calendar"),
    re_path(r"^availability/?$", views.availability, name="availability"),
    re_path(r"^bookings/?$", views.bookings, name="bookings"),
    re_path(rf"^bookings/{UUID}/confirm/?$", views.confirm, name="booking-confirm"),
    re_path(rf"^bookings/{UUID}/cancel/?$", views.cancel, name="booking-cancel"),
    re_path(rf"^bookings/{UUID}/extend/?$", views.extend, name="booking-extend"),
    re_path(rf"^bookings/{UUID}/?$", views.booking, name="booking"),
    re_path(r"^(?P<path>.*)$", views.not_found, name="not-found"),
]
