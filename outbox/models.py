"""Work that must follow a commit, written in the same transaction as the change it follows."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class MessageStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    DEAD = "dead", _("Gave up")


class OutboxMessage(models.Model):
    """One handler call (`handler` is its registered name) with its keyword arguments.
    A running message whose lease ran out (its worker died) is pending again."""

    handler = models.CharField(_("handler"), max_length=120)
    kwargs = models.JSONField(_("arguments"), default=dict)
    status = models.CharField(
        _("status"), max_length=10, choices=MessageStatus.choices, default=MessageStatus.PENDING
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    available_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    leased_until = models.DateTimeField(_("leased until"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    done_at = models.DateTimeField(_("done"), null=True, blank=True)

    class Meta:
        verbose_name = _("outbox message")
        verbose_name_plural = _("outbox messages")
        ordering = ["pk"]
        indexes = [models.Index(fields=["status", "available_at"], name="outbox_due")]

    def __str__(self):
        return f"{self.handler} #{self.pk} ({self.status})"
