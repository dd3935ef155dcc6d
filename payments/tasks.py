"""Celery tasks: thin, idempotent wrappers around services. The daily ones belong in
CELERY_BEAT_SCHEDULE (see the app's README section in the report)."""

from celery import shared_task


@shared_task(acks_late=True)
def refund_for_cancellation(booking_id: int) -> str:
    from bookings.models import Booking

    from .refunds import refund_for_cancellation as refund

    booking = Booking.objects.filter(pk=booking_id).first()
    return str(refund(booking=booking)) if booking else "missing"


@shared_task(acks_late=True)
def refund_for_amendment(booking_id: int) -> str:
    from bookings.models import Booking

    from .refunds import refund_for_amendment as refund

    booking = Booking.objects.filter(pk=booking_id).first()
    return str(refund(booking=booking)) if booking else "missing"


class StripeUnreachable(Exception):
    """Raised so that the outbox retries the row later."""


# deferred: run by a worker or the outbox sweep, never inline in the thread that released
# the hold (in eager mode), so that a slow Stripe never holds up a release or a request.
@shared_task(acks_late=True, deferred=True)
def cancel_open_intents(booking_id: int) -> dict:
    from bookings.models import Booking

    from .services import payment_intents_cancel_open

    booking = Booking.objects.filter(pk=booking_id).first()
    result = payment_intents_cancel_open(booking=booking) if booking else {}
    if result.get("failed"):
        raise StripeUnreachable(f"{result['failed']} intent(s) of booking {booking_id} open")
    return result


@shared_task(acks_late=True)
def cancel_stale_intent(payment_id: int) -> None:
    from .services import payment_intent_cancel_stale

    payment_intent_cancel_stale(payment_id=payment_id)


@shared_task(acks_late=True)
def tell_dmc(message: str) -> None:
    from .services import dmc_tell_refunded_automatically

    dmc_tell_refunded_automatically(message=message)


@shared_task(acks_late=True)
def refund_orphan_payment(payment_id: int) -> int:
    from .models import Payment
    from .refunds import refund_orphan

    payment = Payment.objects.filter(pk=payment_id).first()
    return len(refund_orphan(payment=payment)) if payment else 0


@shared_task
def send_payment_reminders() -> int:
    from .schedule import reminders_send

    return reminders_send()


@shared_task
def handle_overdue_instalments() -> dict:
    from .schedule import overdue_handle

    return overdue_handle()


@shared_task
def release_payables() -> int:
    from .payouts import payables_release_due

    return payables_release_due()


@shared_task
def reconcile_yesterday() -> int:
    from datetime import timedelta

    from django.utils import timezone

    from .reconciliation import reconcile_day

    return len(reconcile_day(day=timezone.localdate() - timedelta(days=1)).differences)
