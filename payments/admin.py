from django.contrib import admin

from .models import (
    AttentionItem,
    BankTransaction,
    LedgerEntry,
    PayoutProfile,
    StripeEvent,
)


@admin.register(StripeEvent)
class StripeEventAdmin(admin.ModelAdmin):
    list_display = ["stripe_event_id", "type", "received_at", "processed_at", "result"]
    list_filter = ["type"]
    search_fields = ["stripe_event_id"]
    readonly_fields = [
        "stripe_event_id",
        "type",
        "payload",
        "received_at",
        "processed_at",
        "result",
    ]


@admin.register(LedgerEntry)
class LedgerEntryAdmin(admin.ModelAdmin):
    """Read-only: the ledger is written by services only; a correction is a new row."""

    list_display = ["booked_on", "kind", "method", "amount_cents", "booking", "counterparty"]
    list_filter = ["kind", "method", "is_demo"]
    search_fields = ["stripe_id", "external_ref", "booking__reference", "counterparty__name"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(PayoutProfile)
class PayoutProfileAdmin(admin.ModelAdmin):
    list_display = ["organisation", "stripe_account_id"]
    search_fields = ["organisation__name", "stripe_account_id"]


@admin.register(AttentionItem)
class AttentionItemAdmin(admin.ModelAdmin):
    list_display = ["created_at", "reason", "booking", "organisation", "resolved_at"]
    list_filter = ["reason"]


@admin.register(BankTransaction)
class BankTransactionAdmin(admin.ModelAdmin):
    list_display = ["booked_on", "amount", "payer_name", "booking", "ledger_entry"]
    search_fields = ["description", "payer_name"]
    readonly_fields = ["fingerprint", "ledger_entry"]
