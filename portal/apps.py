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

        from django.db.models.signals import post_delete, post_save

        from operators.models import Language, Theme
        from places.models import Comune
        from portal.fragments import fragments_invalidate

        for model in (Comune, Theme, Language):
            for signal in (post_save, post_delete):
                signal.connect(
                    fragments_invalidate, sender=model, dispatch_uid=f"portal.fragments.{model}"
                )
