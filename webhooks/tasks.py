from celery import shared_task


@shared_task(acks_late=True, ignore_result=True)
def deliver(delivery_id: int):
    """One attempt of a webhook delivery (dispatched after commit, or as a retry)."""
    from .services import delivery_attempt

    delivery_attempt(delivery_id=delivery_id)


@shared_task(ignore_result=True)
def sweep() -> dict:
    """Every due webhook delivery (beat): retries, and what the broker lost."""
    from .services import deliveries_sweep

    return deliveries_sweep()


@shared_task(ignore_result=True)
def announce_expiring_options() -> int:
    """Partners' options expiring soon: `trade.option_expiring`, once per option (beat)."""
    from .services import options_announce_expiring

    return options_announce_expiring()
