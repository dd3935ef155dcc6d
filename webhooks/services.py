"""Partner webhooks: endpoints, events and their delivery.

Flow: the booking engine (or allotments, or the option-expiry task) publishes a topic through
the transactional outbox; the handlers here (registered in `WebhooksConfig.ready()`) record
the partner's event and one delivery per subscribed endpoint in ONE transaction, and ask for
their dispatch after commit. A delivery is attempted by a Celery task (`tasks.deliver`), or by
the periodic sweep for whatever the broker lost; a failed attempt is retried with an
exponential back-off. The booking's own request never waits for a partner's server: the
deliveries only run in a worker or the sweep, with short connect/read timeouts."""

from __future__ import annotations

import ipaddress
import json
import logging
import time
from datetime import timedelta
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from . import signing
from .models import (
    DUE_STATUSES,
    SUBSCRIBABLE,
    DeliveryStatus,
    EventType,
    OptionExpiryNotice,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
)

logger = logging.getLogger(__name__)

USER_AGENT = "PianaDiLucca-Webhooks/1.0"


def _setting(name: str, default):
    return getattr(settings, name, default)


# --------------------------------------------------------------------------- endpoints


def validate_endpoint_url(url: str) -> None:
    """https only where WEBHOOKS_REQUIRE_HTTPS (production); no loopback or private address
    unless WEBHOOKS_ALLOW_PRIVATE_HOSTS (the platform must not be a way into its own network)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValidationError({"url": _("Give a full URL.")}, code="invalid")
    if _setting("WEBHOOKS_REQUIRE_HTTPS", True) and parts.scheme != "https":
        raise ValidationError({"url": _("The URL must start with https://.")}, code="https")
    if not _setting("WEBHOOKS_ALLOW_PRIVATE_HOSTS", False):
        host = parts.hostname.lower()
        try:
            address = ipaddress.ip_address(host)
        except ValueError:
            address = None
        if (
            host == "localhost"
            or host.endswith(".localhost")
            or (address is not None and not address.is_global)
        ):
            raise ValidationError(
                {"url": _("The URL must be reachable on the internet.")}, code="private_host"
            )


def _clean_events(events) -> list[str]:
    allowed = [value for value, _label in SUBSCRIBABLE]
    chosen = [e for e in allowed if e in set(events or [])]
    if not chosen or len(chosen) != len(set(events)):
        raise ValidationError({"events": _("Choose at least one event.")}, code="invalid")
    return chosen


def endpoint_create(
    *, organisation, url: str, events, description: str = "", created_by=None
) -> WebhookEndpoint:
    validate_endpoint_url(url)
    endpoint = WebhookEndpoint(
        organisation=organisation,
        url=url,
        events=_clean_events(events),
        description=description,
        created_by=created_by,
    )
    endpoint.full_clean()
    endpoint.save()
    return endpoint


def endpoint_update(
    *, endpoint: WebhookEndpoint, url: str, events, description: str = ""
) -> WebhookEndpoint:
    validate_endpoint_url(url)
    endpoint.url, endpoint.description = url, description
    endpoint.events = _clean_events(events)
    endpoint.full_clean()
    endpoint.save(update_fields=["url", "description", "events"])
    return endpoint


def endpoint_enable(*, endpoint: WebhookEndpoint) -> WebhookEndpoint:
    endpoint.is_active, endpoint.consecutive_failures = True, 0
    endpoint.disabled_at, endpoint.disabled_reason = None, ""
    endpoint.save(
        update_fields=["is_active", "consecutive_failures", "disabled_at", "disabled_reason"]
    )
    return endpoint


def endpoint_disable(*, endpoint: WebhookEndpoint, reason: str = "") -> WebhookEndpoint:
    endpoint.is_active = False
    endpoint.disabled_at = timezone.now()
    endpoint.disabled_reason = reason[:200]
    endpoint.save(update_fields=["is_active", "disabled_at", "disabled_reason"])
    return endpoint


def endpoint_roll_secret(*, endpoint: WebhookEndpoint) -> str:
    from .models import new_secret

    endpoint.secret = new_secret()
    endpoint.save(update_fields=["secret"])
    return endpoint.secret


def endpoint_delete(*, endpoint: WebhookEndpoint) -> None:
    endpoint.delete()


# --------------------------------------------------------------------------- events


def _body(*, public_id: str, event_type: str, created, data: dict) -> str:
    envelope = {"id": public_id, "type": event_type, "created": created, "data": data}
    return json.dumps(envelope, cls=DjangoJSONEncoder, ensure_ascii=False, sort_keys=True)


def event_record(
    *,
    organisation,
    event_type: str,
    data: dict,
    dedupe_key: str = "",
    endpoints: list[WebhookEndpoint] | None = None,
) -> WebhookEvent | None:
    """The partner's event and one delivery per endpoint that wants it, in one transaction;
    their dispatch is asked for after commit. None when no endpoint listens or when the event
    was already recorded (same `dedupe_key`)."""
    with transaction.atomic():
        if endpoints is None:
            endpoints = [
                e
                for e in WebhookEndpoint.objects.filter(organisation=organisation, is_active=True)
                if e.wants(event_type)
            ]
        if not endpoints:
            return None
        event = WebhookEvent(organisation=organisation, type=event_type, dedupe_key=dedupe_key)
        event.body = _body(
            public_id=event.public_id, event_type=event_type, created=event.created_at, data=data
        )
        try:
            with transaction.atomic():
                event.save()
        except IntegrityError:
            return None  # recorded before (a repeated outbox run): nothing new to send
        now = timezone.now()
        deliveries = WebhookDelivery.objects.bulk_create(
            WebhookDelivery(endpoint=e, event=event, next_attempt_at=now) for e in endpoints
        )
        ids = [d.pk for d in deliveries if d.pk] or list(
            WebhookDelivery.objects.filter(event=event).values_list("pk", flat=True)
        )
        transaction.on_commit(lambda: deliveries_dispatch(delivery_ids=ids))
    return event


def _money(value) -> str:
    return f"{value:.2f}"


def booking_data(booking) -> dict:
    """A booking as its buyer partner sees it: what the partner pays (the lines' retail
    amounts are the partner's prices), never the operators' net or commission."""
    lines = [line for line in booking.lines.all() if line.parent_id is None]
    return {
        "reference": booking.reference,
        "status": booking.status,
        "buyer_reference": booking.buyer_reference,
        "currency": "EUR",
        "total": _money(booking.total_retail),
        "tourist_tax": _money(booking.tourist_tax),
        "penalty_total": _money(booking.penalty_total),
        "refund_due": _money(booking.refund_due),
        "first_service_date": booking.first_service_date,
        "expires_at": booking.expires_at,
        "confirmed_at": booking.confirmed_at,
        "cancelled_at": booking.cancelled_at,
        "lines": [
            {
                "id": line.pk,
                "kind": line.kind,
                "status": line.status,
                "product": line.product.slug if line.product_id else None,
                "package": line.package_slug or None,
                "title": line.title,
                "service_date": line.service_date,
                "end_date": line.end_date,
                "start_time": line.start_time,
                "quantity": line.quantity,
                "persons": line.persons,
                "amount": _money(line.retail_amount),
                "penalty_amount": _money(line.penalty_amount),
            }
            for line in lines
        ],
    }


def _partner_booking(booking_id):
    from bookings.models import Booking

    booking = (
        Booking.objects.select_related("buyer_organisation")
        .prefetch_related("lines__product")
        .filter(pk=booking_id)
        .first()
    )
    if booking is None or booking.buyer_organisation is None:
        return None
    if booking.buyer_organisation.kind != "trade":
        return None
    return booking


def _booking_event(event_type: str, booking_id: int, dedupe_key: str = "", **extra):
    booking = _partner_booking(booking_id)
    if booking is None:
        return None
    data = {"booking": booking_data(booking), **extra}
    return event_record(
        organisation=booking.buyer_organisation,
        event_type=event_type,
        data=data,
        dedupe_key=dedupe_key,
    )


# Outbox handlers (registered in apps.py): payloads are ids, the state is re-read here.


def on_booking_confirmed(*, booking_id: int, **_payload):
    return _booking_event(EventType.BOOKING_CONFIRMED, booking_id, dedupe_key=str(booking_id))


def on_booking_cancelled(*, booking_id: int, cancelled_line_ids=None, **_payload):
    lines = ",".join(str(i) for i in sorted(cancelled_line_ids)) if cancelled_line_ids else "all"
    return _booking_event(
        EventType.BOOKING_CANCELLED,
        booking_id,
        dedupe_key=f"{booking_id}:{lines}"[:120],
        cancelled_line_ids=cancelled_line_ids,
    )


def on_booking_amended(*, booking_id: int, **_payload):
    return _booking_event(EventType.BOOKING_AMENDED, booking_id)


def on_option_expiring(*, booking_id: int, expires_at: str | None = None, **_payload):
    return _booking_event(
        EventType.OPTION_EXPIRING, booking_id, dedupe_key=f"{booking_id}:{expires_at or ''}"
    )


def on_allotment_released(*, allotment_id: int, partner_id: int, **payload):
    from accounts.models import Organisation

    partner = Organisation.objects.filter(pk=partner_id, kind="trade").first()
    if partner is None:
        return None
    data = {"allotment_id": allotment_id, **{k: v for k, v in payload.items() if k != "net"}}
    return event_record(organisation=partner, event_type=EventType.ALLOTMENT_RELEASED, data=data)


OPTION_EXPIRING_TOPIC = "trade.option_expiring"


def options_announce_expiring(*, now=None, within_hours: int | None = None) -> int:
    """Publish `trade.option_expiring` once per partner option expiring within the next
    hours (WEBHOOKS_OPTION_EXPIRING_HOURS): the notice row and the outbox row are written in
    the same transaction, so a repeated run announces nothing twice."""
    from bookings.models import Booking, BookingStatus
    from outbox.services import outbox_publish

    now = now or timezone.now()
    hours = within_hours or _setting("WEBHOOKS_OPTION_EXPIRING_HOURS", 24)
    options = (
        Booking.objects.filter(
            status=BookingStatus.HELD,
            buyer_organisation__kind="trade",
            expires_at__gt=now,
            expires_at__lte=now + timedelta(hours=hours),
        )
        .exclude(pk__in=OptionExpiryNotice.objects.filter(expires_at__gt=now).values("booking_id"))
        .only("pk", "expires_at")
    )
    announced = 0
    for booking in options:
        try:
            with transaction.atomic():
                OptionExpiryNotice.objects.create(booking=booking, expires_at=booking.expires_at)
                payload = {"booking_id": booking.pk, "expires_at": booking.expires_at.isoformat()}
                outbox_publish(topic=OPTION_EXPIRING_TOPIC, payload=payload)
        except IntegrityError:
            continue
        announced += 1
    return announced


def endpoint_send_test(*, endpoint: WebhookEndpoint) -> WebhookDelivery:
    """A test event to this endpoint only, attempted at once (the partner waits for the
    answer: bounded by the timeouts)."""
    event = event_record(
        organisation=endpoint.organisation,
        event_type=EventType.TEST,
        data={"message": "This is a test event from the Piana di Lucca DMC."},
        endpoints=[endpoint],
    )
    delivery = WebhookDelivery.objects.get(event=event, endpoint=endpoint)
    return delivery_attempt(delivery_id=delivery.pk, force=True) or delivery


def delivery_redeliver(*, delivery: WebhookDelivery) -> WebhookDelivery:
    """The partner's "redeliver": one more attempt now, whatever the state."""
    return delivery_attempt(delivery_id=delivery.pk, force=True) or delivery


# --------------------------------------------------------------------------- delivery


def deliveries_dispatch(*, delivery_ids: list[int]) -> None:
    """Hand deliveries to the workers. Never raises: with the broker down, or in eager mode
    (where a partner's server must never be called from the committing request), the rows
    stay due for the sweep."""
    from celery import current_app

    if current_app.conf.task_always_eager:
        return
    try:
        from .tasks import deliver

        for delivery_id in delivery_ids:
            deliver.delay(delivery_id)
    except Exception:
        logger.warning("webhook deliveries %s left for the sweep", delivery_ids, exc_info=True)


def _schedule_retry(delivery_id: int, countdown: float) -> None:
    from celery import current_app

    if current_app.conf.task_always_eager:
        return  # the sweep runs it when due
    try:
        from .tasks import deliver

        deliver.apply_async((delivery_id,), countdown=countdown)
    except Exception:
        logger.warning("webhook delivery %s retry left for the sweep", delivery_id, exc_info=True)


def backoff(attempts: int) -> timedelta:
    base = _setting("WEBHOOKS_BACKOFF_SECONDS", 30)
    cap = _setting("WEBHOOKS_BACKOFF_MAX_SECONDS", 6 * 3600)
    return timedelta(seconds=min(base * 2 ** max(attempts - 1, 0), cap))


def _claim(*, delivery_id: int, now, force: bool) -> bool:
    """Compare-and-set: only one runner sends a delivery at a time (a lease covers a worker
    that died mid-attempt)."""
    lease = now + timedelta(seconds=_setting("WEBHOOKS_LEASE_SECONDS", 120))
    running = Q(status=DeliveryStatus.SENDING, leased_until__lt=now)
    due = Q(status__in=DUE_STATUSES, next_attempt_at__lte=now) | running
    if force:
        due = ~Q(status=DeliveryStatus.SENDING) | running
    return bool(
        WebhookDelivery.objects.filter(due, pk=delivery_id).update(
            status=DeliveryStatus.SENDING, attempts=F("attempts") + 1, leased_until=lease
        )
    )


def _post(endpoint: WebhookEndpoint, event: WebhookEvent) -> tuple[int | None, str]:
    body = event.body.encode()
    timestamp = int(time.time())
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        signing.EVENT_ID_HEADER: event.public_id,
        signing.EVENT_TYPE_HEADER: event.type,
        signing.TIMESTAMP_HEADER: str(timestamp),
        signing.SIGNATURE_HEADER: signing.signature_header(
            secret=endpoint.secret, timestamp=timestamp, body=body
        ),
    }
    timeout = (
        _setting("WEBHOOKS_CONNECT_TIMEOUT_SECONDS", 3.0),
        _setting("WEBHOOKS_READ_TIMEOUT_SECONDS", 5.0),
    )
    try:
        with requests.post(
            endpoint.url,
            data=body,
            headers=headers,
            timeout=timeout,
            allow_redirects=False,
            stream=True,
        ) as response:
            code = response.status_code
    except requests.Timeout:
        return None, "timeout"
    except requests.ConnectionError as exc:
        return None, f"connection error: {exc.__class__.__name__}"
    except requests.RequestException as exc:
        return None, f"{exc.__class__.__name__}: {exc}"[:300]
    return code, "" if 200 <= code < 300 else f"HTTP {code}"


def delivery_attempt(*, delivery_id: int, force: bool = False, now=None) -> WebhookDelivery | None:
    """One attempt of a due delivery (any delivery when `force`); None if it is not due or
    someone else is sending it. The HTTP call runs outside any transaction or lock."""
    now = now or timezone.now()
    if not _claim(delivery_id=delivery_id, now=now, force=force):
        return None
    delivery = WebhookDelivery.objects.select_related("endpoint__organisation", "event").get(
        pk=delivery_id
    )
    endpoint = delivery.endpoint
    if not endpoint.is_active and not force:
        code, error, duration = None, "endpoint disabled", 0
    else:
        started = time.monotonic()
        code, error = _post(endpoint, delivery.event)
        duration = int((time.monotonic() - started) * 1000)
    finished = timezone.now()
    delivery.response_code, delivery.duration_ms = code, duration
    delivery.last_attempt_at, delivery.last_error = finished, error
    delivery.leased_until = None
    if not error:
        delivery.status, delivery.delivered_at, delivery.next_attempt_at = (
            DeliveryStatus.SUCCEEDED,
            finished,
            None,
        )
    elif delivery.attempts >= _setting("WEBHOOKS_MAX_ATTEMPTS", 10) or not endpoint.is_active:
        delivery.status, delivery.next_attempt_at = DeliveryStatus.FAILED, None
    else:
        delivery.status = DeliveryStatus.RETRYING
        delivery.next_attempt_at = finished + backoff(delivery.attempts)
    delivery.save(
        update_fields=[
            "status",
            "response_code",
            "duration_ms",
            "last_attempt_at",
            "last_error",
            "leased_until",
            "delivered_at",
            "next_attempt_at",
        ]
    )
    if endpoint.is_active:
        _count_outcome(endpoint, succeeded=not error)
    if delivery.status == DeliveryStatus.RETRYING:
        _schedule_retry(delivery.pk, (delivery.next_attempt_at - finished).total_seconds())
    return delivery


def _count_outcome(endpoint: WebhookEndpoint, *, succeeded: bool) -> None:
    """Failures in a row per endpoint; past WEBHOOKS_DISABLE_AFTER_FAILURES the endpoint is
    disabled (its pending deliveries given up) and the partner's managers are told by email."""
    endpoints = WebhookEndpoint.objects.filter(pk=endpoint.pk)
    if succeeded:
        endpoints.filter(consecutive_failures__gt=0).update(consecutive_failures=0)
        return
    endpoints.update(consecutive_failures=F("consecutive_failures") + 1)
    limit = _setting("WEBHOOKS_DISABLE_AFTER_FAILURES", 20)
    with transaction.atomic():
        locked = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
        if not locked.is_active or locked.consecutive_failures < limit:
            return
        reason = _("Disabled after %(n)d failed deliveries in a row.") % {
            "n": locked.consecutive_failures
        }
        endpoint_disable(endpoint=locked, reason=reason)
        WebhookDelivery.objects.filter(endpoint=locked, status__in=DUE_STATUSES).update(
            status=DeliveryStatus.FAILED, next_attempt_at=None, last_error="endpoint disabled"
        )
        transaction.on_commit(lambda: _tell_partner_disabled(locked.pk))


def _tell_partner_disabled(endpoint_id: int) -> None:
    from accounts.models import Role

    endpoint = WebhookEndpoint.objects.select_related("organisation").get(pk=endpoint_id)
    organisation = endpoint.organisation
    recipients = set(
        organisation.memberships.filter(role__in=[Role.OWNER, Role.MANAGER]).values_list(
            "user__email", flat=True
        )
    )
    if organisation.email:
        recipients.add(organisation.email)
    if not recipients:
        return
    from marketplace.languages import organisation_language

    with translation.override(organisation_language(organisation)):
        subject = _("Your webhook endpoint was disabled")
        body = _(
            "We disabled your webhook endpoint %(url)s after %(n)d failed deliveries in a "
            "row. Check that it answers with a 2xx status, then enable it again and redeliver "
            "the events you missed: %(page)s"
        ) % {
            "url": endpoint.url,
            "n": endpoint.consecutive_failures,
            "page": f"{settings.SITE_URL}/{translation.get_language()}/trade/webhooks/"
            f"{endpoint.pk}/",
        }
    try:
        send_mail(subject, body, None, sorted(recipients))
    except Exception:
        logger.exception("could not tell %s that its webhook endpoint is off", organisation)


def deliveries_sweep(*, now=None, limit: int = 200) -> dict:
    """Attempt every due delivery, oldest first (the periodic task): what the broker lost,
    the retries in eager mode, deliveries whose worker died."""
    now = now or timezone.now()
    due = (
        WebhookDelivery.objects.filter(
            Q(status__in=DUE_STATUSES, next_attempt_at__lte=now)
            | Q(status=DeliveryStatus.SENDING, leased_until__lt=now)
        )
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    result = {"delivered": 0, "failed": 0}
    for delivery_id in list(due):
        delivery = delivery_attempt(delivery_id=delivery_id, now=now)
        if delivery is not None:
            ok = delivery.status == DeliveryStatus.SUCCEEDED
            result["delivered" if ok else "failed"] += 1
    return result
