"""The transactional outbox: rows are written in the caller's transaction, run once after
commit, retried with back-off when they fail, taken over when a runner died, and a broker
outage never raises into the committing request."""

import ast
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import transaction
from django.utils import timezone

from outbox import registry
from outbox.models import MessageStatus, OutboxMessage
from outbox.services import (
    outbox_deliver,
    outbox_dispatch,
    outbox_enqueue,
    outbox_publish,
    outbox_retry,
    outbox_sweep,
)
from tests.faults.broker import celery_broker

pytestmark = pytest.mark.django_db

calls: list = []


def _record(**kwargs):
    calls.append(kwargs)


def _fail(**kwargs):
    raise RuntimeError("remote is down")


@pytest.fixture(autouse=True)
def _handlers():
    calls.clear()
    registry.register("test.record", _record)
    registry.register("test.fail", _fail)
    registry.register("test.deferred", _record, deferred=True)
    yield


def test_a_row_runs_once_after_commit(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        message = outbox_enqueue(handler="test.record", kwargs={"booking_id": 7})
        assert calls == []  # nothing before the commit
    assert calls == [{"booking_id": 7}]
    message.refresh_from_db()
    assert message.status == MessageStatus.DONE and message.attempts == 1
    assert outbox_deliver(message_id=message.pk) is None  # a second delivery is a no-op
    assert outbox_sweep() == {"done": 0, "failed": 0}
    assert calls == [{"booking_id": 7}]


def test_a_rolled_back_transaction_leaves_no_row_and_runs_nothing(
    django_capture_on_commit_callbacks,
):
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(ValueError),
        transaction.atomic(),
    ):
        outbox_enqueue(handler="test.record", kwargs={})
        raise ValueError
    assert not OutboxMessage.objects.exists() and calls == []


def test_an_unknown_handler_is_refused_in_the_callers_transaction():
    with pytest.raises(registry.UnknownHandler):
        outbox_enqueue(handler="nobody.knows", kwargs={})


def test_a_failed_row_records_the_error_and_backs_off_then_gives_up(settings):
    settings.OUTBOX_MAX_ATTEMPTS = 3
    message = OutboxMessage.objects.create(handler="test.fail", kwargs={})
    assert outbox_sweep() == {"done": 0, "failed": 1}
    message.refresh_from_db()
    assert message.status == MessageStatus.PENDING and message.attempts == 1
    assert "remote is down" in message.last_error
    assert message.available_at > timezone.now() + timedelta(seconds=20)
    assert outbox_sweep() == {"done": 0, "failed": 0}  # not due before its back-off
    later = timezone.now() + timedelta(hours=3)
    outbox_sweep(now=later)
    outbox_sweep(now=later + timedelta(hours=3))
    message.refresh_from_db()
    assert message.status == MessageStatus.DEAD and message.attempts == 3
    # staff's "retry now" in the admin makes it due again
    registry.register("test.fail", _record)
    assert outbox_retry(messages=[message]) == 1
    assert outbox_sweep() == {"done": 1, "failed": 0}


def test_a_row_whose_runner_died_is_taken_over_after_its_lease():
    message = OutboxMessage.objects.create(
        handler="test.record",
        kwargs={"n": 1},
        status=MessageStatus.RUNNING,
        attempts=1,
        leased_until=timezone.now() + timedelta(minutes=5),
    )
    assert outbox_sweep() == {"done": 0, "failed": 0}  # still leased to someone
    OutboxMessage.objects.filter(pk=message.pk).update(
        leased_until=timezone.now() - timedelta(seconds=1)
    )
    assert outbox_sweep() == {"done": 1, "failed": 0}
    message.refresh_from_db()
    assert message.status == MessageStatus.DONE and message.attempts == 2


def test_publish_writes_one_row_per_subscriber():
    registry.subscribe("test.topic", name="test.sub.a", function=_record)
    registry.subscribe("test.topic", name="test.sub.b", function=_record)
    registry.subscribe("test.topic", name="test.sub.a", function=_record)  # no duplicate
    rows = outbox_publish(topic="test.topic", payload={"booking_id": 3})
    assert [r.handler for r in rows] == ["test.sub.a", "test.sub.b"]
    outbox_sweep()
    assert calls == [{"booking_id": 3}, {"booking_id": 3}]


def test_a_deferred_handler_is_left_to_the_sweep_in_eager_mode(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        message = outbox_enqueue(handler="test.deferred", kwargs={"x": 1})
    assert calls == []
    assert OutboxMessage.objects.get(pk=message.pk).status == MessageStatus.PENDING
    outbox_sweep()
    assert calls == [{"x": 1}]


def test_dispatch_never_raises_when_the_broker_is_down():
    message = OutboxMessage.objects.create(handler="test.record", kwargs={})
    with celery_broker("redis://127.0.0.1:1/0"):  # nothing listens on port 1
        assert outbox_dispatch(message_id=message.pk) is False
    assert OutboxMessage.objects.get(pk=message.pk).status == MessageStatus.PENDING
    assert calls == []


def _imported_modules(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
    return names


def test_the_booking_engine_imports_neither_payments_nor_invoices():
    root = Path(__file__).resolve().parents[2] / "bookings"
    offenders = [
        f"{path.relative_to(root.parent)}: {name}"
        for path in root.rglob("*.py")
        for name in _imported_modules(path)
        if name.split(".")[0] in ("payments", "invoices")
    ]
    assert offenders == []


def test_payments_and_invoices_subscribe_to_the_booking_events():
    assert registry.subscribers("bookings.confirmed") == [
        "payments.booking_confirmed",
        "invoices.invoice_booking",
        "webhooks.booking_confirmed",
    ]
    assert registry.subscribers("bookings.cancelled") == [
        "payments.booking_cancelled",
        "invoices.credit_cancellation",
        "webhooks.booking_cancelled",
    ]
    assert registry.subscribers("bookings.amended") == [
        "payments.booking_amended",
        "invoices.amendment_documents",
        "webhooks.booking_amended",
    ]
    assert registry.subscribers("bookings.redeemed") == ["payments.booking_redeemed"]


def test_finance_staff_see_the_outbox_in_the_admin_and_retry_a_row(client):
    from accounts.services import DmcGroup, dmc_groups_ensure
    from tests.factories import UserFactory

    groups = dmc_groups_ensure()
    message = OutboxMessage.objects.create(
        handler="test.fail", kwargs={}, status=MessageStatus.DEAD, attempts=12, last_error="x"
    )
    outsider = UserFactory(is_staff=True)
    client.force_login(outsider)
    assert client.get("/admin/outbox/outboxmessage/").status_code == 403
    finance = UserFactory(is_staff=True)
    finance.groups.add(groups[DmcGroup.FINANCE])
    client.force_login(finance)
    page = client.get("/admin/outbox/outboxmessage/")
    assert page.status_code == 200 and "test.fail" in page.content.decode()
    response = client.post(
        "/admin/outbox/outboxmessage/",
        {"action": "retry_now", "_selected_action": [message.pk]},
    )
    assert response.status_code == 302
    message.refresh_from_db()
    assert message.status == MessageStatus.PENDING
