#!/usr/bin/env bash
# Starts the production server (gunicorn, production settings, PostgreSQL) on a fresh database
# with the demo data, and checks /healthz and one API call with the demo key.
set -euo pipefail
cd "$(dirname "$0")/.."

export DJANGO_SETTINGS_MODULE=marketplace.settings.production
export DJANGO_SECRET_KEY="${DJANGO_SECRET_KEY:-ci-smoke-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz}"
export DJANGO_ALLOWED_HOSTS=127.0.0.1
export DJANGO_SECURE_SSL_REDIRECT=false
export LOG_LEVEL=WARNING
db_name=marketplace_smoke
export DATABASE_URL="postgres://postgres@127.0.0.1:5432/${db_name}"
export CELERY_BROKER_URL="${CELERY_BROKER_URL:-redis://127.0.0.1:6379/0}"

dropdb -h 127.0.0.1 -U postgres --if-exists "${db_name}"
createdb -h 127.0.0.1 -U postgres "${db_name}"
.venv/bin/python manage.py migrate --noinput >/dev/null
.venv/bin/python manage.py seed_demo >/dev/null
.venv/bin/python manage.py collectstatic --noinput >/dev/null

port=$(.venv/bin/python -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
.venv/bin/gunicorn -c deploy/gunicorn.conf.py marketplace.wsgi --bind "127.0.0.1:${port}" --workers 2 &
server=$!
trap 'kill ${server} 2>/dev/null || true; wait ${server} 2>/dev/null || true' EXIT

base="http://127.0.0.1:${port}"
for _ in $(seq 1 60); do
  curl -fsS "${base}/healthz" >/dev/null 2>&1 && break
  sleep 0.5
done
echo "healthz: $(curl -fsS "${base}/healthz")"
key="pdl_demo0001_TuscanyDiscoveryToursDemoKeyDoNotUseInProduction"
count=$(curl -fsS -H "Authorization: Bearer ${key}" "${base}/api/v1/products/?limit=5" \
  | .venv/bin/python -c 'import json, sys; body = json.load(sys.stdin); print(body["count"])')
test "${count}" -gt 0
echo "API: ${count} products for the demo partner"
curl -fsS -o /dev/null "${base}/static/css/app.css"
echo "static files: served by WhiteNoise"
echo "production smoke test passed"
