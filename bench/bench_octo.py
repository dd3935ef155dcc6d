"""OCTO availability/calendar for one product over 30 days (target: under 50 ms median), with
the octo/pricing capability (the partner's prices on every day and unit) and without, through
the whole HTTP stack in-process (Django's test client: authentication, JSON, middleware), plus
the queries one request runs.

It builds one experience (3 slots a day for 30 days, adult/child/senior rates) and a trade
partner with a key in the database named by DATABASE_URL, inside a transaction that is rolled
back at the end: nothing stays behind. Never fails: it prints figures.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/octo .venv/bin/python bench/run.py octo
"""

from __future__ import annotations

import json
import os
import statistics
import time as clock
from datetime import datetime, time, timedelta
from decimal import Decimal

N_CALLS = 200
DAYS = 30
TARGET_MS = 50


class _Rollback(Exception):
    pass


def _build():
    from django.utils import timezone

    from accounts.models import Organisation
    from accounts.services import api_key_create
    from bookings.models import TradeContract
    from operators.models import Product, Rate, Slot
    from places.services import comuni_ensure_piana

    lucca = next(c for c in comuni_ensure_piana() if c.name == "Lucca")
    stamp = clock.time_ns()
    operator = Organisation.objects.create(
        name=f"Bench OCTO operator {stamp}", slug=f"bench-octo-op-{stamp}", kind="operator"
    )
    partner = Organisation.objects.create(
        name=f"Bench OCTO partner {stamp}", slug=f"bench-octo-tp-{stamp}", kind="trade"
    )
    TradeContract.objects.create(organisation=partner, on_account=True, credit_limit=10000)
    _key, raw = api_key_create(organisation=partner, name="bench octo")
    product = Product.objects.create(
        organisation=operator,
        kind="experience",
        status="published",
        title="Bench OCTO tour",
        title_it="Bench OCTO tour",
        title_en="Bench OCTO tour",
        slug=f"bench-octo-{stamp}",
        comune=lucca,
        max_pax=30,
    )
    Rate.objects.bulk_create(
        [
            Rate(product=product, retail_price=Decimal("30"), net_price=Decimal("24")),
            Rate(
                product=product,
                pax_category="senior",
                retail_price=Decimal("25"),
                net_price=Decimal("20"),
            ),
            Rate(
                product=product,
                pax_category="child",
                age_min=6,
                age_max=11,
                retail_price=Decimal("15"),
                net_price=Decimal("12"),
            ),
        ]
    )
    today = timezone.localdate()
    slots = []
    for d in range(DAYS + 1):
        day = today + timedelta(days=d)
        for hour in (10, 14, 17):
            starts = timezone.make_aware(datetime.combine(day, time(hour)))
            slots.append(
                Slot(
                    product=product,
                    date=day,
                    start_time=time(hour),
                    starts_at=starts,
                    ends_at=starts + timedelta(hours=2),
                    capacity=20,
                    sold=(d * hour) % 21,
                )
            )
    Slot.objects.bulk_create(slots)
    return product, raw, today


def _measure(client, body, headers) -> tuple[list[float], int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    payload = json.dumps(body)
    for _ in range(5):  # warm-up
        client.post("/octo/availability/calendar", payload, "application/json", **headers)
    timings, cpu = [], []
    for _ in range(N_CALLS):
        start, start_cpu = clock.perf_counter(), clock.process_time()
        response = client.post(
            "/octo/availability/calendar", payload, "application/json", **headers
        )
        timings.append((clock.perf_counter() - start) * 1000)
        cpu.append((clock.process_time() - start_cpu) * 1000)
        assert response.status_code == 200, response.content[:300]
    with CaptureQueriesContext(connection) as queries:
        client.post("/octo/availability/calendar", payload, "application/json", **headers)
    return timings, cpu, len(queries)


def _report(label, timings, cpu, queries):
    timings = sorted(timings)
    median = statistics.median(timings)
    p95 = timings[int(len(timings) * 0.95) - 1]
    verdict = "OK" if median < TARGET_MS else "OVER TARGET"
    print(
        f"  {label:<48} median {median:6.1f} ms   p95 {p95:6.1f} ms   "
        f"(CPU of this process {statistics.median(cpu):5.1f} ms)   {queries} queries   "
        f"[{verdict}: target < {TARGET_MS} ms median]"
    )


def run():
    from django.db import connection, transaction
    from django.test import Client

    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(
        f"OCTO POST /octo/availability/calendar, one product, {DAYS} days, 3 slots a day, "
        f"{N_CALLS} calls each ({connection.vendor}, {os.cpu_count()} CPUs, "
        f"load average {load:.1f})"
    )
    try:
        with transaction.atomic():
            product, raw, today = _build()
            client = Client()
            body = {
                "productId": product.slug,
                "optionId": "DEFAULT",
                "localDateStart": today.isoformat(),
                "localDateEnd": (today + timedelta(days=DAYS - 1)).isoformat(),
            }
            auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
            priced = {**auth, "HTTP_OCTO_CAPABILITIES": "octo/pricing"}
            _report("with octo/pricing", *_measure(client, body, priced))
            _report("without capabilities", *_measure(client, body, auth))
            party = {
                **body,
                "units": [{"id": "adult", "quantity": 2}, {"id": "child_6_11", "quantity": 1}],
            }
            _report(
                "with octo/pricing and units (2 adults, 1 child)", *_measure(client, party, priced)
            )
            raise _Rollback
    except _Rollback:
        pass
