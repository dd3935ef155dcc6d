"""Public portal pages with the demo data (plus `PORTAL_BENCH_EXTRA` cloned products, default
500): median server time and queries per page, through Django's test client in a throw-away
test database. Usage: python bench/run.py portal"""

import os
import statistics
import time as clock

PAGES = [
    ("home", "/en/"),
    ("comune", "/en/comuni/capannori/"),
    ("story", "/en/stories/quercia-delle-streghe/"),
    ("catalogue", "/en/discover/?adults=2"),
    ("product", "/en/discover/lucca-walls-guided-tour/"),
    ("itinerary", "/en/itineraries/walls-villas-paper/"),
]
ROUNDS = 15


def _extra_products(count: int) -> None:
    """Clone published products (with their rates and themes) so the catalogue has `count`
    more listings to search."""
    from operators.models import Product, ProductStatus, Rate

    sources = list(Product.objects.filter(status=ProductStatus.PUBLISHED).order_by("pk"))
    for n in range(count):
        src = sources[n % len(sources)]
        rates = list(Rate.objects.filter(product=src, unit_type__isnull=True))
        themes = list(src.themes.all())
        clone = Product.objects.get(pk=src.pk)
        clone.pk = None
        clone.slug = f"{src.slug}-bench-{n}"
        clone.ical_token = ""
        clone.save()
        clone.themes.set(themes)
        for rate in rates:
            rate.pk = None
            rate.product = clone
            rate.save()


def _measure() -> None:
    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import override_settings

    client = Client()
    print("load average before: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    with override_settings(DEBUG=True, ALLOWED_HOSTS=["testserver"]):
        for name, url in PAGES:
            times, queries = [], []
            for _ in range(ROUNDS):
                reset_queries()
                started = clock.perf_counter()
                response = client.get(url)
                times.append((clock.perf_counter() - started) * 1000)
                queries.append(len(connection.queries))
                assert response.status_code == 200, (url, response.status_code)
            print(
                f"{name:<10} median {statistics.median(times):6.1f} ms  "
                f"p90 {sorted(times)[int(ROUNDS * 0.9) - 1]:6.1f} ms  queries {queries[-1]}"
            )
    print("load average after: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))


def run() -> None:
    from django.core.management import call_command
    from django.db import connection

    settings_dict = connection.settings_dict
    original = settings_dict["NAME"]
    bench_name = (
        f"{original}_bench" if connection.vendor == "postgresql" else "file:portalbench?mode=memory"
    )
    from bench._benchdb import fresh_bench_database

    fresh_bench_database(connection, bench_name)
    try:
        started = clock.perf_counter()
        with open(os.devnull, "w") as quiet:
            call_command("seed_demo", "--quiet-logins", stdout=quiet)
        extra = int(os.environ.get("PORTAL_BENCH_EXTRA", "500"))
        _extra_products(extra)
        print(f"demo data plus {extra} products in {clock.perf_counter() - started:.0f} s")
        _measure()
    finally:
        connection.creation.destroy_test_db(original, verbosity=0)
