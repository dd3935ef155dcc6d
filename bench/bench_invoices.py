"""Invoices: issue throughput (number under lock + XML + schema validation), XML build and
validation time, PDF rendering time. Everything runs in a transaction that is rolled back."""

import statistics
import time
from decimal import Decimal

from django.db import connection, transaction


class _Rollback(Exception):
    pass


def _ms(samples):
    return f"median {statistics.median(samples) * 1000:.2f} ms, p95 " + (
        f"{sorted(samples)[int(len(samples) * 0.95) - 1] * 1000:.2f} ms"
    )


def run():
    from accounts.models import Organisation
    from invoices import fatturapa, services
    from invoices.pdf import invoice_pdf
    from invoices.specs import InvoiceLineSpec
    from tests.invoices.factories import dmc_org, italian_agency

    started = time.perf_counter()
    fatturapa.schema.cache_clear()
    fatturapa.schema()
    print(f"schema compile (once per process): {(time.perf_counter() - started) * 1000:.1f} ms")
    print(f"database: {connection.vendor}")
    try:
        with transaction.atomic():
            if not Organisation.objects.filter(kind="dmc").exists():
                dmc_org()
            customer = italian_agency(name="Bench Agenzia", slug="bench-agenzia-invoices")
            lines = [
                InvoiceLineSpec(f"Servizio {i}", Decimal("2"), Decimal("45.50"), Decimal("22"))
                for i in range(5)
            ] + [InvoiceLineSpec("Camera", Decimal("3"), Decimal("95.00"), Decimal("10"))]

            n = 200
            started = time.perf_counter()
            issued = [
                services.invoice_issue_from_specs(customer=customer, lines=lines) for _ in range(n)
            ]
            elapsed = time.perf_counter() - started
            print(
                f"issue {n} invoices of 6 lines (draft + lock + number + XML + XSD), sequential: "
                f"{n / elapsed:.0f} invoices/s ({elapsed / n * 1000:.2f} ms each)"
            )
            invoice = issued[-1]
            invoice_lines = list(invoice.lines.all())
            build, validate = [], []
            for _ in range(300):
                t0 = time.perf_counter()
                xml = fatturapa.etree.tostring(
                    fatturapa.build_tree(invoice, invoice_lines), encoding="UTF-8"
                )
                t1 = time.perf_counter()
                fatturapa.validate(xml)
                t2 = time.perf_counter()
                build.append(t1 - t0)
                validate.append(t2 - t1)
            print(f"XML build: {_ms(build)}; XSD validation: {_ms(validate)}")
            pdf = []
            for _ in range(10):
                t0 = time.perf_counter()
                invoice_pdf(invoice)
                pdf.append(time.perf_counter() - t0)
            print(f"PDF render (WeasyPrint): {_ms(pdf)}")
            raise _Rollback
    except _Rollback:
        pass
