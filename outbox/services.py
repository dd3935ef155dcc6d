"""The transactional outbox: `outbox_enqueue` writes a row in the caller's transaction and
asks for its dispatch after commit; a worker (or, in eager mode, the committing thread) runs
it; `outbox_sweep` runs whatever is still due (broker down, worker killed, failed attempt
whose back-off is over). A row is claimed before it runs, so two runners never run it twice
at the same time; handlers are idempotent, so a retry after a crash is harmless."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from . import registry
from .models import MessageStatus, OutboxMessage

logger = logging.getLogger(__name__)


def _setting(name: str, default):
    return getattr(settings, name, default)


def outbox_message(*, handler, kwargs: dict | None = None) -> OutboxMessage:
    """The unsaved row of `handler(**kwargs)`, for a caller that inserts it with its own rows
    (then calls `outbox_dispatch` once they are committed). An unknown name fails now."""
    name = handler if isinstance(handler, str) else handler.name
    registry.resolve(name)
    return OutboxMessage(handler=name, kwargs=kwargs or {})


def outbox_enqueue(*, handler, kwargs: dict | None = None) -> OutboxMessage:
    """Record `handler(**kwargs)` (a registered name or a Celery task) to run after commit.
    Called inside a transaction, nothing runs if it rolls back."""
    message = outbox_message(handler=handler, kwargs=kwargs)
    message.save(force_insert=True)
    message_id = message.pk
    transaction.on_commit(lambda: outbox_dispatch(message_id=message_id))
    return message


def outbox_publish(*, topic: str, payload: dict) -> list[OutboxMessage]:
    """One row per subscriber of `topic` (see `registry.subscribe`)."""
    return [outbox_enqueue(handler=name, kwargs=payload) for name in registry.subscribers(topic)]


def outbox_dispatch(*, message_id: int) -> bool:
    """Hand a committed row to the worker (in eager mode: run it now). Never raises: a
    broker outage is logged and the row stays pending for the sweep."""
    try:
        from celery import current_app

        from .tasks import deliver

        if not current_app.conf.task_always_eager:
            # The arguments' representations for monitoring, given: Celery would `saferepr`
            # them on every message.
            deliver.apply_async((message_id,), argsrepr=f"({message_id},)", kwargsrepr="{}")
            return True
        message = OutboxMessage.objects.filter(pk=message_id).only("handler").first()
        if message is None or registry.resolve(message.handler).deferred:
            return False  # left for the sweep: never wait on Stripe in this thread
        outbox_deliver(message_id=message_id)  # eager: no broker involved at all
        return True
    except Exception:
        logger.warning(
            "outbox message %s not dispatched: it stays pending for the sweep",
            message_id,
            exc_info=True,
        )
        return False


def _due(now):
    return Q(status=MessageStatus.PENDING, available_at__lte=now) | Q(
        status=MessageStatus.RUNNING, leased_until__lt=now
    )


def _claim(*, now, limit: int, message_id: int | None = None) -> list[OutboxMessage]:
    """Lease due rows to this runner (SKIP LOCKED on PostgreSQL; a compare-and-set update
    makes the claim safe where the database has no row locks)."""
    lease = timedelta(seconds=_setting("OUTBOX_LEASE_SECONDS", 300))
    claimed = []
    with transaction.atomic():
        rows = OutboxMessage.objects.select_for_update(skip_locked=True).filter(_due(now))
        if message_id is not None:
            rows = rows.filter(pk=message_id)
        for row in rows.order_by("pk")[:limit]:
            won = OutboxMessage.objects.filter(
                pk=row.pk, status=row.status, attempts=row.attempts
            ).update(
                status=MessageStatus.RUNNING, attempts=row.attempts + 1, leased_until=now + lease
            )
            if won:
                row.status, row.attempts = MessageStatus.RUNNING, row.attempts + 1
                claimed.append(row)
    return claimed


def _backoff(attempts: int) -> timedelta:
    base = _setting("OUTBOX_BACKOFF_SECONDS", 30)
    cap = _setting("OUTBOX_BACKOFF_MAX_SECONDS", 3600)
    return timedelta(seconds=min(base * 2 ** max(attempts - 1, 0), cap))


def _run(message: OutboxMessage) -> bool:
    try:
        registry.resolve(message.handler).function(**message.kwargs)
    except Exception as exc:
        logger.exception("outbox message %s (%s) failed", message.pk, message.handler)
        dead = message.attempts >= _setting("OUTBOX_MAX_ATTEMPTS", 12)
        OutboxMessage.objects.filter(pk=message.pk, status=MessageStatus.RUNNING).update(
            status=MessageStatus.DEAD if dead else MessageStatus.PENDING,
            available_at=timezone.now() + _backoff(message.attempts),
            leased_until=None,
            last_error=f"{exc.__class__.__name__}: {exc}"[:2000],
        )
        return False
    OutboxMessage.objects.filter(pk=message.pk).update(
        status=MessageStatus.DONE, done_at=timezone.now(), leased_until=None
    )
    return True


def outbox_deliver(*, message_id: int) -> bool | None:
    """Run one row if it is due (None: someone else has it, or it is done)."""
    claimed = _claim(now=timezone.now(), limit=1, message_id=message_id)
    return _run(claimed[0]) if claimed else None


def outbox_sweep(*, limit: int = 500, now=None) -> dict:
    """Run every due row, oldest first, up to `limit` (the periodic task and the command)."""
    result = {"done": 0, "failed": 0}
    while result["done"] + result["failed"] < limit:
        batch = _claim(
            now=now or timezone.now(), limit=min(50, limit - result["done"] - result["failed"])
        )
        if not batch:
            break
        for message in batch:
            result["done" if _run(message) else "failed"] += 1
    return result


def outbox_retry(*, messages) -> int:
    """Staff's "retry now": failed or given-up rows become due at once."""
    return (
        OutboxMessage.objects.filter(pk__in=[m.pk for m in messages])
        .exclude(status=MessageStatus.DONE)
        .update(status=MessageStatus.PENDING, available_at=timezone.now(), leased_until=None)
    )
