from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OperatorsConfig(AppConfig):
    name = "operators"
    verbose_name = _("Operators")

    def ready(self):
        # The daily roll-forward of inventory joins the beat schedule of the Celery app.
        # (Settings may also do `CELERY_BEAT_SCHEDULE.update(operators.tasks.BEAT_SCHEDULE)`.)
        from django.conf import settings

        from .tasks import BEAT_SCHEDULE

        schedule = getattr(settings, "CELERY_BEAT_SCHEDULE", None)
        if isinstance(schedule, dict):
            for name, entry in BEAT_SCHEDULE.items():
                schedule.setdefault(name, entry)
