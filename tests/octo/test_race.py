"""20 concurrent OCTO reservations (real threads, each with its own database connection, through
the HTTP stack) for the last 5 places of a slot on PostgreSQL: exactly 5 ON_HOLD, the others
refused with the standard's error, and the slot's counters equal its allocations."""

import json
import time
import uuid
from decimal import Decimal

import pytest
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
from tests.race import race

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("postgres_only"),
]

CLIENTS = 20
LAST_PLACES = 5


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

    def reserve(_i):
        return Client().post(
            "/octo/bookings",
            data=json.dumps({**body, "uuid": str(uuid.uuid4())}),
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {raw}",
            HTTP_OCTO_CAPABILITIES="octo/pricing",
        )

    return race(reserve, clients=clients)


def _status(result) -> str:
    """The HTTP status of a response, or the repr() of an unexpected error, as text."""
    return str(getattr(result, "status_code", result))


def test_twenty_octo_reservations_for_the_last_five_places():
    raw, product, slot = _setup()
    results = _race(raw, product, slot)
    assert len(results) == CLIENTS
    statuses = sorted(_status(result) for result in results)
    assert set(statuses) <= {"200", "400"}, statuses
    bodies = [assert_conforms(response, "/bookings/", "post") for response in results]
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
    assert held > LAST_PLACES, (held, [_status(result) for result in results])
