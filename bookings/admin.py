"""Admin for the data DMC staff edit directly (tourist-tax rules, trade contracts) and a
read-only view of bookings: every change to a booking goes through the back office, which
calls the services."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from .models import (
    Booking,
    BookingEvent,
    BookingLine,
    RedemptionAttempt,
    SupplierTerms,
    TouristTaxExemptionReason,
    TouristTaxRule,
    TradeContract,
    Voucher,
)


@admin.register(SupplierTerms)
class SupplierTermsAdmin(admin.ModelAdmin):
    list_display = ["organisation", "option_cutoff_hours", "early_checkin_days"]
    autocomplete_fields = ["organisation"]


@admin.register(TouristTaxRule)
class TouristTaxRuleAdmin(admin.ModelAdmin):
    list_display = [
        "comune",
        "categories",
        "rate_per_night",
        "valid_from",
        "valid_until",
        "max_nights",
        "exempt_under_age",
        "residents_exempt",
    ]
    list_filter = ["comune", "residents_exempt"]
    search_fields = ["comune__name", "categories", "note"]
    date_hierarchy = "valid_from"


@admin.register(TradeContract)
class TradeContractAdmin(admin.ModelAdmin):
    list_display = [
        "organisation",
        "option_days",
        "on_account",
        "credit_limit",
        "payment_terms_days",
        "deposit_percent",
        "balance_days_before",
    ]
    list_filter = ["on_account"]
    search_fields = ["organisation__name"]
    autocomplete_fields = ["organisation"]


class ReadOnlyMixin:
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class LineInline(ReadOnlyMixin, admin.TabularInline):
    model = BookingLine
    fields = ["title", "kind", "status", "supplier", "service_date", "quantity", "retail_amount"]
    readonly_fields = fields
    extra = 0
    show_change_link = False


class EventInline(ReadOnlyMixin, admin.TabularInline):
    model = BookingEvent
    fields = ["created_at", "action", "from_status", "to_status", "actor_label", "reason"]
    readonly_fields = fields
    extra = 0


@admin.register(Booking)
class BookingAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = [
        "reference",
        "status",
        "channel",
        "contact_name",
        "buyer_organisation",
        "first_service_date",
        "total_retail",
        "back_office",
    ]
    list_filter = ["status", "channel"]
    search_fields = ["reference", "contact_name", "contact_email", "buyer_reference"]
    date_hierarchy = "created_at"
    inlines = [LineInline, EventInline]

    @admin.display(description=_("back office"))
    def back_office(self, obj):
        url = reverse("bookings:backoffice_detail", args=[obj.reference])
        return format_html('<a href="{}">{}</a>', url, _("Open"))

    def has_view_permission(self, request, obj=None):
        return request.user.is_staff


@admin.register(Voucher)
class VoucherAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["booking", "version", "language", "generated_at"]
    search_fields = ["booking__reference"]

    def has_view_permission(self, request, obj=None):
        return request.user.is_staff


@admin.register(RedemptionAttempt)
class RedemptionAttemptAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["created_at", "line", "organisation", "actor", "method", "accepted", "reason"]
    list_filter = ["accepted", "method"]
    search_fields = ["line__booking__reference", "raw_input"]

    def has_view_permission(self, request, obj=None):
        return request.user.is_staff


@admin.register(TouristTaxExemptionReason)
class TouristTaxExemptionReasonAdmin(admin.ModelAdmin):
    list_display = ["code", "label", "reference", "is_active"]
    filter_horizontal = ["comuni"]
