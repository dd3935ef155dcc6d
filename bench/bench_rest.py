"""REST availability benchmark: GET /api/v1/availability/ for a trade partner's API key, all
50 products of a catalogue over a 7-day window in one page (target: median < 150 ms), with
the per-key throttle and the partner-language middleware in the path, as a partner calls it.

It builds its data set (bench_operators' builder, 50 products, a year of slots and nights) in
a separate database (`<name>_bench`, or SQLite in memory) and drops it afterwards.

Run (PostgreSQL, as the target is meant):
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/webhooks .venv/bin/python bench/run.py rest
"""

from __future__ import annotations

import importlib.util
import random
import statistics
import time as clock
from datetime import timedelta
from pathlib import Path

N_PRODUCTS = 50
N_CALLS = 60
SEED = 20261202


def _operators_bench():
    path = Path(__file__).with_name("bench_operators.py")
    spec = importlib.util.spec_from_file_location("bench_operators_builder", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _measure(data: dict) -> None:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    builder = _operators_bench()
    rng = random.Random(SEED)
    client = Client()
    headers = {"HTTP_AUTHORIZATION": f"Bearer {data['api_key']}", "HTTP_ACCEPT_LANGUAGE": "de"}
    times, sizes, queries = [], [], []
    for i in range(N_CALLS + 5):
        start = timezone.localdate() + timedelta(days=rng.randrange(1, 300))
        end = start + timedelta(days=6)
        url = (
            f"/api/v1/availability/?start={start}&end={end}&adults={rng.choice([2, 4, 25])}"
            f"&limit={N_PRODUCTS}"
        )
        with CaptureQueriesContext(connection) as ctx:
            started = clock.perf_counter()
            response = client.get(url, **headers)
            elapsed = (clock.perf_counter() - started) * 1000
        assert response.status_code == 200, response.content[:300]
        if i >= 5:  # warm-up
            times.append(elapsed)
            sizes.append(len(response.json()["results"]))
            queries.append(len(ctx.captured_queries))
    print(
        f"database: {connection.vendor}; {data['products']} published products, "
        f"{data['slots']} slots, {data['nights']} nights"
    )
    print(
        f"REST GET /api/v1/availability/ 7 days, up to {N_PRODUCTS} products a page "
        f"({N_CALLS} calls, trade API key, in-process client): "
        f"median {statistics.median(times):.1f} ms, p95 {builder._percentile(times, 95):.1f} ms, "
        f"max {max(times):.1f} ms  (target: median < 150 ms)"
    )
    print(
        f"products per answer {min(sizes)}-{max(sizes)}, "
        f"queries per call {min(queries)}-{max(queries)}"
    )


def run() -> None:
    from django.db import connection

    builder = _operators_bench()
    settings_dict = connection.settings_dict
    original = settings_dict["NAME"]
    bench_name = (
        f"{original}_bench" if connection.vendor == "postgresql" else "file:benchdb?mode=memory"
    )
    started = clock.perf_counter()
    from bench._benchdb import fresh_bench_database

    fresh_bench_database(connection, bench_name)
    try:
        data = builder._build(random.Random(SEED), N_PRODUCTS)
        print(f"built {N_PRODUCTS} products in {clock.perf_counter() - started:.0f} s")
        _measure(data)
    finally:
        connection.creation.destroy_test_db(original, verbosity=0)
