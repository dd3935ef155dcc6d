"""Deployment checks of the marketplace (`manage.py check --deploy`)."""

from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.caches, deploy=True)
def shared_cache_check(app_configs=None, **kwargs):
    """Sign-in throttles count in the default cache: with a per-process memory cache every
    worker counts alone (20 tries with 4 workers instead of 5)."""
    backend = settings.CACHES["default"]["BACKEND"]
    if backend.endswith(("LocMemCache", "DummyCache")):
        return [
            Warning(
                "The default cache is a per-process cache: sign-in throttling is not shared "
                "between workers.",
                hint="Set CACHE_URL (or REDIS_URL) to a Redis database, e.g. redis://host:6379/1.",
                id="marketplace.W001",
            )
        ]
    return []
