"""Partner webhooks: the endpoints a trade partner registers, the events it is sent and one
delivery per (endpoint, event) with its attempts, retries and outcome."""

import secrets
import uuid

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class EventType(models.TextChoices):
    BOOKING_CONFIRMED = "booking.confirmed", _("Booking confirmed")
    BOOKING_AMENDED = "booking.amended", _("Booking amended")
    BOOKING_CANCELLED = "booking.cancelled", _("Booking cancelled")
    OPTION_EXPIRING = "booking.option_expiring", _("Option expiring")
    ALLOTMENT_RELEASED = "allotment.released", _("Allotment released")
    TEST = "webhook.test", _("Test event")


#: What a partner may subscribe to (the test event goes to the one endpoint it is sent to).
SUBSCRIBABLE = [choice for choice in EventType.choices if choice[0] != EventType.TEST]


def new_secret() -> str:
    return f"whsec_{secrets.token_urlsafe(32)}"


def new_event_id() -> str:
    return f"evt_{uuid.uuid4().hex}"


class WebhookEndpoint(models.Model):
    """A partner's URL and the events it wants. The secret signs every delivery; the partner
    sees it once, when the endpoint is created (it is needed in clear to sign)."""

    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.CASCADE, related_name="webhook_endpoints"
    )
    url = models.URLField(_("URL"), max_length=500)
    description = models.CharField(_("description"), max_length=200, blank=True)
    events = models.JSONField(_("events"), default=list)
    secret = models.CharField(max_length=80, default=new_secret, editable=False)
    is_active = models.BooleanField(_("active"), default=True)
    consecutive_failures = models.PositiveIntegerField(_("failures in a row"), default=0)
    disabled_at = models.DateTimeField(_("disabled"), null=True, blank=True)
    disabled_reason = models.CharField(_("why disabled"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")

    def __str__(self):
        return self.url

    def wants(self, event_type: str) -> bool:
        return self.is_active and event_type in (self.events or [])

    def event_labels(self) -> list[str]:
        labels = dict(EventType.choices)
        return [str(labels.get(e, e)) for e in self.events or []]


class WebhookEvent(models.Model):
    """What happened, as the partner receives it: `body` is the exact JSON sent (the same
    bytes on every attempt and redelivery). `dedupe_key` makes an event once-only where the
    domain has a natural key (a booking confirmed once, one expiry warning per option)."""

    public_id = models.CharField(max_length=40, unique=True, default=new_event_id)
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.CASCADE, related_name="webhook_events"
    )
    type = models.CharField(_("event"), max_length=40, choices=EventType.choices)
    body = models.TextField()
    dedupe_key = models.CharField(max_length=120, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("webhook event")
        verbose_name_plural = _("webhook events")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "type", "dedupe_key"],
                condition=~Q(dedupe_key=""),
                name="webhook_event_once",
            )
        ]

    def __str__(self):
        return f"{self.type} {self.public_id}"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENDING = "sending", _("Sending")
    RETRYING = "retrying", _("Retrying")
    SUCCEEDED = "succeeded", _("Delivered")
    FAILED = "failed", _("Failed")


DUE_STATUSES = (DeliveryStatus.PENDING, DeliveryStatus.RETRYING)


class WebhookDelivery(models.Model):
    """One event to one endpoint: its attempts, the last answer and when it is tried again
    (`next_attempt_at`, None once delivered or given up)."""

    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries"
    )
    event = models.ForeignKey(WebhookEvent, on_delete=models.CASCADE, related_name="deliveries")
    status = models.CharField(
        _("status"), max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    leased_until = models.DateTimeField(null=True, blank=True)
    response_code = models.PositiveIntegerField(_("response code"), null=True, blank=True)
    duration_ms = models.PositiveIntegerField(_("duration (ms)"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=300, blank=True)
    last_attempt_at = models.DateTimeField(_("last attempt"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        constraints = [
            models.UniqueConstraint(fields=["endpoint", "event"], name="webhook_delivery_once")
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="webhook_due")]

    def __str__(self):
        return f"{self.event} -> {self.endpoint}"


class OptionExpiryNotice(models.Model):
    """An option of a partner was announced as expiring (once per booking and expiry: an
    extended option is announced again)."""

    booking = models.ForeignKey("bookings.Booking", on_delete=models.CASCADE, related_name="+")
    expires_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["booking", "expires_at"], name="option_notice_once")
        ]

    def __str__(self):
        return f"{self.booking_id} @ {self.expires_at:%Y-%m-%d %H:%M}"
