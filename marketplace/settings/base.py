"""Settings shared by every environment. The environment is read here, through django-environ,
and nowhere else; `.env.example` documents each variable."""

from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)


def env_choice(name: str, choices: tuple[str, ...], default: str) -> str:
    """Read a variable that must be one of `choices`; fail at start naming the variable."""
    value = env.str(name, default=default)
    if value not in choices:
        raise ImproperlyConfigured(
            f"{name}={value!r} is not valid; expected one of: {', '.join(choices)}"
        )
    return value


_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_bool(name: str, default: bool) -> bool:
    """A strict boolean: an unknown value fails at start naming the variable."""
    raw = env.str(name, default=None)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value not in _TRUE | _FALSE:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean; use true or false")
    return value in _TRUE


SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="dev-insecure-piana-di-lucca-change-me")
DEBUG = env_bool("DJANGO_DEBUG", False)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "modeltranslation",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sites",
    "django.contrib.sitemaps",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "allauth",
    "allauth.account",
    "places",
    "accounts",
    "operators",
    "packages",
    "bookings",
    "payments",
    "invoices",
    "outbox",
    "iat",
    "insights",
    "marketplace",
    "portal",
    "trade",
    "tradeportal",
    "allotments",
    "octo",
    "webhooks",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "marketplace.middleware.RefuseNulMiddleware",
    "marketplace.middleware.ApiErrorShapeMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "accounts.middleware.ActiveOrganisationMiddleware",
    "marketplace.middleware.ApiLanguageMiddleware",
]

ROOT_URLCONF = "marketplace.urls"
WSGI_APPLICATION = "marketplace.wsgi.application"
ASGI_APPLICATION = "marketplace.asgi.application"
SITE_ID = 1

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "accounts.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=0)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # A lock wait longer than this becomes a clean "busy, try again" instead of a hang.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = (
        f"-c lock_timeout={env.int('DATABASE_LOCK_TIMEOUT_MS', default=5000)}"
    )

# One cache for every worker (Redis) where CACHE_URL or REDIS_URL is set, as in production and
# CI: the sign-in throttles count there. The embedded default keeps a per-process memory cache.
CACHES = {
    "default": environ.Env.cache_url_config(
        env.str("CACHE_URL", default="")
        or env.str("REDIS_URL", default="")
        or "locmemcache://piana-default"
    )
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]

# django-allauth: email is the login.
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = env_choice(
    "ACCOUNT_EMAIL_VERIFICATION", ("mandatory", "optional", "none"), "optional"
)
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_ADAPTER = "accounts.adapters.AccountAdapter"
# Throttling of sign-in and password reset (allauth's rate limits, counted in the default
# cache, which production and CI share between workers through Redis; see docs/notes/hardening.md):
# - wrong passwords: 10 a minute per client address, and 5 in 5 minutes per (address, account),
#   so a stranger elsewhere can never lock the real user out of the right password;
# - a ceiling per account (30 wrong passwords an hour, from any address): then a password alone
#   no longer signs in to that account, and the owner signs in with a code sent by email;
# - password reset: 5 a minute and 20 an hour per client address, 3 per 15 minutes per email.
ACCOUNT_LOGIN_BY_CODE_ENABLED = True
ACCOUNT_RATE_LIMITS = {
    "login_failed": "10/m/ip,5/5m/key",
    "login_failed_account": "30/h/key",
    "reset_password": "5/m/ip,20/h/ip,3/15m/key",
}
# Behind a proxy: how many proxies append to X-Forwarded-For (0 = use REMOTE_ADDR).
ALLAUTH_TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
LOGIN_REDIRECT_URL = "accounts:home"
LOGIN_URL = "account_login"

LANGUAGE_CODE = "it"
LANGUAGES = [
    ("it", _("Italian")),
    ("en", _("English")),
    ("de", _("German")),
    ("fr", _("French")),
]
MODELTRANSLATION_LANGUAGES = ("it", "en", "de", "fr")
MODELTRANSLATION_DEFAULT_LANGUAGE = "it"
# A German or French visitor reads English before Italian where a text is missing.
MODELTRANSLATION_FALLBACK_LANGUAGES = {"default": ("en", "it"), "en": ("it",), "it": ("en",)}
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["marketplace.formats"]
TIME_ZONE = "Europe/Rome"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env.str(
    "DEFAULT_FROM_EMAIL", default="Piana di Lucca DMC <noreply@pianadilucca.example>"
)

# Celery: eager on the embedded default, a real broker when CELERY_BROKER_URL is set.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="memory://")
CELERY_TASK_ALWAYS_EAGER = env_bool(
    "CELERY_TASK_ALWAYS_EAGER", CELERY_BROKER_URL.startswith("memory://")
)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default=None) or None
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A broker that is down must not hold a request for long: the outbox keeps the work.
CELERY_BROKER_CONNECTION_TIMEOUT = env.float("CELERY_BROKER_CONNECTION_TIMEOUT", default=2.0)
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.2,
}
CELERY_BEAT_SCHEDULE: dict = {
    "purge-guest-documents": {
        "task": "insights.tasks.purge_guest_documents",
        "schedule": crontab(hour=4, minute=15),
    },
    # The privacy notice's retention periods (needs, unpaid cancelled bookings, security logs).
    "privacy-purge": {
        "task": "marketplace.tasks.privacy_purge",
        "schedule": crontab(hour=4, minute=20),
    },
    "release-expired-holds": {"task": "bookings.tasks.release_expired_holds", "schedule": 60.0},
    # Allotment days at their release date: unsold places back to general sale (idempotent).
    "allotments-release-due": {"task": "allotments.tasks.release_due", "schedule": 3600.0},
    "outbox-sweep": {
        "task": "outbox.tasks.sweep",
        "schedule": env.float("OUTBOX_SWEEP_SECONDS", default=30.0),
    },
    "operators-roll-inventory-forward": {
        "task": "operators.tasks.roll_inventory_forward",
        "schedule": crontab(hour=3, minute=0),
    },
    "process-departure-guarantees": {
        "task": "bookings.tasks.process_departure_guarantees",
        "schedule": crontab(hour=6, minute=0),
    },
    "payment-reminders": {
        "task": "payments.tasks.send_payment_reminders",
        "schedule": crontab(hour=8, minute=0),
    },
    "overdue-instalments": {
        "task": "payments.tasks.handle_overdue_instalments",
        "schedule": crontab(hour=8, minute=30),
    },
    "release-payables": {
        "task": "payments.tasks.release_payables",
        "schedule": crontab(hour=2, minute=0),
    },
    "reconcile-yesterday": {
        "task": "payments.tasks.reconcile_yesterday",
        "schedule": crontab(hour=5, minute=0),
    },
    "invoices-monthly-summaries": {
        "task": "invoices.tasks.issue_monthly_summaries",
        "schedule": crontab(day_of_month=1, hour=2, minute=0),
    },
    "webhooks-sweep": {
        "task": "webhooks.tasks.sweep",
        "schedule": env.float("WEBHOOKS_SWEEP_SECONDS", default=30.0),
    },
    "webhooks-announce-expiring-options": {
        "task": "webhooks.tasks.announce_expiring_options",
        "schedule": crontab(minute="*/15"),
    },
    "flag-packages-with-archived-products": {
        "task": "packages.tasks.packages_flag_archived_products",
        "schedule": crontab(hour=4, minute=30),
    },
}

# Transactional outbox (outbox/): a running row whose worker died is due again after the
# lease; a failed row is retried with an exponential back-off, then given up (admin).
OUTBOX_LEASE_SECONDS = env.int("OUTBOX_LEASE_SECONDS", default=300)
OUTBOX_BACKOFF_SECONDS = env.int("OUTBOX_BACKOFF_SECONDS", default=30)
OUTBOX_BACKOFF_MAX_SECONDS = env.int("OUTBOX_BACKOFF_MAX_SECONDS", default=3600)
OUTBOX_MAX_ATTEMPTS = env.int("OUTBOX_MAX_ATTEMPTS", default=12)
# Partner webhooks (webhooks/): https only and no private addresses (production); short
# timeouts so that a slow endpoint holds nothing; retries with an exponential back-off; an
# endpoint failing this many times in a row is disabled and its partner told by email.
WEBHOOKS_REQUIRE_HTTPS = env_bool("WEBHOOKS_REQUIRE_HTTPS", True)
WEBHOOKS_ALLOW_PRIVATE_HOSTS = env_bool("WEBHOOKS_ALLOW_PRIVATE_HOSTS", False)
WEBHOOKS_CONNECT_TIMEOUT_SECONDS = env.float("WEBHOOKS_CONNECT_TIMEOUT_SECONDS", default=3.0)
WEBHOOKS_READ_TIMEOUT_SECONDS = env.float("WEBHOOKS_READ_TIMEOUT_SECONDS", default=5.0)
WEBHOOKS_BACKOFF_SECONDS = env.int("WEBHOOKS_BACKOFF_SECONDS", default=30)
WEBHOOKS_BACKOFF_MAX_SECONDS = env.int("WEBHOOKS_BACKOFF_MAX_SECONDS", default=6 * 3600)
WEBHOOKS_MAX_ATTEMPTS = env.int("WEBHOOKS_MAX_ATTEMPTS", default=10)
WEBHOOKS_DISABLE_AFTER_FAILURES = env.int("WEBHOOKS_DISABLE_AFTER_FAILURES", default=20)
WEBHOOKS_OPTION_EXPIRING_HOURS = env.int("WEBHOOKS_OPTION_EXPIRING_HOURS", default=24)
# An API key's last_used_at is written at most once per this many seconds.
API_KEY_LAST_USED_RESOLUTION_SECONDS = env.int("API_KEY_LAST_USED_RESOLUTION_SECONDS", default=60)
# An Idempotency-Key "in progress" longer than this (its worker died) is taken over by a retry.
IDEMPOTENCY_LEASE_SECONDS = env.int("IDEMPOTENCY_LEASE_SECONDS", default=60)

# Stripe (or the local Stripe-compatible server started by `make run`).
STRIPE_SECRET_KEY = env.str("STRIPE_SECRET_KEY", default="sk_test_local")
STRIPE_PUBLISHABLE_KEY = env.str("STRIPE_PUBLISHABLE_KEY", default="pk_test_local")
STRIPE_WEBHOOK_SECRET = env.str("STRIPE_WEBHOOK_SECRET", default="whsec_local_piana")
STRIPE_API_BASE = env.str("STRIPE_API_BASE", default="").rstrip("/")
# Every call to Stripe is bounded: connect and read timeouts, a few retries (with Stripe's
# own idempotency keys on retried POSTs). Slow work (intent cancellation, refunds) runs from
# the outbox, never inside a lock or a release.
STRIPE_CONNECT_TIMEOUT_SECONDS = env.float("STRIPE_CONNECT_TIMEOUT_SECONDS", default=3.0)
STRIPE_TIMEOUT_SECONDS = env.float("STRIPE_TIMEOUT_SECONDS", default=15.0)
STRIPE_MAX_NETWORK_RETRIES = env.int("STRIPE_MAX_NETWORK_RETRIES", default=2)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.api.authentication.ApiKeyAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "marketplace.pagination.BoundedLimitOffsetPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "marketplace.api.exception_handler",
    # Counted in the default cache (shared by the workers where CACHE_URL is set): 429 with
    # Retry-After beyond these rates.
    # Retry-After; per API key, per signed-in user, per address (marketplace/throttling.py).
    "DEFAULT_THROTTLE_CLASSES": [
        "marketplace.throttling.AnonRateThrottle",
        "marketplace.throttling.ApiKeyRateThrottle",
        "marketplace.throttling.SessionUserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env.str("API_RATE_ANON", default="120/min"),
        "user": env.str("API_RATE_USER", default="1200/min"),
        "api_key": env.str("API_RATE_KEY", default="1200/min"),
    },
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Piana di Lucca DMC API",
    "DESCRIPTION": "Trade and operator API of the Piana di Lucca marketplace.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "OrganisationKindEnum": "accounts.models.OrganisationKind",
        "ProductKindEnum": "operators.models.ProductKind",
        "ProductStatusEnum": "operators.models.ProductStatus",
        "SlotStatusEnum": "operators.models.SlotStatus",
        "BookingStatusEnum": "bookings.models.BookingStatus",
        "LineStatusEnum": "bookings.models.LineStatus",
        "LineKindEnum": "bookings.models.LineKind",
        "PackageStatusEnum": "packages.models.PackageStatus",
        "QuoteStatusEnum": "tradeportal.models.QuoteStatus",
        "QuoteLineKindEnum": "tradeportal.models.QuoteLineKind",
    },
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "marketplace.schema.postprocess",
    ],
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # The in-memory broker of the embedded default has no host by design: not worth a warning.
        "kombu.connection": {"level": "ERROR"},
        # One line per periodic task every 30 s drowns the platform's own lines; a failed task
        # still logs at ERROR. LOG_LEVEL_TASKS=INFO brings the lines back.
        "celery.app.trace": {"level": env.str("LOG_LEVEL_TASKS", default="WARNING")},
        # WeasyPrint warns once per font per PDF ("Using fontTools instead of HarfBuzz-Subset")
        # and fontTools logs its subsetting at INFO: a flood in make run's console and the
        # benches. LOG_LEVEL_PDF=WARNING (or INFO) brings the lines back.
        "weasyprint": {"level": env.str("LOG_LEVEL_PDF", default="ERROR")},
        "fontTools": {"level": env.str("LOG_LEVEL_PDF", default="ERROR")},
    },
}

# The DMC itself, as it appears on invoices and pre-contract information.
DMC_NAME = env.str("DMC_NAME", default="Piana di Lucca DMC")
DMC_NOTIFICATION_EMAIL = env.str("DMC_NOTIFICATION_EMAIL", default="booking@pianadilucca.example")
# The DMC's bank account that pays the operators (SEPA pain.001 debtor).
DMC_IBAN = env.str("DMC_IBAN", default="IT60X0542811101000000123456")
DMC_BIC = env.str("DMC_BIC", default="BPMOIT22XXX")
PAYMENTS_GRACE_DAYS = env.int("PAYMENTS_GRACE_DAYS", default=3)
#: How many days ahead nights and slots are open for sale (the DMC's booking horizon; at
#: least two years, for group allotments: see operators/inventory.py).
INVENTORY_HORIZON_DAYS = env.int("INVENTORY_HORIZON_DAYS", default=731)
# Booking terms of operators without their own (bookings.SupplierTerms): an option ends at
# the latest this many hours before the first service; a stay's voucher may be redeemed this
# many days before the check-in (early check-in).
BOOKINGS_OPTION_CUTOFF_HOURS = env.int("BOOKINGS_OPTION_CUTOFF_HOURS", default=48)
BOOKINGS_EARLY_CHECKIN_DAYS = env.int("BOOKINGS_EARLY_CHECKIN_DAYS", default=1)
