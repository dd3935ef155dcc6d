"""Demo data: Tuscany Discovery Tours' webhook endpoint with a short delivery history, and
the partner's language (German) for its API answers and emails."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

DEMO_URL = "https://hooks.tuscany-discovery-tours.example/piana"
DEMO_SECRET = "whsec_demo_TuscanyDiscoveryToursDoNotUseInProduction"


def seed(context: dict) -> None:
    from accounts.models import Organisation
    from bookings.models import Booking

    from .models import DeliveryStatus, WebhookDelivery, WebhookEndpoint, WebhookEvent
    from .services import _body, booking_data

    partner = Organisation.objects.filter(slug="tuscany-discovery-tours").first()
    if partner is None:
        return
    if not partner.language:
        partner.language = "de"
        partner.save(update_fields=["language"])
    endpoint, _created = WebhookEndpoint.objects.get_or_create(
        organisation=partner,
        url=DEMO_URL,
        defaults={
            "description": "Reservierungssystem (ERP)",
            "events": [
                "booking.confirmed",
                "booking.amended",
                "booking.cancelled",
                "booking.option_expiring",
                "allotment.released",
            ],
            "secret": DEMO_SECRET,
        },
    )
    bookings = list(
        Booking.objects.filter(buyer_organisation=partner)
        .prefetch_related("lines__product")
        .order_by("created_at")[:3]
    )
    now = timezone.now()
    history = [
        ("webhook.test", None, DeliveryStatus.SUCCEEDED, 200, 118, 1, timedelta(days=6)),
        ("booking.confirmed", 0, DeliveryStatus.SUCCEEDED, 200, 143, 1, timedelta(days=5)),
        ("booking.amended", 0, DeliveryStatus.SUCCEEDED, 204, 97, 3, timedelta(days=3)),
        ("booking.option_expiring", 1, DeliveryStatus.FAILED, 500, 2310, 10, timedelta(days=2)),
        ("booking.confirmed", 2, DeliveryStatus.RETRYING, 503, 5004, 4, timedelta(hours=1)),
    ]
    for n, (event_type, index, status, code, ms, attempts, ago) in enumerate(history, start=1):
        if index is not None and not bookings:
            continue
        data = (
            {"message": "This is a test event from the Piana di Lucca DMC."}
            if index is None
            else {"booking": booking_data(bookings[index % len(bookings)])}
        )
        created = now - ago
        event = WebhookEvent.objects.filter(organisation=partner, dedupe_key=f"demo-{n}").first()
        if event is None:
            event = WebhookEvent(
                organisation=partner, type=event_type, dedupe_key=f"demo-{n}", created_at=created
            )
            event.body = _body(
                public_id=event.public_id, event_type=event_type, created=created, data=data
            )
            event.save()
        WebhookDelivery.objects.get_or_create(
            endpoint=endpoint,
            event=event,
            defaults={
                "status": status,
                "attempts": attempts,
                "response_code": code,
                "duration_ms": ms,
                "last_error": "" if status == DeliveryStatus.SUCCEEDED else f"HTTP {code}",
                "last_attempt_at": created + timedelta(minutes=attempts),
                "delivered_at": created if status == DeliveryStatus.SUCCEEDED else None,
                "next_attempt_at": now + timedelta(hours=2)
                if status == DeliveryStatus.RETRYING
                else None,
            },
        )
    context["webhooks"] = {"endpoint": endpoint}
