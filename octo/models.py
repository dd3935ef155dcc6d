"""The OCTO side of a booking: the reseller's uuid (the idempotency key of a reservation), the
product, option and availability ids as the reseller sent them, and its unit items."""

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _


class OctoBooking(models.Model):
    """One booking made through the OCTO API. `uuid` is unique across partners: a partner's
    repeated reservation with the same uuid replays its booking, another partner's is refused.
    The row is written before the booking is held (booking empty), so that two requests with the
    same uuid cannot both hold inventory."""

    uuid = models.UUIDField(unique=True, default=uuid.uuid4)
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.CASCADE, related_name="octo_bookings"
    )
    booking = models.OneToOneField(
        "bookings.Booking",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="octo",
    )
    product = models.ForeignKey(
        "operators.Product", on_delete=models.PROTECT, related_name="octo_bookings"
    )
    option_id = models.CharField(max_length=60)
    availability_id = models.CharField(max_length=60, blank=True)
    unit_items = models.JSONField(default=list, blank=True)
    reseller_reference = models.CharField(max_length=60, blank=True)
    request_hash = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("OCTO booking")
        verbose_name_plural = _("OCTO bookings")
        indexes = [models.Index(fields=["organisation", "-created_at"])]

    def __str__(self):
        return f"OCTO {self.uuid}"
