"""Allotments: places (rooms per night, seats per slot) reserved for one trade partner over a
date range, held on the inventory counters until the partner books them or they are released
back to general sale `release_days` before each day."""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class AllotmentStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    CLOSED = "closed", _("Closed")


class Allotment(models.Model):
    """One partner, one product (a unit type of a stay, or an experience/service's slots)."""

    partner = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="allotments",
        verbose_name=_("trade partner"),
    )
    product = models.ForeignKey(
        "operators.Product",
        on_delete=models.PROTECT,
        related_name="allotments",
        verbose_name=_("product"),
    )
    unit_type = models.ForeignKey(
        "operators.UnitType",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="allotments",
        verbose_name=_("room or unit type"),
    )
    start_date = models.DateField(_("from"))
    end_date = models.DateField(_("to (inclusive)"))
    quantity = models.PositiveIntegerField(_("places per night or slot"))
    release_days = models.PositiveSmallIntegerField(
        _("release (days before arrival)"),
        help_text=_("Unsold places return to general sale this many days before each day."),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=AllotmentStatus.choices, default=AllotmentStatus.ACTIVE
    )
    notes = models.TextField(_("notes"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["start_date", "pk"]
        verbose_name = _("allotment")
        verbose_name_plural = _("allotments")
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=F("start_date")), name="allotment_dates_in_order"
            ),
        ]

    def __str__(self):
        return f"A-{self.pk} {self.partner} · {self.product_label}"

    @property
    def reference(self) -> str:
        return f"A-{self.pk}"

    @property
    def product_label(self) -> str:
        if self.unit_type_id:
            return f"{self.product} · {self.unit_type.name}"
        return str(self.product)

    def release_on(self, day):
        return day - timedelta(days=self.release_days)


class AllotmentDay(models.Model):
    """The allotment's places on one inventory row (a night of the unit type or one slot).
    Until released, `allotted - used` places are held on the row's counter for the partner."""

    allotment = models.ForeignKey(Allotment, on_delete=models.CASCADE, related_name="days")
    date = models.DateField(_("date"))
    night = models.ForeignKey(
        "operators.NightInventory",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="allotment_days",
    )
    slot = models.ForeignKey(
        "operators.Slot",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="allotment_days",
    )
    allotted = models.PositiveIntegerField(_("allotted"))
    used = models.PositiveIntegerField(_("used"), default=0)
    released = models.PositiveIntegerField(_("released"), default=0)
    release_on = models.DateField(_("release date"))
    released_at = models.DateTimeField(_("released at"), null=True, blank=True)

    class Meta:
        ordering = ["date", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(night__isnull=False, slot__isnull=True)
                    | Q(night__isnull=True, slot__isnull=False)
                ),
                name="allotment_day_one_resource",
            ),
            models.CheckConstraint(
                condition=Q(used__lte=F("allotted") - F("released")),
                name="allotment_day_not_overdrawn",
            ),
            models.UniqueConstraint(
                fields=["allotment", "night"],
                condition=Q(night__isnull=False),
                name="unique_allotment_night",
            ),
            models.UniqueConstraint(
                fields=["allotment", "slot"],
                condition=Q(slot__isnull=False),
                name="unique_allotment_slot",
            ),
        ]
        indexes = [models.Index(fields=["released_at", "release_on"])]

    def __str__(self):
        return f"{self.allotment_id} {self.date}: {self.used}/{self.allotted}"

    @property
    def held(self) -> int:
        """Places this day keeps on the inventory counter for the partner now."""
        return 0 if self.released_at else self.allotted - self.used

    @property
    def available(self) -> int:
        return self.held


class AllotmentDraw(models.Model):
    """Places a booking took from an allotment day: `returned` went back to the allotment
    (cancelled before release), `freed` to general sale (cancelled after release)."""

    day = models.ForeignKey(AllotmentDay, on_delete=models.CASCADE, related_name="draws")
    booking = models.ForeignKey(
        "bookings.Booking", on_delete=models.CASCADE, related_name="allotment_draws"
    )
    quantity = models.PositiveIntegerField()
    returned = models.PositiveIntegerField(default=0)
    freed = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(returned__lte=F("quantity") - F("freed")),
                name="allotment_draw_not_overreturned",
            ),
        ]

    def __str__(self):
        return f"{self.booking_id} <- {self.day_id}: {self.quantity}"

    @property
    def outstanding(self) -> int:
        return self.quantity - self.returned - self.freed


class AllotmentEvent(models.Model):
    """What changed on an allotment, by whom and when (created, resized, released, closed)."""

    allotment = models.ForeignKey(Allotment, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=20)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.allotment_id} {self.action}"
