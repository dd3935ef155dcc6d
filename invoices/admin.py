"""Admin: series are editable; documents are read-only (issued ones are immutable and are
managed in the finance back office)."""

from django.contrib import admin

from .models import Invoice, InvoiceLine, OperatorStatement, Series, SeriesCounter
from .rules import FiscalSettings, FiscalTreatment


@admin.register(Series)
class SeriesAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "document_type", "customer_kind", "prefix", "is_active"]


@admin.register(SeriesCounter)
class SeriesCounterAdmin(admin.ModelAdmin):
    list_display = ["series", "year", "last_number", "last_issue_date"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class InvoiceLineInline(admin.TabularInline):
    model = InvoiceLine
    extra = 0
    can_delete = False

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Invoice)
class InvoiceAdmin(admin.ModelAdmin):
    list_display = [
        "number",
        "issue_date",
        "customer_name",
        "regime_fiscale",
        "total",
        "sdi_status",
    ]
    list_filter = ["document_type", "status", "sdi_status", "regime_fiscale"]
    search_fields = ["number", "customer_name", "booking_reference"]
    inlines = [InvoiceLineInline]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(OperatorStatement)
class OperatorStatementAdmin(admin.ModelAdmin):
    list_display = ["operator", "period_start", "gross_total", "commission_total", "balance"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False


@admin.register(FiscalTreatment)
class FiscalTreatmentAdmin(admin.ModelAdmin):
    """The decision table (docs/fiscal-decision-table.md), edited by DMC staff."""

    list_display = [
        "sales_model",
        "customer_kind",
        "customer_area",
        "product_kind",
        "product",
        "treatment",
        "natura",
        "required_vat_rate",
        "legal_reference",
        "uncertain",
    ]
    list_filter = ["sales_model", "treatment", "uncertain"]
    raw_id_fields = ["product"]


@admin.register(FiscalSettings)
class FiscalSettingsAdmin(admin.ModelAdmin):
    list_display = ["__str__", "stamp_duty_charged_to_customer", "rea_number", "share_capital"]

    def has_add_permission(self, request):
        return not FiscalSettings.objects.exists()
