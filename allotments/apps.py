from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AllotmentsConfig(AppConfig):
    name = "allotments"
    verbose_name = _("Allotments")

    def ready(self):
        from bookings.services.allotment_hooks import allotment_hooks_register
        from operators.partner_places import partner_places_register

        from . import selectors, services

        allotment_hooks_register(
            reserved=services.allotment_reserved_places,
            draw=services.allotment_draw,
            give_back=services.allotment_give_back,
            reads=services.allotment_reserved_reads,
        )
        partner_places_register(selectors.partner_open_places)
