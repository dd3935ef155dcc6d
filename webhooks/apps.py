from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebhooksConfig(AppConfig):
    name = "webhooks"
    verbose_name = _("Partner webhooks")

    def ready(self):
        """Subscribe the partner webhooks to what the other apps publish (outbox topics)."""
        from bookings import events as booking_events
        from outbox import registry

        from . import services

        booking_events.subscribe(
            booking_events.CONFIRMED,
            name="webhooks.booking_confirmed",
            function=services.on_booking_confirmed,
        )
        booking_events.subscribe(
            booking_events.CANCELLED,
            name="webhooks.booking_cancelled",
            function=services.on_booking_cancelled,
        )
        booking_events.subscribe(
            booking_events.AMENDED,
            name="webhooks.booking_amended",
            function=services.on_booking_amended,
        )
        registry.subscribe(
            services.OPTION_EXPIRING_TOPIC,
            name="webhooks.option_expiring",
            function=services.on_option_expiring,
        )
        registry.subscribe(
            "allotments.released",
            name="webhooks.allotment_released",
            function=services.on_allotment_released,
        )
