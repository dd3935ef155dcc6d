"""Periodic jobs of the operators app: thin wrappers around services, idempotent."""

from celery import shared_task

from . import services


@shared_task(name="operators.tasks.roll_inventory_forward")
def roll_inventory_forward(horizon_days: int | None = None) -> dict:
    """Keep slots and nights open up to the DMC's booking horizon (at least two years)."""
    return services.inventory_roll_forward(horizon_days=horizon_days)
