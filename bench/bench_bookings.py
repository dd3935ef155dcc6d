"""Booking engine throughput: holds per second with 8 concurrent clients on one hot slot and
spread over 100 slots (PostgreSQL: set DATABASE_URL), and voucher PDF rendering time.

It creates its own products in the database named by DATABASE_URL and deletes them after."""

import statistics
import threading
import time
from datetime import time as dtime
from datetime import timedelta
from decimal import Decimal

CLIENTS = 8


def _setup(n_slots: int, capacity: int):
    from django.utils import timezone

    from accounts.models import Organisation
    from operators.models import Product, Rate, Slot
    from places.services import comuni_ensure_piana

    lucca = next(c for c in comuni_ensure_piana() if c.name == "Lucca")
    org, _ = Organisation.objects.get_or_create(
        slug="bench-bookings-operator",
        defaults={"name": "Bench bookings operator", "kind": "operator", "subkind": "guide"},
    )
    stamp = time.time_ns()
    slots = []
    for i in range(n_slots):
        product = Product.objects.create(
            organisation=org,
            kind="experience",
            status="published",
            title=f"Bench {i}",
            title_it=f"Bench {i}",
            title_en=f"Bench {i}",
            slug=f"bench-{stamp}-{i}",
            comune=lucca,
            max_pax=capacity,
        )
        Rate.objects.create(product=product, retail_price=Decimal("30"), net_price=Decimal("24"))
        day = timezone.localdate() + timedelta(days=20)
        starts = timezone.make_aware(timezone.datetime.combine(day, dtime(10)))
        slots.append(
            Slot.objects.create(
                product=product,
                date=day,
                start_time=dtime(10),
                starts_at=starts,
                ends_at=starts + timedelta(hours=2),
                capacity=capacity,
            )
        )
    return org, slots


def _teardown(org):
    from django.apps import apps

    from bookings.models import Booking
    from operators.models import Product

    bookings = list(
        Booking.objects.filter(lines__supplier=org).distinct().values_list("pk", flat=True)
    )
    # rows other apps keep about these bookings (payables, ledger, invoices…) go first
    for model in list(apps.get_app_config("payments").get_models()) + list(
        apps.get_app_config("invoices").get_models()
    ):
        if any(f.name == "booking" for f in model._meta.fields):
            model.objects.filter(booking_id__in=bookings).delete()
    Booking.objects.filter(pk__in=bookings).delete()
    Product.objects.filter(organisation=org).delete()


def _holds(slots, seconds=5.0):
    from django.db import connection

    from bookings import services
    from operators.pricing import PaxMix

    done, refused, errors = [0], [0], []
    lock = threading.Lock()
    stop_at = time.perf_counter() + seconds

    def client(i):
        n = i
        try:
            while time.perf_counter() < stop_at:
                slot = slots[n % len(slots)]
                n += CLIENTS
                try:
                    services.booking_hold(
                        lines=[
                            services.LineRequest(
                                product=slot.product,
                                day=slot.date,
                                slot=slot,
                                pax=PaxMix.of(adults=1),
                            )
                        ],
                        channel="api",
                        contact_name="Bench",
                        contact_email="b@example.com",
                    )
                    with lock:
                        done[0] += 1
                except (services.SoldOut, services.Busy):
                    with lock:
                        refused[0] += 1
                except Exception as exc:  # noqa: BLE001
                    errors.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=client, args=(i,)) for i in range(CLIENTS)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    return done[0], refused[0], errors, elapsed


def run():
    from django.db import connection
    from django.db.models import F, Sum

    from bookings.models import Allocation
    from operators.models import Slot

    print(f"database: {connection.vendor}, {CLIENTS} concurrent clients")
    for label, n_slots, capacity in (("one hot slot", 1, 100000), ("100 slots", 100, 100000)):
        org, slots = _setup(n_slots, capacity)
        try:
            done, refused, errors, elapsed = _holds(slots)
            sold = Allocation.objects.filter(slot__in=slots).aggregate(n=Sum("quantity"))["n"]
            counters = Slot.objects.filter(pk__in=[s.pk for s in slots]).aggregate(
                n=Sum(F("held") + F("sold"))
            )["n"]
            print(
                f"{label:>14}: {done / elapsed:7.1f} holds/s ({done} in {elapsed:.1f}s, "
                f"{refused} busy/sold out, {len(errors)} errors); allocations {sold} == "
                f"counters {counters}: {'ok' if sold == counters == done else 'MISMATCH'}"
            )
        finally:
            _teardown(org)
    # a small hot slot to show zero oversell under contention
    org, slots = _setup(1, 50)
    try:
        done, refused, errors, elapsed = _holds(slots, seconds=3)
        slot = Slot.objects.get(pk=slots[0].pk)
        print(
            f"  capacity 50: {done} holds, {refused} refused, held {slot.held} "
            f"(oversold: {'NO' if slot.held <= 50 and done == slot.held else 'YES'})"
        )
    finally:
        _teardown(org)
    _voucher_bench()


def _voucher_bench():
    from bookings import services
    from bookings.vouchers import render_voucher_pdf
    from operators.pricing import PaxMix

    org, slots = _setup(3, 100)
    try:
        booking = services.booking_hold(
            lines=[
                services.LineRequest(product=s.product, day=s.date, slot=s, pax=PaxMix.of(adults=2))
                for s in slots
            ],
            channel="web",
            contact_name="Bench",
            contact_email="b@example.com",
        )
        services.booking_confirm(booking=booking)
        render_voucher_pdf(booking)  # warm up fonts
        timings = []
        for _ in range(10):
            started = time.perf_counter()
            render_voucher_pdf(booking)
            timings.append((time.perf_counter() - started) * 1000)
        print(
            f"voucher PDF: median {statistics.median(timings):.0f} ms, "
            f"max {max(timings):.0f} ms ({1000 / statistics.median(timings):.1f} PDFs/s)"
        )
    finally:
        _teardown(org)
