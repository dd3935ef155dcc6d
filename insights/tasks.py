from celery import shared_task

from .statutory import guest_documents_purge


@shared_task
def purge_guest_documents() -> int:
    """Daily: delete guests' document data past its retention date (idempotent)."""
    return guest_documents_purge()
