"""Webhook handling throughput on the configured database (PostgreSQL in CI: DATABASE_URL):
signed Stripe events POSTed to /payments/stripe/webhook through the whole Django stack,
each delivered twice (duplicates), shuffled, by 1 and by 4 concurrent senders. Every event
re-reads its intent from a real localstripe started here. Writes demo-like rows into the
configured database (its own organisations, named bench-…)."""

import json
import logging
import random
import subprocess
import sys
import threading
import time
import uuid

N_BOOKINGS = 150


def _start_localstripe():
    import socket

    import requests

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    process = subprocess.Popen(
        [sys.executable, "-m", "localstripe", "--port", str(port), "--from-scratch"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            requests.get(f"{base}/v1/customers", auth=("sk_test_local", ""), timeout=1)
            return process, base
        except requests.ConnectionError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError("localstripe did not start")


def _prepare(n, base):
    from django.conf import settings

    from payments import services
    from payments.gateway import stripe_client
    from tests.bookings.factories import hold_experience
    from tests.factories import OrganisationFactory

    settings.STRIPE_API_BASE = base
    operator = OrganisationFactory(name=f"bench-{uuid.uuid4().hex[:8]}")
    client = stripe_client()
    pm = client.v1.payment_methods.create(
        params={
            "type": "card",
            "card": {"number": "4242424242424242", "exp_month": 12, "exp_year": 2030, "cvc": "123"},
        }
    ).id
    events = []
    for _ in range(n):
        booking = hold_experience(adults=2, capacity=4, organisation=operator)
        _item, due = services.amount_due_now(booking)
        _payment, intent = services.payment_intent_for_booking(booking=booking, expected_amount=due)
        client.v1.payment_intents.update(intent.id, params={"payment_method": pm})
        client.v1.payment_intents.confirm(intent.id)
        events.append(
            {
                "id": f"evt_bench_{uuid.uuid4().hex}",
                "object": "event",
                "type": "payment_intent.succeeded",
                "created": int(time.time()),
                "data": {"object": {"id": intent.id, "object": "payment_intent"}},
            }
        )
    return events


def _send(events, threads):
    from django.conf import settings
    from django.db import connection
    from django.test import Client

    from tests.payments.helpers import signature

    deliveries = [e for e in events for _ in range(2)]
    random.Random(42).shuffle(deliveries)
    chunks = [deliveries[i::threads] for i in range(threads)]
    statuses: list[int] = []
    lock = threading.Lock()

    def worker(chunk):
        client = Client()
        for event in chunk:
            payload = json.dumps(event).encode()
            response = client.post(
                "/payments/stripe/webhook",
                data=payload,
                content_type="application/json",
                HTTP_STRIPE_SIGNATURE=signature(payload, settings.STRIPE_WEBHOOK_SECRET),
            )
            with lock:
                statuses.append(response.status_code)
        connection.close()

    started = time.perf_counter()
    pool = [threading.Thread(target=worker, args=(c,)) for c in chunks]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    elapsed = time.perf_counter() - started
    return len(deliveries), elapsed, statuses


def run():
    from django.db import connection
    from django.db.models import Count

    from marketplace.celery import app
    from payments.models import LedgerEntry, StripeEvent

    # Confirmation emails and vouchers are Celery tasks in production: queue, do not run them.
    app.conf.task_always_eager = False
    logging.getLogger("stripe").setLevel(logging.WARNING)
    process, base = _start_localstripe()
    try:
        print(f"database: {connection.vendor}")
        for threads in (1, 4):
            events = _prepare(N_BOOKINGS, base)
            ids = [e["data"]["object"]["id"] for e in events]
            count, elapsed, statuses = _send(events, threads)
            per_second = count / elapsed
            recorded = StripeEvent.objects.filter(
                stripe_event_id__in=[e["id"] for e in events]
            ).count()
            rows = (
                LedgerEntry.objects.filter(payment__stripe_payment_intent_id__in=ids)
                .values("payment")
                .annotate(n=Count("pk"))
            )
            once = all(r["n"] == 1 for r in rows) and len(rows) == len(ids)
            print(
                f"{threads} sender(s): {count} deliveries ({len(events)} events x2, shuffled) "
                f"in {elapsed:.2f}s = {per_second:.0f} events/s; "
                f"statuses {sorted(set(statuses))}; events stored {recorded}; "
                f"one ledger row per intent: {once}"
            )
    finally:
        process.terminate()
        process.wait(timeout=10)
