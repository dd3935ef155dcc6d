"""With the broker (Redis) down, committed requests answer 2xx, one booking per key, and the
work that must follow is kept as pending outbox rows; once Redis is back the sweep runs it.
The test starts and stops a redis-server of its own (the machine's Redis is shared)."""

import json
import time

import pytest
from django.core import mail
from django.urls import reverse

from bookings.models import Booking, BookingStatus, Voucher
from outbox.models import MessageStatus, OutboxMessage
from outbox.services import outbox_sweep
from payments.models import PaymentStatus
from payments.views_pages import checkout_token
from tests.bookings.factories import hold_experience
from tests.operators.factories import bookable_experience
from tests.payments.helpers import payment_method, start_payment

from .checks import assert_counters_equal_allocations
from .conftest import hold_body

pytestmark = pytest.mark.django_db(transaction=True)


def _pending() -> list[str]:
    return list(
        OutboxMessage.objects.filter(status=MessageStatus.PENDING).values_list("handler", flat=True)
    )


def test_holds_through_the_api_with_the_broker_down(partner_client, redis_broker):
    product, slot = bookable_experience(capacity=20)
    redis_broker.stop()
    keys = ["order-a", "order-b", "order-c"]
    for key in keys:
        for _attempt in range(3):  # the client retries: nothing is duplicated
            started = time.monotonic()
            response = partner_client.post(
                "/api/v1/bookings/",
                hold_body(product, slot),
                format="json",
                HTTP_IDEMPOTENCY_KEY=key,
            )
            assert response.status_code == 201, response.content
            assert time.monotonic() - started < 5  # a dead broker does not hold the request
        assert_counters_equal_allocations()
    assert Booking.objects.count() == len(keys)
    assert _pending() == ["bookings.tasks.send_booking_notification"] * len(keys)
    assert mail.outbox == []  # delayed, not lost

    redis_broker.start()
    assert outbox_sweep() == {"done": len(keys), "failed": 0}
    assert _pending() == []
    assert len({m.to[0] for m in mail.outbox}) >= 1
    assert sum("hans@example.de" in m.to for m in mail.outbox) == len(keys)
    assert_counters_equal_allocations()


def test_the_card_payment_confirm_path_with_the_broker_down(client, localstripe, redis_broker):
    booking = hold_experience(adults=2)
    payment, _intent = start_payment(booking)
    redis_broker.stop()
    pay_url = (
        reverse("payments_pages:checkout_pay", kwargs={"reference": booking.reference})
        + f"?t={checkout_token(booking)}"
    )
    response = client.post(
        pay_url,
        data=json.dumps({"payment": payment.pk, "card": payment_method()}),
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "succeeded"
    booking.refresh_from_db()
    payment.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED
    assert payment.status == PaymentStatus.SUCCEEDED
    assert_counters_equal_allocations()
    pending = _pending()
    for handler in (
        "bookings.tasks.generate_voucher",
        "bookings.tasks.send_booking_notification",
        "payments.booking_confirmed",
        "invoices.invoice_booking",
    ):
        assert handler in pending
    assert not Voucher.objects.filter(booking=booking).exists()

    redis_broker.start()
    result = outbox_sweep()
    assert result["failed"] == 0 and result["done"] == len(pending)
    assert _pending() == []
    assert Voucher.objects.filter(booking=booking).exists()
    assert any("anna@example.com" in m.to for m in mail.outbox)
    assert_counters_equal_allocations()


def test_dispatch_reaches_the_broker_when_it_is_up(partner_client, redis_broker):
    """With Redis up the rows go to the broker on commit (a worker runs them)."""
    product, slot = bookable_experience(capacity=5)
    response = partner_client.post("/api/v1/bookings/", hold_body(product, slot), format="json")
    assert response.status_code == 201
    assert redis_broker.queued() == 1  # one outbox.tasks.deliver message waits for a worker
