import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import override_settings

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.django_db


def test_healthz_reports_database_and_broker(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["broker"]["ok"] is True
    assert body["checks"]["cache"]["ok"] is True


@override_settings(
    CACHES={
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
)
def test_healthz_is_503_when_the_shared_cache_is_down(client):
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["cache"]["ok"] is False


@override_settings(CELERY_TASK_ALWAYS_EAGER=False, CELERY_BROKER_URL="redis://127.0.0.1:1/0")
def test_healthz_is_503_when_the_broker_is_down(client):
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["broker"]["ok"] is False


def test_openapi_schema_and_docs_are_served(client):
    schema = client.get("/api/schema/")
    assert schema.status_code == 200
    assert b"/api/v1/organisations/" in schema.content
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    assert b"swagger-ui" in docs.content
    assert b"cdn.jsdelivr" not in docs.content


@pytest.mark.parametrize(
    ("language", "text"),
    [("it", "Sei comuni, una destinazione"), ("en", "Six comuni, one destination")],
)
def test_public_pages_have_language_prefixes(client, language, text):
    response = client.get(f"/{language}/")
    assert response.status_code == 200
    assert text in response.content.decode()
    assert f'lang="{language}"' in response.content.decode()


def test_unprefixed_root_redirects_to_a_language(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response.url in ("/it/", "/en/")


def test_static_files_are_served_by_whitenoise():
    from django.conf import settings

    assert "whitenoise.middleware.WhiteNoiseMiddleware" in settings.MIDDLEWARE


def _run_settings(env_extra, code="import django; django.setup()"):
    env = {k: v for k, v in os.environ.items() if k != "LOG_LEVEL_PDF"}
    env.update(env_extra, DJANGO_SETTINGS_MODULE="marketplace.settings.dev")
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_an_unknown_setting_value_fails_at_start_naming_the_variable():
    result = _run_settings({"ACCOUNT_EMAIL_VERIFICATION": "sometimes"})
    assert result.returncode != 0
    assert "ACCOUNT_EMAIL_VERIFICATION" in result.stderr


def test_a_non_boolean_flag_fails_at_start_naming_the_variable():
    result = _run_settings({"DJANGO_DEBUG": "perhaps"})
    assert result.returncode != 0
    assert "DJANGO_DEBUG" in result.stderr


def test_production_settings_refuse_the_development_secret():
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "marketplace.settings.production"}
    env.pop("DJANGO_SECRET_KEY", None)
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_every_scheduled_task_is_registered():
    from django.conf import settings

    from marketplace.celery import app

    app.loader.import_default_modules()
    for name, entry in settings.CELERY_BEAT_SCHEDULE.items():
        assert entry["task"] in app.tasks, name


_PDF_LOG_LINES = (
    "import logging, django; django.setup(); "
    "logging.getLogger('weasyprint').warning('Using fontTools instead of HarfBuzz-Subset'); "
    "logging.getLogger('fontTools.subset').info('subsetting glyphs'); "
    "logging.getLogger('weasyprint').error('the PDF failed')"
)


def test_the_pdf_library_s_warnings_are_quiet_by_default_and_its_errors_are_not():
    result = _run_settings({}, _PDF_LOG_LINES)
    assert result.returncode == 0, result.stderr
    assert "HarfBuzz-Subset" not in result.stderr
    assert "subsetting glyphs" not in result.stderr
    assert "the PDF failed" in result.stderr


def test_log_level_pdf_brings_the_pdf_library_s_lines_back():
    result = _run_settings({"LOG_LEVEL_PDF": "INFO"}, _PDF_LOG_LINES)
    assert result.returncode == 0, result.stderr
    assert "HarfBuzz-Subset" in result.stderr
    assert "subsetting glyphs" in result.stderr
