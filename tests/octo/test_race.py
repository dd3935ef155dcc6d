"""20 concurrent OCTO reservations (real threads, each with its own database connection, through
the HTTP stack) for the last 5 places of a slot on PostgreSQL: exactly 5 ON_HOLD, the others
refused with the standard's error, and the slot's counters equal its allocations."""

import json
import threading
import time
import uuid
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import Sum
from django.test import Client
from django.utils import timezone

from bookings.models import Allocation, Booking, TradeContract
from bookings.services import inventory
from octo.models import OctoBooking
from operators.models import Slot
from tests.factories import OrganisationFactory, api_key_for
from tests.octo.conformance import assert_conforms
from tests.operators.factories import bookable_experience

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

CLIENTS = 20
LAST_PLACES = 5


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("row locks are proven on PostgreSQL (CI sets DATABASE_URL)")


def _setup():
    partner = OrganisationFactory(kind="trade", subkind="tour_operator", email="ops@tdt.de")
    TradeContract.objects.create(organisation=partner, on_account=True, credit_limit=1000)
    _key, raw = api_key_for(partner)
    product, slot = bookable_experience(capacity=20)
    # 15 of 20 places are sold already: 5 are left.
    Slot.objects.filter(pk=slot.pk).update(sold=20 - LAST_PLACES)
    return raw, product, slot


def _race(raw, product, slot, clients=CLIENTS):
    """`clients` threads, each its own connection, reserve one adult at the same moment."""
    body = {
        "productId": product.slug,
        "optionId": "DEFAULT",
        "availabilityId": timezone.localtime(slot.starts_at).isoformat(),
        "unitItems": [{"unitId": "adult"}],
    }
    barrier = threading.Barrier(clients)
    results = []
    lock = threading.Lock()

    def client(i):
        from django.db import connection as thread_connection

        try:
            barrier.wait(timeout=30)
            response = Client().post(
                "/octo/bookings",
                data=json.dumps({**body, "uuid": str(uuid.uuid4())}),
                content_type="application/json",
                HTTP_AUTHORIZATION=f"Bearer {raw}",
                HTTP_OCTO_CAPABILITIES="octo/pricing",
            )
            outcome = (response.status_code, response)
        except Exception as exc:  # noqa: BLE001 - any other error fails the test below
            outcome = (repr(exc), None)
        finally:
            thread_connection.close()
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


def test_twenty_octo_reservations_for_the_last_five_places():
    raw, product, slot = _setup()
    results = _race(raw, product, slot)
    assert len(results) == CLIENTS
    statuses = sorted(str(status) for status, _response in results)
    assert set(statuses) <= {"200", "400"}, statuses
    bodies = [assert_conforms(response, "/bookings/", "post") for _status, response in results]
    held = [b for b in bodies if b.get("status") == "ON_HOLD"]
    refused = [b for b in bodies if "error" in b]
    assert len(held) == LAST_PLACES
    assert len(refused) == CLIENTS - LAST_PLACES
    assert {b["error"] for b in refused} == {"UNPROCESSABLE_ENTITY"}
    slot.refresh_from_db()
    assert (slot.sold, slot.held) == (20 - LAST_PLACES, LAST_PLACES)
    allocated = Allocation.objects.filter(slot=slot, state="held").aggregate(n=Sum("quantity"))
    assert allocated["n"] == slot.held
    # Nothing half-written by the refused ones.
    assert Booking.objects.count() == LAST_PLACES
    assert OctoBooking.objects.count() == LAST_PLACES
    assert not OctoBooking.objects.filter(booking__isnull=True).exists()
    assert sum(Decimal(b["pricing"]["net"]) for b in held) == 5 * 3000


def test_canary_without_locks_the_same_race_oversells(monkeypatch):
    """With the engine's locks and F() updates switched off, the same OCTO race takes more
    than the 5 places left: the test above is able to see an oversell."""
    monkeypatch.setattr(inventory, "LOCKING_ENABLED", False)
    monkeypatch.setattr(inventory, "_race_window", lambda: time.sleep(0.05))
    raw, product, slot = _setup()
    results = _race(raw, product, slot, clients=12)
    held = Allocation.objects.filter(slot=slot).aggregate(n=Sum("quantity"))["n"] or 0
    assert held > LAST_PLACES, (held, [status for status, _response in results])
