from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OctoConfig(AppConfig):
    name = "octo"
    verbose_name = _("OCTO supplier API")
