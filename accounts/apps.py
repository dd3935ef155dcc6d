from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts and organisations")

    def ready(self):
        from outbox import registry

        from .services import INVITATION_SEND, _invitation_send_handler

        registry.register(INVITATION_SEND, _invitation_send_handler)
