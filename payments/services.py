"""Payment state changes. Webhook events are recorded exactly once per Stripe event id."""

import logging

import stripe
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import StripeEvent

logger = logging.getLogger(__name__)

# Event type -> handler(event: StripeEvent) -> str; later features register here.
EVENT_HANDLERS: dict = {}


class InvalidSignature(Exception):
    pass


def stripe_event_verify(*, payload: bytes, signature: str) -> dict:
    try:
        event = stripe.Webhook.construct_event(payload, signature, settings.STRIPE_WEBHOOK_SECRET)
    except (ValueError, stripe.SignatureVerificationError) as exc:
        raise InvalidSignature(str(exc)) from exc
    return event.to_dict() if hasattr(event, "to_dict") else dict(event)


def stripe_event_record(*, event: dict) -> tuple[StripeEvent, bool]:
    """Store the event; return (event, created). A duplicate id is refused by the database."""
    try:
        with transaction.atomic():
            record = StripeEvent.objects.create(
                stripe_event_id=event["id"], type=event.get("type", ""), payload=event
            )
    except IntegrityError:
        logger.info("Stripe event %s received again: ignored", event["id"])
        return StripeEvent.objects.get(stripe_event_id=event["id"]), False
    return record, True


def stripe_event_process(*, record: StripeEvent) -> str:
    handler = EVENT_HANDLERS.get(record.type)
    with transaction.atomic():
        locked = StripeEvent.objects.select_for_update().get(pk=record.pk)
        if locked.processed_at is not None:
            return locked.result
        result = handler(locked) if handler else "ignored"
        locked.processed_at = timezone.now()
        locked.result = result[:200]
        locked.save(update_fields=["processed_at", "result"])
    return result
