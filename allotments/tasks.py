from celery import shared_task


@shared_task
def release_due() -> int:
    """Return the unsold places of allotment days at their release date to general sale."""
    from .services import allotments_release_due

    return allotments_release_due()
