from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    """The public portal "Discover Piana di Lucca": destination content and the storefront."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "portal"
    verbose_name = _("Discover Piana di Lucca portal")

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from portal.cart import cart_on_sign_in

        user_logged_in.connect(cart_on_sign_in, dispatch_uid="portal.cart_on_sign_in")
