"""Coordination of the network: announcements with read receipts, training sessions, shift
roster and the destination audit. The shared events calendar is the portal's events."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

__all__ = [
    "Announcement",
    "AnnouncementAudience",
    "AnnouncementReceipt",
    "TrainingSession",
    "TrainingRegistration",
    "Shift",
    "Audit",
    "AuditItem",
]


class AnnouncementAudience(models.TextChoices):
    IAT = "iat", _("IAT offices")
    OPERATORS = "operator", _("Operators")
    ALL = "all", _("Offices and operators")


class Announcement(models.Model):
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"))
    audience = models.CharField(_("audience"), max_length=10, choices=AnnouncementAudience.choices)
    published_at = models.DateTimeField(_("published"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        ordering = ["-published_at"]
        verbose_name = _("announcement")
        verbose_name_plural = _("announcements")

    def __str__(self):
        return self.title


class AnnouncementReceipt(models.Model):
    announcement = models.ForeignKey(
        Announcement, on_delete=models.CASCADE, related_name="receipts"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    read_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["announcement", "user"], name="iat_one_receipt")
        ]

    def __str__(self):
        return f"{self.announcement_id} read by {self.user_id}"


class TrainingSession(models.Model):
    """A workshop for the territory's operators and IAT staff."""

    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    comune = models.ForeignKey(
        "places.Comune", verbose_name=_("comune"), on_delete=models.PROTECT, related_name="+"
    )
    venue = models.CharField(_("venue"), max_length=200)
    starts_at = models.DateTimeField(_("starts"))
    hours = models.DecimalField(_("hours"), max_digits=4, decimal_places=1)
    capacity = models.PositiveSmallIntegerField(_("places"), validators=[MinValueValidator(1)])
    trainer = models.CharField(_("trainer"), max_length=120)

    class Meta:
        ordering = ["starts_at"]
        verbose_name = _("training session")
        verbose_name_plural = _("training sessions")

    def __str__(self):
        return self.title


class TrainingRegistration(models.Model):
    session = models.ForeignKey(
        TrainingSession, on_delete=models.CASCADE, related_name="registrations"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    registered_at = models.DateTimeField(auto_now_add=True)
    attended = models.BooleanField(_("attended"), default=False)

    class Meta:
        ordering = ["session", "registered_at"]
        constraints = [
            models.UniqueConstraint(fields=["session", "user"], name="iat_one_registration")
        ]

    def __str__(self):
        return f"{self.session_id}: {self.user_id}"


class Shift(models.Model):
    office = models.ForeignKey(
        "iat.Office", verbose_name=_("office"), on_delete=models.CASCADE, related_name="shifts"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("staff"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    date = models.DateField(_("date"))
    starts = models.TimeField(_("from"))
    ends = models.TimeField(_("until"))

    class Meta:
        ordering = ["date", "starts", "office"]
        verbose_name = _("shift")
        verbose_name_plural = _("shifts")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends__gt=models.F("starts")), name="iat_shift_ends_after"
            ),
            models.UniqueConstraint(fields=["user", "date", "starts"], name="iat_one_shift"),
        ]

    def __str__(self):
        return f"{self.office_id} {self.date} {self.starts}-{self.ends}"


class Audit(models.Model):
    """A scored destination audit of an office (or of a comune when office is empty)."""

    office = models.ForeignKey(
        "iat.Office", on_delete=models.PROTECT, null=True, blank=True, related_name="audits"
    )
    comune = models.ForeignKey("places.Comune", on_delete=models.PROTECT, related_name="+")
    audited_on = models.DateField(_("audit date"))
    auditor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    score = models.DecimalField(_("score (%)"), max_digits=5, decimal_places=1, default=0)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        ordering = ["-audited_on", "-pk"]
        verbose_name = _("destination audit")
        verbose_name_plural = _("destination audits")

    def __str__(self):
        return f"{self.comune_id} {self.audited_on} {self.score}%"


class AuditItem(models.Model):
    audit = models.ForeignKey(Audit, on_delete=models.CASCADE, related_name="items")
    criterion = models.CharField(max_length=40)
    points = models.PositiveSmallIntegerField(validators=[MaxValueValidator(4)])
    max_points = models.PositiveSmallIntegerField(default=4)
    evidence = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["audit", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["audit", "criterion"], name="iat_one_item_per_criterion"
            )
        ]

    def __str__(self):
        return f"{self.criterion}: {self.points}/{self.max_points}"
