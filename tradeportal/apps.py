from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TradePortalConfig(AppConfig):
    name = "tradeportal"
    verbose_name = _("Trade portal")
