from celery import shared_task

from .models import Booking


@shared_task(acks_late=True)
def send_booking_notification(booking_id: int, event: str) -> int:
    from .notifications import send_booking_notification as send

    booking = Booking.objects.filter(pk=booking_id).first()
    return send(booking=booking, event=event) if booking else 0


@shared_task(acks_late=True)
def generate_voucher(booking_id: int) -> str:
    from .vouchers import voucher_generate

    booking = Booking.objects.filter(pk=booking_id).first()
    if booking is None:
        return "missing"
    return voucher_generate(booking=booking).pdf.name


@shared_task
def release_expired_holds() -> int:
    from .services import holds_release_expired

    return holds_release_expired()


@shared_task
def process_departure_guarantees() -> dict:
    """Confirm or cancel the departures past their cut-off; cancel the bookings on the
    cancelled ones (free of charge) with a notification to each buyer."""
    from packages.services import departures_process_guarantees

    from .services import bookings_cancel_for_departures

    result = departures_process_guarantees()
    cancelled = result.get("cancelled", [])
    n = bookings_cancel_for_departures(departure_ids=[d.pk for d in cancelled])
    return {
        "guaranteed": len(result.get("guaranteed", [])),
        "cancelled": len(cancelled),
        "bookings_cancelled": n,
    }
