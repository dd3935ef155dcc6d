from django.contrib import admin

from .models import OctoBooking


@admin.register(OctoBooking)
class OctoBookingAdmin(admin.ModelAdmin):
    """Read-only: OCTO bookings change through the API and the booking engine only."""

    list_display = ("uuid", "organisation", "booking", "product", "option_id", "created_at")
    list_filter = ("organisation",)
    search_fields = ("uuid", "booking__reference", "reseller_reference")
    list_select_related = ("organisation", "booking", "product")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
