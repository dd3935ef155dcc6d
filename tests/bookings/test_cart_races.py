"""Carts racing on PostgreSQL: many open carts add the same slot at once (threads with their
own connections); exactly its capacity is held, the losers' carts are unchanged."""

import threading

import pytest
from django.db import connection
from django.db.models import Sum

from bookings import services
from bookings.models import Allocation, Booking
from bookings.services import Busy, LineRequest, SoldOut
from bookings.services.cart import cart_lines_add
from operators.pricing import PaxMix
from tests.operators.factories import bookable_experience

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

CARTS = 12


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("row locks are proven on PostgreSQL (CI sets DATABASE_URL)")


def _cart(i, product, slot):
    return services.booking_hold(
        lines=[LineRequest(product=product, day=slot.date, slot=slot, pax=PaxMix.of(adults=1))],
        channel="web",
        contact_name=f"Traveller {i}",
        contact_email=f"t{i}@example.com",
    )


def test_many_carts_adding_the_same_slot_never_oversell_it():
    first, first_slot = bookable_experience(capacity=CARTS)
    wanted, slot = bookable_experience(capacity=3)
    carts = [_cart(i, first, first_slot) for i in range(CARTS)]
    barrier = threading.Barrier(CARTS)
    results, lock = [], threading.Lock()

    def add(cart):
        from django.db import connection as thread_connection

        try:
            barrier.wait(timeout=30)
            cart_lines_add(
                booking=cart,
                lines=[
                    LineRequest(product=wanted, day=slot.date, slot=slot, pax=PaxMix.of(adults=1))
                ],
            )
            outcome = "ok"
        except (SoldOut, Busy) as exc:
            outcome = exc.code
        except Exception as exc:  # noqa: BLE001 - any other error fails the test below
            outcome = repr(exc)
        finally:
            thread_connection.close()
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=add, args=(cart,)) for cart in carts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert len(results) == CARTS
    assert set(results) <= {"ok", "sold_out", "busy"}, results
    assert results.count("ok") == 3
    slot.refresh_from_db()
    assert slot.held == 3
    assert Allocation.objects.filter(slot=slot).aggregate(n=Sum("quantity"))["n"] == 3
    two_lines = [b for b in Booking.objects.all() if b.lines.count() == 2]
    assert len(two_lines) == 3
    assert all(b.total_retail == 60 for b in two_lines)
    assert all(
        b.total_retail == 30 for b in Booking.objects.exclude(pk__in=[b.pk for b in two_lines])
    )
