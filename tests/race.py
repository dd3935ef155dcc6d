"""The harness of the PostgreSQL race tests: `clients` threads, each with its own database
connection, wait at one barrier and then make the same attempt at the same moment; every
outcome is kept. Each race test pairs an exact count of winners with a canary that switches
the locks off and shows the same race overselling, so the harness is proven to see it."""

from __future__ import annotations

import threading
from collections.abc import Callable

from django.db import connections

BARRIER_TIMEOUT = 30
JOIN_TIMEOUT = 120


def race(
    attempt: Callable[[int], object],
    *,
    clients: int,
    outcomes: dict[type[BaseException], object] | None = None,
) -> list:
    """Run `attempt(i)` for i in range(clients) in as many threads released together.

    Each result is what the attempt returned, the value `outcomes` maps its exception to
    (the refusals the test expects: sold out, busy, full), or the repr() of any other
    exception, which the caller's assertions on the outcomes then reject.
    """
    expected = tuple((outcomes or {}).items())
    barrier = threading.Barrier(clients)
    results: list = []
    lock = threading.Lock()

    def client(i: int) -> None:
        try:
            barrier.wait(timeout=BARRIER_TIMEOUT)
            outcome = attempt(i)
        except Exception as exc:  # noqa: BLE001 - an unexpected error fails the caller's test
            outcome = next((name for kind, name in expected if isinstance(exc, kind)), repr(exc))
        finally:
            connections.close_all()  # this thread's own connections, never the test's
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=JOIN_TIMEOUT)
    return results
