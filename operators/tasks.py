"""Periodic jobs of the operators app: thin wrappers around services, idempotent."""

from celery import shared_task

from . import services


@shared_task(name="operators.tasks.roll_inventory_forward")
def roll_inventory_forward(horizon_days: int = services.DEFAULT_HORIZON_DAYS) -> dict:
    """Keep a full year of slots and nights ahead of today."""
    return services.inventory_roll_forward(horizon_days=horizon_days)
