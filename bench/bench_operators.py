"""Availability search benchmark: 500 and 5,000 published products with a year of daily slots
and nightly inventory, 7-day searches with filters, in-process and through the API, and the
growth from the smaller catalogue to the larger one (issue 16's targets: p50 <= 15 ms and
p95 <= 40 ms at 500 products on a quiet machine; from 500 to 5,000 products p50 x <= 1.3,
p95 x <= 1.5 and no search over 200 ms).

The search reading the counters instead of the read model (the reference the read model is
checked against) is measured on the first size only: at 5,000 products single searches of
that path take seconds. BENCH_COUNTERS=all measures it at every size.

It builds its own data set in a separate database next to the one DATABASE_URL names
(`<name>_bench`, or a temporary SQLite file) and drops it afterwards: the demo data and the
dev database are never touched.

Run (PostgreSQL, as the targets are meant):
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/wt_operators \
        .venv/bin/python bench/run.py operators
"""

from __future__ import annotations

import gc
import os
import random
import statistics
import time as clock
from datetime import datetime, time, timedelta
from decimal import Decimal

# The growth of a search with the catalogue; BENCH_SEARCH_SIZES=50,100 for a quick look.
SIZES = tuple(int(n) for n in os.environ.get("BENCH_SEARCH_SIZES", "500,5000").split(","))
N_SEARCHES = 200
N_API_CALLS = 100
DAYS = 366
SEED = 20261125


def _percentile(values, p):
    values = sorted(values)
    k = max(0, min(len(values) - 1, round(p / 100 * (len(values) - 1))))
    return values[k]


def _build(rng: random.Random, n_products: int) -> dict:
    from django.db import connection
    from django.utils import timezone

    from accounts.models import Organisation
    from accounts.services import api_key_create
    from operators.models import (
        GoodsStock,
        Language,
        NightInventory,
        Product,
        Rate,
        Slot,
        Theme,
        UnitType,
    )
    from places.services import comuni_ensure_piana

    comuni = comuni_ensure_piana()
    themes = list(Theme.objects.all())
    languages = list(Language.objects.all())
    operators = Organisation.objects.bulk_create(
        [
            Organisation(name=f"Bench operator {i}", slug=f"bench-op-{i}", kind="operator")
            for i in range(50)
        ]
    )
    trade = Organisation.objects.create(
        name="Bench trade", slug="bench-trade", kind="trade", subkind="tour_operator"
    )
    _key, raw_key = api_key_create(organisation=trade, name="bench")

    share = n_products / 500
    kinds = (
        ["experience"] * round(240 * share)
        + ["service"] * round(80 * share)
        + ["accommodation"] * round(130 * share)
        + ["goods"] * round(50 * share)
    )
    rng.shuffle(kinds)
    products = []
    for i, kind in enumerate(kinds[:n_products]):
        per_unit = kind == "service" and i % 2 == 0
        products.append(
            Product(
                organisation=operators[i % len(operators)],
                kind=kind,
                status="published",
                slug=f"bench-product-{i}",
                title=f"Prodotto {i}",
                title_it=f"Prodotto {i} {rng.choice(['mura', 'vino', 'olio', 'carta', 'bici'])}",
                title_en=f"Product {i} {rng.choice(['walls', 'wine', 'oil', 'paper', 'bike'])}",
                summary_it="Esperienza nella Piana di Lucca",
                summary_en="An experience in the Piana di Lucca",
                comune=comuni[i % len(comuni)],
                pricing_unit="per_unit" if per_unit else "per_person",
                max_pax=(8 if per_unit else 30) if kind in ("experience", "service") else None,
                accommodation_category="hotel_3" if kind == "accommodation" else "",
                fulfilment="pickup" if kind == "goods" else "",
                vat_rate=Decimal("10.00") if kind == "accommodation" else Decimal("22.00"),
                duration_minutes=120,
            )
        )
    products = Product.objects.bulk_create(products)
    through_t, through_l = Product.themes.through, Product.languages.through
    through_t.objects.bulk_create(
        [through_t(product_id=p.pk, theme_id=t.pk) for p in products for t in rng.sample(themes, 2)]
    )
    through_l.objects.bulk_create(
        [
            through_l(product_id=p.pk, language_id=lang.pk)
            for p in products
            for lang in languages[:2] + rng.sample(languages[2:], 1)
        ]
    )

    today = timezone.localdate()
    rates, slots, unit_types, stocks = [], [], [], []
    for i, p in enumerate(products):
        price = Decimal(rng.randrange(10, 150))
        if p.kind == "accommodation":
            unit_types += [
                UnitType(
                    product=p,
                    name="Double room",
                    name_it="Camera doppia",
                    name_en="Double room",
                    standard_occupancy=2,
                    max_occupancy=3,
                    max_children=1,
                    units=rng.randrange(2, 15),
                ),
                UnitType(
                    product=p,
                    name="Apartment",
                    name_it="Appartamento",
                    name_en="Apartment",
                    standard_occupancy=2,
                    max_occupancy=4,
                    max_children=2,
                    units=rng.randrange(1, 4),
                    min_stay=2,
                ),
            ]
            continue
        category = "unit" if p.pricing_unit == "per_unit" or p.kind == "goods" else "adult"
        rates.append(
            Rate(product=p, pax_category=category, retail_price=price, net_price=price * 8 / 10)
        )
        if category == "adult":
            rates.append(
                Rate(
                    product=p,
                    pax_category="child",
                    age_min=4,
                    age_max=12,
                    retail_price=price / 2,
                    net_price=price * 4 / 10,
                )
            )
        if p.kind == "goods":
            stocks.append(GoodsStock(product=p, quantity=rng.randrange(0, 100)))
            continue
        starts = [time(10, 0)] + ([time(15, 0)] if i % 3 == 0 else [])
        capacity = rng.randrange(6, 30)
        for d in range(DAYS):
            day = today + timedelta(days=d)
            for at in starts:
                starts_at = timezone.make_aware(datetime.combine(day, at))
                sold = min(capacity, int(rng.expovariate(1 / (capacity / 3))))
                slots.append(
                    Slot(
                        product=p,
                        date=day,
                        start_time=at,
                        starts_at=starts_at,
                        ends_at=starts_at + timedelta(hours=2),
                        capacity=capacity,
                        sold=sold,
                        status="closed" if rng.random() < 0.03 else "open",
                    )
                )
    Rate.objects.bulk_create(rates, batch_size=5000)
    GoodsStock.objects.bulk_create(stocks)
    Slot.objects.bulk_create(slots, batch_size=5000)
    unit_types = UnitType.objects.bulk_create(unit_types)
    nights, unit_rates = [], []
    for u in unit_types:
        price = Decimal(rng.randrange(60, 250))
        unit_rates.append(
            Rate(
                product_id=u.product_id,
                unit_type=u,
                pax_category="unit",
                retail_price=price,
                net_price=price * 85 / 100,
            )
        )
        for d in range(DAYS):
            day = today + timedelta(days=d)
            nights.append(
                NightInventory(
                    unit_type=u,
                    date=day,
                    units=u.units,
                    sold=min(u.units, int(rng.expovariate(1 / max(u.units / 3, 1)))),
                    closed_to_arrival=day.isoweekday() == 7 and rng.random() < 0.5,
                    min_stay=2 if day.isoweekday() in (5, 6) and rng.random() < 0.3 else None,
                )
            )
    Rate.objects.bulk_create(unit_rates, batch_size=5000)
    NightInventory.objects.bulk_create(nights, batch_size=5000)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return {
        "slots": len(slots),
        "nights": len(nights),
        "products": len(products),
        "api_key": raw_key,
        "themes": [t.slug for t in themes],
        "languages": [lang.code for lang in languages[:4]],
        "comuni": [c.istat_code for c in comuni],
    }


def _criteria(rng: random.Random, data: dict):
    from django.utils import timezone

    from operators.pricing import PaxMix
    from operators.selectors import SearchCriteria

    start = timezone.localdate() + timedelta(days=rng.randrange(1, 300))
    children = tuple(rng.choice([[], [], [8], [5, 10]]))
    filters = {}
    roll = rng.random()
    filters["comune"] = rng.choice(data["comuni"]) if roll < 0.6 else None
    filters["kind"] = rng.choice(["experience", "accommodation", "service", None, None])
    filters["theme"] = rng.choice(data["themes"]) if rng.random() < 0.4 else None
    filters["language"] = rng.choice(data["languages"]) if rng.random() < 0.3 else None
    if rng.random() < 0.3:
        filters["max_price"] = Decimal(rng.randrange(40, 200))
    if rng.random() < 0.1:
        filters["q"] = rng.choice(["wine", "mura", "bike"])
    return SearchCriteria(
        start=start,
        end=start + timedelta(days=6),
        pax=PaxMix.of(adults=rng.choice([1, 2, 2, 4]), children_ages=children),
        **filters,
    )


def _query_string(c) -> str:
    parts = [f"start={c.start}", f"end={c.end}", f"adults={c.pax.adults}"]
    if c.pax.children_ages:
        parts.append("children_ages=" + ",".join(str(a) for a in c.pax.children_ages))
    for key in ("comune", "kind", "theme", "language", "max_price", "q"):
        value = getattr(c, key)
        if value:
            parts.append(f"{key}={value}")
    return "&".join(parts)


EXPLAINED = {
    "7 days, 2 adults, no filter": {},
    "7 days, 2 adults, one comune": {"comune": 0},
    "7 days, 2 adults, stays": {"kind": "accommodation"},
    "7 days, 2 adults, experiences up to 40 EUR": {"kind": "experience", "max_price": 40},
    "7 days, 2 adults, theme and language": {"theme": 0, "language": 0},
    "7 days, 2 adults, stays in one comune": {"comune": 0, "kind": "accommodation"},
    "7 days, 2 adults, services in one comune, language": {
        "comune": 1,
        "kind": "service",
        "language": 1,
    },
    "7 days, 2 adults, one comune, sorted by price (storefront)": {"comune": 2, "sort": "price"},
}


def _explain(data: dict, label: str) -> str:
    """EXPLAIN ANALYZE of the page's ids query for the main filters."""
    from django.db import connection
    from django.utils import timezone

    from operators.pricing import PaxMix
    from operators.selectors import SearchCriteria, availability_search

    start = timezone.localdate() + timedelta(days=30)
    out = [f"### {label}\n"]
    for title, raw in EXPLAINED.items():
        filters = {}
        pools = {"comune": data["comuni"], "theme": data["themes"], "language": data["languages"]}
        sort = raw.get("sort")
        for key, value in raw.items():
            if key != "sort":
                filters[key] = pools[key][value] if key in pools else value
        criteria = SearchCriteria(
            start=start, end=start + timedelta(days=6), pax=PaxMix.of(adults=2), **filters
        )
        # the first query of a search page (selectors.search_page): the ids of the page
        queryset = availability_search(criteria=criteria)
        if sort:  # as the storefront's sort (portal.filters): the column, ties by id
            queryset = queryset.order_by(f"from_{sort}", "pk")
        queryset = queryset.values_list("pk", flat=True)[:21]
        sql, params = queryset.query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) " + sql, params)
            plan = "\n".join(row[0] for row in cursor.fetchall())
        out.append(f"#### {title}\n\n```\n{plan}\n```\n")
    return "\n".join(out)


def _modes(size: int):
    """The search with its read model and reading the counters directly (PostgreSQL), so the
    two are compared in the same run on the same data (the counters on the first size only,
    unless BENCH_COUNTERS=all)."""
    from django.db import connection

    from operators import readmodel

    if connection.vendor != "postgresql":
        return [("counters", readmodel.enabled)]
    original = readmodel.enabled
    modes = [("read model", original)]
    if size == SIZES[0] or os.environ.get("BENCH_COUNTERS") == "all":
        modes.append(("counters", lambda: False))
    return modes


def _measure(data: dict) -> tuple:
    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from operators.selectors import availability_search_page

    rng = random.Random(SEED)
    for _ in range(5):  # warm up caches and plans
        availability_search_page(criteria=_criteria(rng, data), limit=20)
    times, query_counts, result_counts, totals = [], [], [], []
    for _ in range(N_SEARCHES):
        criteria = _criteria(rng, data)
        reset_queries()  # a full query log (9,000 entries) would capture nothing: "0-0 queries"
        with CaptureQueriesContext(connection) as ctx:
            started = clock.perf_counter()
            total, results = availability_search_page(criteria=criteria, limit=20)
            times.append((clock.perf_counter() - started) * 1000)
        query_counts.append(len(ctx.captured_queries))
        result_counts.append(len(results))
        totals.append(total)
    reset_queries()

    client = Client()
    headers = {"HTTP_AUTHORIZATION": f"Bearer {data['api_key']}"}
    api_times, api_queries = [], []
    for i in range(N_API_CALLS + 5):
        url = "/api/v1/availability/?" + _query_string(_criteria(rng, data))
        reset_queries()
        with CaptureQueriesContext(connection) as ctx:
            started = clock.perf_counter()
            response = client.get(url, **headers)
            elapsed = (clock.perf_counter() - started) * 1000
        assert response.status_code == 200, response.content[:300]
        if i >= 5:
            api_times.append(elapsed)
            api_queries.append(len(ctx.captured_queries))
    reset_queries()

    print(
        f"database: {connection.vendor}; {data['products']} published products, "
        f"{data['slots']} slots, {data['nights']} nights (a year ahead)"
    )
    print(
        f"selector, 7-day window with filters, page of 20 priced ({N_SEARCHES} searches): "
        f"median {statistics.median(times):.1f} ms, p95 {_percentile(times, 95):.1f} ms, "
        f"max {max(times):.1f} ms  (target at 500 products, quiet machine: "
        "median <= 15 ms, p95 <= 40 ms)"
    )
    print(
        f"queries per search: {min(query_counts)}-{max(query_counts)}, never more than "
        f"{max(query_counts)} whatever the result size (matching products per search "
        f"{min(totals)}-{max(totals)}, {sum(t == 20 for t in totals)} at 20, which means "
        "20 or more: nothing is counted beyond the page; "
        f"priced on the page {min(result_counts)}-{max(result_counts)})"
    )
    print(
        f"API GET /api/v1/availability/ ({N_API_CALLS} calls, in-process test client): "
        f"median {statistics.median(api_times):.1f} ms, p95 {_percentile(api_times, 95):.1f} ms, "
        f"{min(api_queries)}-{max(api_queries)} queries per call"
    )
    return statistics.median(times), _percentile(times, 95), max(times), times, result_counts


def run() -> None:
    from django.db import connection

    settings_dict = connection.settings_dict
    original = settings_dict["NAME"]
    bench_name = (
        f"{original}_bench" if connection.vendor == "postgresql" else "file:benchdb?mode=memory"
    )
    settings_dict.setdefault("TEST", {})["NAME"] = bench_name
    figures = {}
    print(
        "load average (1, 5, 15 min) at the start: "
        + ", ".join(f"{x:.2f}" for x in os.getloadavg())
    )
    for size in SIZES:
        started = clock.perf_counter()
        connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
        try:
            data = _build(random.Random(SEED), size)
            # As a gunicorn worker does once the application is loaded (deploy/gunicorn.conf.py
            # post_worker_init): what exists now is frozen out of the garbage collector, so a
            # full collection during a search walks what the searches made (80-130 ms each
            # time it ran otherwise, twice in 200 searches, whatever the catalogue).
            gc.collect()
            gc.freeze()
            print(
                f"built the data set of {size} products in {clock.perf_counter() - started:.0f} s"
            )
            from operators import readmodel

            original = readmodel.enabled
            explain = os.environ.get("BENCH_EXPLAIN")
            plans = []
            try:
                for label, enabled in _modes(size):
                    readmodel.enabled = enabled
                    print(f"-- the search reading the {label}:")
                    figures.setdefault(label, {})[size] = _measure(data)
                    if explain:
                        plans.append(_explain(data, f"{size} products, reading the {label}"))
            finally:
                readmodel.enabled = original
            if size in figures.get("counters", {}) and size in figures.get("read model", {}):
                fast, slow = figures["read model"][size], figures["counters"][size]
                print(
                    f"read model / counters, same data, same run: median x{fast[0] / slow[0]:.2f},"
                    f" p95 x{fast[1] / slow[1]:.2f}"
                )
            if explain:
                with open(explain, "a") as handle:
                    handle.write("\n".join(plans) + "\n")
                print(f"EXPLAIN plans appended to {explain}")
        finally:
            connection.creation.destroy_test_db(original, verbosity=0)
    for label, by_size in figures.items():
        if len(SIZES) < 2 or SIZES[0] not in by_size or SIZES[-1] not in by_size:
            continue
        small, large = by_size[SIZES[0]], by_size[SIZES[-1]]
        print(
            f"growth {SIZES[0]} -> {SIZES[-1]} products, reading the {label}: "
            f"median x{large[0] / small[0]:.2f}, p95 x{large[1] / small[1]:.2f}, "
            f"slowest search {large[2]:.0f} ms "
            "(targets: median x <= 1.3, p95 x <= 1.5, no search over 200 ms)"
        )
        # The same searches at both sizes: the smaller catalogue often fills only part of the
        # page (fewer options to price), so the like-for-like growth is over the searches
        # whose page is full at both sizes.
        full = [i for i, (a, b) in enumerate(zip(small[4], large[4], strict=True)) if a == b == 20]
        if full:
            before = statistics.median(small[3][i] for i in full)
            after = statistics.median(large[3][i] for i in full)
            print(
                f"  the {len(full)} searches with a full page of 20 at both sizes: median "
                f"{before:.1f} -> {after:.1f} ms, x{after / before:.2f}"
            )
    print(
        "load average (1, 5, 15 min) at the end: " + ", ".join(f"{x:.2f}" for x in os.getloadavg())
    )
