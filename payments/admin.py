from django.contrib import admin

from .models import StripeEvent


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
