from celery import shared_task


@shared_task
def privacy_purge() -> dict:
    """Nightly: the privacy notice's retention periods (marketplace.privacy). It lives here,
    not in bookings, because it reads payments and invoices, which the booking engine does
    not import."""
    from .privacy import privacy_purge as purge

    return purge()
