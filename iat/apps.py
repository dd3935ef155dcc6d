from django.apps import AppConfig


class IatConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "iat"
    verbose_name = "IAT network"
