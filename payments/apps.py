from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PaymentsConfig(AppConfig):
    name = "payments"
    verbose_name = _("Payments")

    def ready(self):
        from . import events
        from .gateway import configure_stripe

        configure_stripe()
        events.register()  # handlers of the booking engine's events (bookings.events)
        from bookings.money import register_money_provider

        from .booking_money import booking_money_summary, payment_states

        register_money_provider(summary=booking_money_summary, states=payment_states)
