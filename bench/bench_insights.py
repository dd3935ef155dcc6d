"""Insights and IAT desk: the main dashboard over 10 years x 6 comuni x 200 origins x 12
months (x 2 accommodation types = 288,000 movement rows, imported through the importer), and
accepting a contact at the desk. Everything runs in a transaction that is rolled back."""

import os
import statistics
import time

from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse


class _Rollback(Exception):
    pass


def _ms(samples):
    ordered = sorted(samples)
    return (
        f"median {statistics.median(samples) * 1000:.1f} ms, "
        f"p95 {ordered[int(len(ordered) * 0.95) - 1] * 1000:.1f} ms"
    )


def run():
    from accounts.models import Membership, Organisation, User
    from iat import codes
    from iat.models import Office
    from iat.services import contact_record
    from insights.demo_data import generate_rows, to_csv
    from insights.importer import movement_import
    from places.services import comuni_ensure_piana

    print(f"database: {connection.vendor}")
    origins = list(codes.origins())[:: max(1, len(codes.origins()) // 200)][:200]
    weights = {o: 1 / (i + 1) for i, o in enumerate(origins)}
    total = sum(weights.values())
    weights = {o: w / total for o, w in weights.items()}
    try:
        with transaction.atomic():
            comuni = comuni_ensure_piana()
            started = time.perf_counter()
            rows = 0
            for year in range(2016, 2026):
                batch = movement_import(
                    filename=f"bench-{year}.csv",
                    content=to_csv(generate_rows(years=[year], origins=weights, seed=year)),
                )
                rows += batch.rows
            print(
                f"import {rows:,} movement rows (10 files, checked + aggregated): "
                f"{time.perf_counter() - started:.1f} s"
            )
            admin = User.objects.create_superuser("bench-insights@example.com", "x")
            client = Client()
            client.force_login(admin)
            url = reverse("insights:dashboard")
            for params in (
                {"year": 2025},
                {"year": 2025, "comune": comuni[2].pk},
                {"year": 2025, "market": "DE"},
            ):
                client.get(url, params)  # warm
                samples, cpu = [], []
                for _ in range(30):
                    t0, c0 = time.perf_counter(), time.process_time()
                    with CaptureQueriesContext(connection) as queries:
                        response = client.get(url, params)
                    samples.append(time.perf_counter() - t0)
                    cpu.append(time.process_time() - c0)
                    assert response.status_code == 200
                print(
                    f"dashboard {params}: wall {_ms(samples)}; CPU {_ms(cpu)}; "
                    f"{len(queries)} queries (load average {os.getloadavg()[0]:.1f})"
                )

            org = Organisation.objects.create(name="Bench IAT", slug="bench-iat", kind="iat")
            Membership.objects.create(user=admin, organisation=org, role="staff")
            office = Office.objects.create(
                organisation=org,
                name="Bench IAT",
                slug="bench-iat",
                comune=comuni[2],
                address="Piazza",
                latitude=43.8,
                longitude=10.5,
            )
            samples = []
            for i in range(300):
                t0 = time.perf_counter()
                contact_record(
                    office=office,
                    actor=admin,
                    channel="desk",
                    origin=origins[i % 200],
                    party_size=2,
                    language="en",
                    topics=["museums", "events"],
                )
                samples.append(time.perf_counter() - t0)
            print(f"contact accepted (service): {_ms(samples)}")
            contact_url = reverse("iat:contacts")
            samples, cpu = [], []
            for i in range(100):
                t0, c0 = time.perf_counter(), time.process_time()
                response = client.post(
                    contact_url,
                    {
                        "office": office.pk,
                        "channel": "desk",
                        "origin": origins[i % 200],
                        "party_size": 2,
                        "language": "en",
                        "topics": ["museums"],
                    },
                )
                samples.append(time.perf_counter() - t0)
                cpu.append(time.process_time() - c0)
                assert response.status_code == 302, response.status_code
            print(f"contact accepted (HTTP POST, redirect): wall {_ms(samples)}; CPU {_ms(cpu)}")
            raise _Rollback
    except _Rollback:
        pass
