from celery import shared_task


@shared_task(acks_late=True, ignore_result=True)
def deliver(message_id: int) -> bool | None:
    """Run one outbox row (dispatched on commit)."""
    from .services import outbox_deliver

    return outbox_deliver(message_id=message_id)


@shared_task(ignore_result=True)
def sweep() -> dict:
    """Run every due outbox row (beat schedule): what the broker lost or a worker dropped."""
    from .services import outbox_sweep

    return outbox_sweep()
