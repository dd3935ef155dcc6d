"""Package quote and month calendar timings.

Builds (idempotently, slugs prefixed "bench-") a 5-component, 3-night package and 500 more
published products with rates and slots, next to whatever demo data the database holds, then
times `package_quote` for a 25-pax group and the month calendar.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/wt_packages \
        .venv/bin/python manage.py migrate && .venv/bin/python bench/run.py packages
"""

import statistics
import time as clock
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

START = date(2027, 5, 1)
DAYS = 92  # inventory window: May to July 2027
FILLERS = 500


def _org(slug, subkind="guide"):
    from accounts.models import Organisation
    from places.models import Comune

    org, _ = Organisation.objects.get_or_create(
        slug=slug,
        defaults={
            "name": slug.replace("-", " ").title(),
            "kind": "operator",
            "subkind": subkind,
            "comune": Comune.objects.get(name="Lucca"),
        },
    )
    return org


def _slots(products, per_day=(time(9, 0), time(15, 0)), capacity=40):
    from operators.models import Slot

    rows = []
    for product in products:
        for i in range(DAYS + 10):
            day = START + timedelta(days=i)
            for at in per_day:
                starts = timezone.make_aware(datetime.combine(day, at))
                rows.append(
                    Slot(
                        product=product,
                        date=day,
                        start_time=at,
                        starts_at=starts,
                        ends_at=starts + timedelta(hours=2),
                        capacity=capacity,
                    )
                )
    Slot.objects.bulk_create(rows, batch_size=5000, ignore_conflicts=True)


@transaction.atomic
def ensure_data():
    from operators.models import NightInventory, Product, Rate, UnitType
    from packages.models import Component, Package
    from places.models import Comune

    lucca = Comune.objects.get(name="Lucca")
    org = _org("bench-operator")
    base = {"organisation": org, "status": "published", "comune": lucca}

    existing = Product.objects.filter(slug__startswith="bench-filler-").count()
    if existing < FILLERS:
        fillers = [
            Product(
                **base,
                kind="experience",
                slug=f"bench-filler-{n}",
                title=f"Bench filler {n}",
                title_it=f"Prova {n}",
                title_en=f"Bench filler {n}",
                max_pax=40,
            )
            for n in range(existing, FILLERS)
        ]
        Product.objects.bulk_create(fillers)
        fillers = list(Product.objects.filter(slug__in=[p.slug for p in fillers]))
        Rate.objects.bulk_create(
            Rate(product=p, retail_price=Decimal("30"), net_price=Decimal("24")) for p in fillers
        )
        _slots(fillers)

    package = Package.objects.filter(slug="bench-5-components-3-nights").first()
    if package is not None:
        return package

    def product(slug, kind, **fields):
        p = Product.objects.create(
            **base, kind=kind, slug=slug, title=slug, title_it=slug, title_en=slug, **fields
        )
        return p

    tours = []
    for n, (retail, net) in enumerate((("25", "20"), ("35", "28"), ("45", "36"))):
        tour = product(f"bench-tour-{n}", "experience", max_pax=40)
        Rate.objects.create(product=tour, retail_price=Decimal(retail), net_price=Decimal(net))
        Rate.objects.create(
            product=tour,
            min_group=20,
            retail_price=Decimal(retail) - 3,
            net_price=Decimal(net) - 3,
        )
        tours.append(tour)
    bikes = product("bench-ebike", "service", pricing_unit="per_unit", max_pax=40)
    Rate.objects.create(
        product=bikes, pax_category="unit", retail_price=Decimal("35"), net_price=Decimal("28")
    )
    _slots(tours + [bikes])
    hotel = product(
        "bench-hotel", "accommodation", accommodation_category="hotel_3", vat_rate=Decimal("10")
    )
    room = UnitType.objects.create(
        product=hotel,
        name="Double room",
        name_it="Camera doppia",
        name_en="Double room",
        units=30,
        max_occupancy=3,
    )
    Rate.objects.create(
        product=hotel,
        unit_type=room,
        pax_category="unit",
        retail_price=Decimal("120"),
        net_price=Decimal("100"),
    )
    NightInventory.objects.bulk_create(
        NightInventory(unit_type=room, date=START + timedelta(days=i), units=30)
        for i in range(DAYS + 10)
    )
    package = Package.objects.create(
        slug="bench-5-components-3-nights",
        title="Bench package",
        title_it="Pacchetto di prova",
        title_en="Bench package",
        status="published",
        duration_days=4,
        duration_nights=3,
        min_pax=1,
        max_pax=40,
        valid_from=START,
        valid_until=START + timedelta(days=DAYS - 5),
        markup_value=Decimal("15"),
        rounding_step=Decimal("5"),
        free_place_every=20,
    )
    Component.objects.create(
        package=package, product=hotel, unit_type=room, quantity_rule="per_room"
    )
    for offset, tour in enumerate(tours):
        Component.objects.create(package=package, product=tour, day_offset=offset, position=1)
    Component.objects.create(package=package, product=bikes, day_offset=2, position=2)
    return package


def _time(fn, repeat):
    samples = []
    for _ in range(repeat):
        t0 = clock.perf_counter()
        result = fn()
        samples.append((clock.perf_counter() - t0) * 1000)
    return statistics.median(samples), max(samples), result


def run():
    from operators.models import Product, Slot
    from operators.pricing import PaxMix
    from packages.models import Package
    from packages.quotes import package_month_availability
    from packages.services import package_quote

    t0 = clock.perf_counter()
    ensure_data()
    print(
        f"data ready in {clock.perf_counter() - t0:.1f}s on {connection.vendor}: "
        f"{Product.objects.count()} products, {Slot.objects.count()} slots, "
        f"{Package.objects.count()} packages"
    )

    pax = PaxMix(adults=25)
    day = date(2027, 6, 5)

    def quote():
        package = Package.objects.get(slug="bench-5-components-3-nights")
        return package_quote(package=package, start_date=day, pax=pax)

    quote()  # warm up
    with CaptureQueriesContext(connection) as ctx:
        q = quote()
    median, worst, q = _time(quote, 60)
    print(
        f"quote 5 components, 3 nights, 25 pax: median {median:.1f} ms, max {worst:.1f} ms, "
        f"{len(ctx.captured_queries)} queries (incl. loading the package); "
        f"available={q.available}, total {q.retail_total}, per person {q.per_person}, "
        f"free places {q.free_places}"
    )

    def calendar():
        package = Package.objects.get(slug="bench-5-components-3-nights")
        return package_month_availability(package, month=date(2027, 6, 1), pax=pax)

    calendar()
    with CaptureQueriesContext(connection) as ctx:
        calendar()
    median, worst, days = _time(calendar, 15)
    print(
        f"month calendar (30 start dates): median {median:.1f} ms, max {worst:.1f} ms, "
        f"{len(ctx.captured_queries)} queries; {sum(d.available for d in days)} dates available"
    )

    for slug in ("puccini-and-the-walls-of-lucca", "montecarlo-wine-and-olive-oil-weekend"):
        demo = Package.objects.filter(slug=slug).first()
        if demo is None:
            print(f"demo package {slug} not in this database (run seed_demo after the merge)")
            continue
        start = demo.departures.order_by("date").values_list("date", flat=True).first()
        start = start or demo.valid_from
        median, worst, q = _time(
            lambda d=demo, s=start: package_quote(package=d, start_date=s, pax=PaxMix(adults=4)),
            30,
        )
        print(f"demo quote {slug}: median {median:.1f} ms (available={q.available})")
