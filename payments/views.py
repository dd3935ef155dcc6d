import logging

from django.http import HttpResponse, HttpResponseBadRequest
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from . import services

logger = logging.getLogger(__name__)


@csrf_exempt
@require_POST
def stripe_webhook(request):
    """Stripe's webhook: 400 for a bad signature, 200 for a handled, duplicate or ignored
    event, 503 only where Stripe should retry (a lock timeout, Stripe unreachable)."""
    try:
        payload = services.stripe_event_verify(
            payload=request.body, signature=request.headers.get("Stripe-Signature", "")
        )
    except services.InvalidSignature:
        logger.warning("Stripe webhook with an invalid signature refused")
        return HttpResponseBadRequest("invalid signature")
    record, created = services.stripe_event_record(payload=payload)
    if record.processed_at is not None:
        return HttpResponse(record.result if created else "duplicate")
    try:
        result = services.stripe_event_process(record=record)
    except services.RetryLater as exc:
        logger.warning("Stripe event %s to be retried: %s", record.stripe_event_id, exc)
        return HttpResponse("retry later", status=503)
    return HttpResponse(result)
