from django.db import models
from django.utils.translation import gettext_lazy as _


class Comune(models.Model):
    """An Italian municipality, identified by its ISTAT code."""

    istat_code = models.CharField(_("ISTAT code"), max_length=6, unique=True)
    cadastral_code = models.CharField(_("cadastral code"), max_length=4, unique=True)
    name = models.CharField(_("name"), max_length=100)
    province = models.CharField(_("province"), max_length=2, default="LU")
    in_destination = models.BooleanField(
        _("in the Piana di Lucca"),
        default=True,
        help_text=_("Part of the Piana di Lucca tourist area."),
    )
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("comune")
        verbose_name_plural = _("comuni")

    def __str__(self):
        return self.name
