from .base import *  # noqa: F403

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Tasks run in-process in tests; tests/test_worker.py drives a real worker on the broker.
CELERY_TASK_ALWAYS_EAGER = True
# Static files are served from the finders in tests (no collectstatic run).
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# A memory cache per test process (cleared before each test); the throttling tests switch to
# Redis explicitly to prove that workers share their counts.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "tests"}
}
