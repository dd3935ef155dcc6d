"""Gunicorn settings for production: `gunicorn -c deploy/gunicorn.conf.py marketplace.wsgi`.

Every value can be overridden from the environment (12-factor); the defaults suit a small
machine behind a load balancer that terminates TLS."""

import gc
import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", f"0.0.0.0:{os.environ.get('PORT', '8000')}")
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2))
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "sync")
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 20
keepalive = 5
# Recycle workers now and then so that a slow leak never grows without bound.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "2000"))
max_requests_jitter = 200
# Requests are logged by the application as JSON; gunicorn's own access log stays off.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
proxy_allow_ips = forwarded_allow_ips


def post_worker_init(worker):
    """Once the worker has loaded the application, move what it imported into Python's
    permanent generation: a full garbage collection then walks only what requests made,
    not the 170k objects of Django and the apps (80-130 ms each time it ran during a search,
    bench/bench_operators.py)."""
    gc.freeze()
