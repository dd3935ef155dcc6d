"""Celery tasks: thin, idempotent wrappers around services."""

from celery import shared_task


@shared_task
def departure_decision_notify(*, departure_id: int) -> None:
    from .notifications import departure_decision_send

    departure_decision_send(departure_id=departure_id)


@shared_task
def departures_process_guarantees_daily() -> dict:
    """Run daily (Celery beat): confirm or cancel the departures at their cut-off."""
    from .services import departures_process_guarantees

    result = departures_process_guarantees()
    return {key: [d.pk for d in value] for key, value in result.items()}


@shared_task
def packages_flag_archived_products() -> list[int]:
    from .services import package_flag_archived_products

    return [p.pk for p in package_flag_archived_products()]
