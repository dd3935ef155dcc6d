"""Booking engine throughput against the database's own limit: holds per second with 8 client
processes on one hot slot and over 100 slots, beside pgbench running the minimal hold
transaction (the same four statements) in the same run, and the same through HTTP under
gunicorn; queries per hold; voucher PDF rendering time (PostgreSQL: set DATABASE_URL).

It creates its own products in the database named by DATABASE_URL and deletes them after."""

import statistics
import time
from datetime import time as dtime
from datetime import timedelta
from decimal import Decimal

CLIENTS = 8
# Each ratio is measured in rounds that alternate the two sides (service then pgbench, service
# then HTTP), and the median round is the figure: the machine's speed drifts within a run.
ROUNDS = 3


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


def _client_process(slot_pks, index, partner_pk, window, results):
    """One client in its own process (its own interpreter and connection, no shared GIL), as
    production runs it: DEBUG off, so the database wrapper does not log every query. It counts
    the holds made inside the shared `window` (start, stop) only, after connecting."""
    from django.conf import settings
    from django.db import connection

    settings.DEBUG = False

    from bookings import services
    from operators.models import Slot
    from operators.pricing import PaxMix

    slots = list(Slot.objects.select_related("product").filter(pk__in=slot_pks).order_by("pk"))
    partner = None
    if partner_pk:  # as the API's key loads it: with its trade contract
        from accounts.models import Organisation

        partner = Organisation.objects.select_related("trade_contract").get(pk=partner_pk)
    done = refused = 0
    errors = []
    n = index
    start_at, stop_at = window
    _wait_until(start_at)
    while time.time() < stop_at:
        slot = slots[n % len(slots)]
        n += CLIENTS
        try:
            services.booking_hold(
                lines=[
                    services.LineRequest(
                        product=slot.product, day=slot.date, slot=slot, pax=PaxMix.of(adults=1)
                    )
                ],
                channel="api",
                contact_name="Bench",
                contact_email="b@example.com",
                buyer_organisation=partner,
            )
            done += 1
        except (services.SoldOut, services.Busy):
            refused += 1
        except Exception as exc:  # noqa: BLE001
            errors.append(repr(exc))
    connection.close()
    results.put((done, refused, errors[:3]))


def _wait_until(moment: float) -> None:
    time.sleep(max(0.0, moment - time.time()))


def _in_processes(target, args_for, seconds):
    """Run CLIENTS processes of target(*args_for(i), (start, stop), queue); sum what they
    report. As pgbench's figure leaves out connecting, every client connects and loads what it
    needs first; only what is done inside the shared window of `seconds` counts. Returns
    (done, refused, errors, seconds, cpu) where cpu is the CPU seconds spent during the window:
    {"clients": ..., "all": ...} (Linux), or None."""
    import multiprocessing

    from django.db import connections

    connections.close_all()  # children must not inherit the parent's connection
    context = multiprocessing.get_context("fork")
    results = context.Queue()
    start_at = time.time() + 2.0  # time to fork, import and connect
    window = (start_at, start_at + seconds)
    processes = [
        context.Process(target=target, args=(*args_for(i), window, results)) for i in range(CLIENTS)
    ]
    for process in processes:
        process.start()
    _wait_until(start_at)
    before = _cpu_sample(processes)
    _wait_until(start_at + seconds)
    after = _cpu_sample(processes)
    reports = [results.get(timeout=seconds + 120) for _ in processes]
    for process in processes:
        process.join()
    done = sum(r[0] for r in reports)
    refused = sum(r[1] for r in reports)
    errors = [e for r in reports for e in r[2]]
    cpu = None
    if before and after:
        cpu = {key: after[key] - before[key] for key in before}
    return done, refused, errors, seconds, cpu


def _cpu_sample(processes=()):
    """CPU seconds used so far by the whole machine and by the client processes (Linux's
    /proc), or None elsewhere."""
    import os

    try:
        with open("/proc/stat") as stat:
            fields = [int(x) for x in stat.readline().split()[1:]]
        tick = os.sysconf("SC_CLK_TCK")
        clients = 0
        for process in processes:
            with open(f"/proc/{process.pid}/stat") as stat:
                values = stat.read().rsplit(")", 1)[1].split()
            clients += int(values[11]) + int(values[12])
    except (OSError, ValueError):
        return None
    # busy = everything but idle and iowait
    return {"all": (sum(fields) - fields[3] - fields[4]) / tick, "clients": clients / tick}


def _cpu_line(cpu, done) -> str:
    if not cpu or not done:
        return ""
    clients = cpu["clients"] * 1000 / done
    rest = (cpu["all"] - cpu["clients"]) * 1000 / done
    return f"CPU per hold: clients {clients:.2f} ms, database and kernel {rest:.2f} ms"


def _holds(slots, seconds=5.0, partner=None):
    pks = [s.pk for s in slots]
    partner_pk = partner.pk if partner else None
    return _in_processes(_client_process, lambda i: (pks, i, partner_pk), seconds)


# --- the limit: PostgreSQL itself running the minimal hold transaction ---------------------

PGBENCH_SCRIPT = """\\set s random(1, :nslots)
BEGIN;
SELECT capacity, held, sold FROM bench_pg_slot WHERE id = :s FOR UPDATE;
INSERT INTO bench_pg_booking (reference, created_at) VALUES (md5(random()::text), now());
UPDATE bench_pg_slot SET held = held + 1 WHERE id = :s AND sold + held + 1 <= capacity;
INSERT INTO bench_pg_allocation (booking_id, slot_id, quantity)
  VALUES (currval('bench_pg_booking_id_seq'), :s, 1);
END;
"""


def _pgbench(n_slots: int, seconds: int = 5) -> tuple:
    """(tx/s, the whole machine's CPU ms per tx) of pgbench (the machine's) running the four
    statements of a minimal hold on a scratch table beside the service's, CLIENTS clients."""
    import re
    import shutil
    import subprocess
    import tempfile

    from django.db import connection

    if connection.vendor != "postgresql" or not shutil.which("pgbench"):
        return None, None
    with connection.cursor() as cursor:
        cursor.execute(
            "DROP TABLE IF EXISTS bench_pg_allocation, bench_pg_booking, bench_pg_slot;"
            "CREATE TABLE bench_pg_slot (id int PRIMARY KEY, capacity int NOT NULL,"
            " held int NOT NULL DEFAULT 0, sold int NOT NULL DEFAULT 0,"
            " CHECK (sold + held <= capacity));"
            "CREATE TABLE bench_pg_booking (id bigserial PRIMARY KEY, reference text NOT NULL,"
            " created_at timestamptz NOT NULL);"
            "CREATE TABLE bench_pg_allocation (id bigserial PRIMARY KEY,"
            " booking_id bigint NOT NULL REFERENCES bench_pg_booking,"
            " slot_id int NOT NULL REFERENCES bench_pg_slot, quantity int NOT NULL);"
            "INSERT INTO bench_pg_slot (id, capacity) SELECT g, 1000000 FROM"
            " generate_series(1, %s) g;",
            [n_slots],
        )
    db = connection.settings_dict
    with tempfile.NamedTemporaryFile("w", suffix=".sql", delete=False) as script:
        script.write(PGBENCH_SCRIPT)
    command = ["pgbench", "-n", "-c", str(CLIENTS), "-j", "2", "-T", str(seconds)]
    command += ["-f", script.name, "-D", f"nslots={n_slots}"]
    command += ["-h", db["HOST"] or "127.0.0.1", "-p", str(db["PORT"] or 5432)]
    command += ["-U", db["USER"] or "postgres", db["NAME"]]
    before = _cpu_sample()
    try:
        output = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60)
    finally:
        with connection.cursor() as cursor:
            cursor.execute(
                "DROP TABLE IF EXISTS bench_pg_allocation, bench_pg_booking, bench_pg_slot"
            )
    after = _cpu_sample()
    match = re.search(r"tps = ([0-9.]+)", output.stdout)
    if not match:
        print("pgbench failed:", output.stderr.strip()[:300])
        return None, None
    processed = re.search(r"transactions actually processed: ([0-9]+)", output.stdout)
    per_tx = None
    if before and after and processed and int(processed.group(1)):
        per_tx = (after["all"] - before["all"]) * 1000 / int(processed.group(1))
    return float(match.group(1)), per_tx


# --- the same holds through HTTP under gunicorn --------------------------------------------


def _http_client_process(base, raw_key, slot_specs, index, window, results):
    """One HTTP client: the standard library's http.client on a kept-alive connection (a new
    one when the server closes it), so that the clients' CPU stays small beside the server's."""
    import http.client
    import json
    from urllib.parse import urlsplit

    address = urlsplit(base)
    headers = {"Authorization": f"Bearer {raw_key}", "Content-Type": "application/json"}
    connection = http.client.HTTPConnection(address.hostname, address.port, timeout=30)

    def post(body):
        nonlocal connection
        for attempt in (1, 2):
            try:
                connection.request("POST", "/api/v1/bookings/", body, headers)
                response = connection.getresponse()
                text = response.read()
            except (http.client.HTTPException, ConnectionError):
                connection.close()
                connection = http.client.HTTPConnection(address.hostname, address.port, timeout=30)
                if attempt == 2:
                    raise
                continue
            if response.will_close:
                connection.close()
            return response.status, text

    done = refused = 0
    errors = []
    n = index
    start_at, stop_at = window
    _wait_until(start_at)
    while time.time() < stop_at:
        slug, day, slot_pk = slot_specs[n % len(slot_specs)]
        n += CLIENTS
        body = json.dumps(
            {
                "contact_name": "Bench",
                "contact_email": "b@example.com",
                "lines": [{"product": slug, "date": day, "slot": slot_pk, "adults": 1}],
            }
        )
        status, text = post(body)
        if status == 201:
            done += 1
        elif status in (409, 429):
            refused += 1
        else:
            errors.append(f"{status} {text[:120]!r}")
    connection.close()
    results.put((done, refused, errors[:3]))


def _gunicorn(workers=4):
    """Start gunicorn on the bench's database; return (process, base URL)."""
    import os
    import socket
    import subprocess
    import sys
    from pathlib import Path

    import requests

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    root = Path(__file__).resolve().parent.parent
    gunicorn = Path(sys.executable).parent / "gunicorn"
    # As in production: its settings (persistent connections with health checks, the shared
    # cache) and its gunicorn config file; only TLS is left to the absent load balancer.
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "marketplace.settings.production",
        "DJANGO_SECRET_KEY": os.environ.get("DJANGO_SECRET_KEY", "bench-" + "x" * 60),
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "LOG_LEVEL": "WARNING",
        "WEB_CONCURRENCY": str(workers),
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "API_RATE_KEY": "1000000/min",  # the bench measures holds, not the throttle
    }
    process = subprocess.Popen(
        [str(gunicorn), "-c", str(root / "deploy" / "gunicorn.conf.py"), "marketplace.wsgi"],
        cwd=root,
        env=env,
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(120):
        try:
            requests.get(f"{base}/healthz", timeout=1)
            return process, base
        except requests.RequestException:
            time.sleep(0.25)
    process.terminate()
    raise RuntimeError("gunicorn did not start")


def _workers_cpu(master_pid):
    """CPU seconds used so far by gunicorn's workers (the master's children; Linux), or None."""
    import os

    total = 0
    try:
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                with open(f"/proc/{entry}/stat") as stat:
                    values = stat.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(values[1]) == master_pid:
                total += int(values[11]) + int(values[12])
    except OSError:
        return None
    return total / os.sysconf("SC_CLK_TCK")


def _partner_key():
    from accounts.models import Organisation
    from accounts.services import api_key_create

    partner, _ = Organisation.objects.get_or_create(
        slug="bench-bookings-partner",
        defaults={"name": "Bench partner", "kind": "trade", "subkind": "tour_operator"},
    )
    _key, raw = api_key_create(organisation=partner, name=f"bench {time.time_ns()}")
    return partner, raw


class _Served:
    """gunicorn serving the bench's database for the rounds of HTTP holds, its workers warmed
    up first (every worker imports its views and opens its connection on its first requests),
    as a server that has been up for a while is."""

    def __init__(self, slots, raw):
        self.specs = [(s.product.slug, s.date.isoformat(), s.pk) for s in slots]
        self.raw = raw

    def __enter__(self):
        self.process, self.base = _gunicorn()
        self.holds(seconds=2.0)
        return self

    def __exit__(self, *exc):
        self.process.terminate()
        self.process.wait(timeout=30)

    def holds(self, seconds=5.0):
        """One round; also returns the gunicorn workers' own CPU seconds during it."""
        before = _workers_cpu(self.process.pid)
        result = _in_processes(
            _http_client_process, lambda i: (self.base, self.raw, self.specs, i), seconds
        )
        after = _workers_cpu(self.process.pid)
        workers = after - before if before is not None and after is not None else None
        return (*result, workers)


def _queries_per_hold(slot):
    """Queries of one hold through the service and through the API (in-process)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from rest_framework.test import APIClient

    from bookings import services
    from operators.pricing import PaxMix

    request = services.LineRequest(
        product=slot.product, day=slot.date, slot=slot, pax=PaxMix.of(adults=1)
    )
    services.booking_hold(  # the process's first hold compiles its reads: not counted
        lines=[request], channel="api", contact_name="B", contact_email="b@example.com"
    )
    with CaptureQueriesContext(connection) as service_queries:
        services.booking_hold(
            lines=[request], channel="api", contact_name="B", contact_email="b@example.com"
        )
    service_count = len(service_queries)  # now: a request below resets the query log
    _partner, raw = _partner_key()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    body = {
        "contact_name": "B",
        "contact_email": "b@example.com",
        "lines": [
            {
                "product": slot.product.slug,
                "date": slot.date.isoformat(),
                "slot": slot.pk,
                "adults": 1,
            }
        ],
    }
    client.post("/api/v1/bookings/", body, format="json")  # the key's first use is recorded
    with CaptureQueriesContext(connection) as api_queries:
        response = client.post("/api/v1/bookings/", body, format="json")
    if response.status_code != 201:
        return service_count, None
    return service_count, len(api_queries)


def _counters_line(slots, done):
    from django.db.models import F, Sum

    from bookings.models import Allocation
    from operators.models import Slot

    pks = [s.pk for s in slots]
    sold = (
        Allocation.objects.filter(slot__in=pks, state__in=("held", "sold")).aggregate(
            n=Sum("quantity")
        )["n"]
        or 0
    )
    counters = Slot.objects.filter(pk__in=pks).aggregate(n=Sum(F("held") + F("sold")))["n"] or 0
    # Places an allotment keeps for a partner are in `held` too: counters = allocations + them.
    from allotments.selectors import allotment_places_on_counters

    allotted = allotment_places_on_counters()
    sold += sum(allotted.get(("slot", pk), 0) for pk in pks)
    return sold, counters


def run():
    import os

    from django.db import connection

    from operators.models import Slot

    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(
        f"database: {connection.vendor}; {CLIENTS} client processes (not threads); "
        f"load average {load} on {os.cpu_count()} cores"
    )
    # zero oversell and counters = allocations come first
    org, slots = _setup(1, 20)
    try:
        done, refused, errors, _seconds, _cpu = _holds(slots, seconds=5)
        slot = Slot.objects.get(pk=slots[0].pk)
        sold, counters = _counters_line(slots, done)
        print(
            f"capacity 20 raced: {done} holds, {refused} refused, held {slot.held}, "
            f"allocations {sold} == counters {counters} "
            f"(oversold: {'NO' if slot.held <= 20 and sold == counters == done else 'YES'})"
        )
    finally:
        _teardown(org)
    org, slots = _setup(1, 100000)
    try:
        service_q, api_q = _queries_per_hold(slots[0])
        print(f"queries per hold: service {service_q}, API {api_q} (target: API <= 12)")
    finally:
        _teardown(org)
    service_rates = {}
    targets = {"one hot slot": 1 / 3, "100 slots": 1 / 4}
    for label, n_slots in (("one hot slot", 1), ("100 slots", 100)):
        org, slots = _setup(n_slots, 100000)
        try:
            ratios, total = [], 0
            for _round in range(ROUNDS):
                done, refused, errors, elapsed, cpu = _holds(slots)
                total += done
                rate = done / elapsed
                limit, pg_cpu = _pgbench(n_slots)
                ratios.append((rate / limit if limit else 0.0, rate, limit))
                pg = f"pgbench {limit:.0f} tx/s = {rate / limit:.3f}" if limit else "no pgbench"
                pg_line = f"; pgbench {pg_cpu:.2f} ms a transaction" if pg_cpu else ""
                print(
                    f"{'':>4}{label} round: service {rate:6.1f} holds/s ({refused} busy/sold out,"
                    f" {len(errors)} errors{': ' + errors[0] if errors else ''}), {pg}; "
                    f"{_cpu_line(cpu, done)}{pg_line}"
                )
            sold, counters = _counters_line(slots, total)
            ratio, rate, limit = statistics.median_low(ratios)
            service_rates[label] = rate
            figure = (
                f"{ratio:.3f} of pgbench's {limit:.0f} tx/s (target {targets[label]:.2f}; rounds "
                + ", ".join(f"{r[0]:.3f}" for r in ratios)
                + ")"
                if limit
                else "no pgbench"
            )
            print(
                f"{label:>14}, service: {rate:7.1f} holds/s, median round: {figure}; "
                f"allocations {sold} == counters {counters}: "
                f"{'ok' if sold == counters == total else 'MISMATCH'}"
            )
        finally:
            _teardown(org)
    org, slots = _setup(1, 100000)
    try:
        # The API's holds are a trade partner's (its contract, its price terms, its allotment
        # places are read on every hold): the service is measured making the same holds.
        partner, raw = _partner_key()
        ratios = []
        with _Served(slots, raw) as served:
            for _round in range(ROUNDS):
                done, refused, errors, elapsed, cpu = _holds(slots, partner=partner)
                same = done / elapsed
                print(
                    f"{'':>4}hot slot round: service as the API's trade partner {same:6.1f} "
                    f"holds/s ({refused} refused, {len(errors)} errors"
                    f"{': ' + errors[0] if errors else ''}); {_cpu_line(cpu, done)}"
                )
                done, refused, errors, elapsed, cpu, workers = served.holds()
                rate = done / elapsed
                ratios.append((rate / same, rate, same))
                line = _cpu_line(cpu, done).replace("clients", "HTTP clients")
                line = line.replace("database and kernel", "server, database and kernel")
                own = f"; gunicorn workers {workers * 1000 / done:.2f} ms" if workers else ""
                print(
                    f"{'':>4}hot slot round: HTTP (gunicorn 4 workers) {rate:6.1f} holds/s = "
                    f"{rate / same:.2f} of the service ({refused} refused, {len(errors)} errors"
                    f"{': ' + errors[0] if errors else ''}); {line}{own}"
                )
        ratio, rate, same = statistics.median_low(ratios)
        print(
            f"  one hot slot, HTTP: {rate:7.1f} holds/s, median round: {ratio:.2f} of the same "
            f"holds through the service (target 0.60; rounds "
            + ", ".join(f"{r[0]:.2f}" for r in ratios)
            + f"); {rate / service_rates['one hot slot']:.2f} of a traveller's"
        )
        from bookings.models import Booking

        Booking.objects.filter(buyer_organisation=partner).delete()
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
