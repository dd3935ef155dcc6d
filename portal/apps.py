from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    """The public portal "Discover Piana di Lucca": destination content and the storefront."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "portal"
    verbose_name = _("Discover Piana di Lucca portal")
