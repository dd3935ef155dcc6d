from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AllotmentsConfig(AppConfig):
    name = "allotments"
    verbose_name = _("Allotments")
