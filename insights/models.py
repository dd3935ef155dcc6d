"""Tourist-movement data (ISTAT "Movimento dei clienti negli esercizi ricettivi"), its
pre-aggregated tables, and the guests' document data behind the statutory reports."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AccommodationType(models.TextChoices):
    HOTEL = "hotel", _("Hotels")
    OTHER = "other", _("Other accommodation")


class MovementImport(models.Model):
    """One accepted movement file. A file that fails leaves no row and no import."""

    filename = models.CharField(_("file"), max_length=200)
    sha256 = models.CharField(max_length=64)
    months = models.JSONField(_("months"), default=list)  # ["2024-01", ...]
    rows = models.PositiveIntegerField(_("rows"), default=0)
    is_demo = models.BooleanField(_("demo data"), default=False)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    imported_at = models.DateTimeField(auto_now_add=True)
    replaced_rows = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-imported_at", "-pk"]
        verbose_name = _("movement import")
        verbose_name_plural = _("movement imports")

    def __str__(self):
        return self.filename


class MovementRow(models.Model):
    """Arrivals and presences of one comune, month, accommodation type and residence."""

    source = models.ForeignKey(MovementImport, on_delete=models.CASCADE, related_name="+")
    comune = models.ForeignKey("places.Comune", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    month = models.PositiveSmallIntegerField()
    accommodation_type = models.CharField(max_length=10, choices=AccommodationType.choices)
    origin = models.CharField(max_length=6)
    arrivals = models.PositiveIntegerField()
    presences = models.PositiveIntegerField()
    is_demo = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["comune", "year", "month", "accommodation_type", "origin"],
                name="insights_one_movement_row",
            )
        ]
        indexes = [models.Index(fields=["year", "month"])]

    def __str__(self):
        return f"{self.comune_id} {self.year}-{self.month:02d} {self.origin}"


class MovementMonth(models.Model):
    """Pre-aggregated: one row per comune and month (rebuilt by every import)."""

    comune = models.ForeignKey("places.Comune", on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    month = models.PositiveSmallIntegerField()
    arrivals = models.PositiveIntegerField(default=0)
    presences = models.PositiveIntegerField(default=0)
    foreign_arrivals = models.PositiveIntegerField(default=0)
    foreign_presences = models.PositiveIntegerField(default=0)
    hotel_presences = models.PositiveIntegerField(default=0)
    is_demo = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["comune", "year", "month"], name="insights_one_month")
        ]
        indexes = [models.Index(fields=["year", "month"])]

    def __str__(self):
        return f"{self.comune_id} {self.year}-{self.month:02d}"


class MovementMarketYear(models.Model):
    """Pre-aggregated: one row per comune, year and origin market."""

    comune = models.ForeignKey("places.Comune", on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    origin = models.CharField(max_length=6)
    arrivals = models.PositiveIntegerField(default=0)
    presences = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["comune", "year", "origin"], name="insights_one_market_year"
            )
        ]
        indexes = [models.Index(fields=["year", "origin"])]

    def __str__(self):
        return f"{self.comune_id} {self.year} {self.origin}"


class Sex(models.TextChoices):
    MALE = "1", _("Male")
    FEMALE = "2", _("Female")


class GuestType(models.TextChoices):
    SINGLE = "16", _("Single guest")
    FAMILY_HEAD = "17", _("Head of family")
    GROUP_LEADER = "18", _("Group leader")
    FAMILY_MEMBER = "19", _("Family member")
    GROUP_MEMBER = "20", _("Group member")


LEADER_TYPES = {GuestType.SINGLE, GuestType.FAMILY_HEAD, GuestType.GROUP_LEADER}


class GuestDocument(models.Model):
    """The police-reporting data of one accommodation guest (TULPS art. 109). Sensitive:
    read and written through `statutory` services only, every access logged, purged after
    the retention period."""

    participant = models.OneToOneField(
        "bookings.Participant", on_delete=models.CASCADE, related_name="guest_document"
    )
    guest_type = models.CharField(_("guest type"), max_length=2, choices=GuestType.choices)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices)
    birth_date = models.DateField(_("birth date"))
    birth_state = models.CharField(_("state of birth"), max_length=9)
    birth_comune = models.CharField(_("comune of birth"), max_length=9, blank=True)
    birth_province = models.CharField(_("province of birth"), max_length=2, blank=True)
    citizenship = models.CharField(_("citizenship"), max_length=9)
    document_type = models.CharField(_("document type"), max_length=5, blank=True)
    document_number = models.CharField(_("document number"), max_length=20, blank=True)
    document_place = models.CharField(_("document issued at"), max_length=9, blank=True)
    # ISTAT counts guests by residence, not citizenship: a foreign country (ISO 3166-1, "DE")
    # or, for residents of Italy, their province (ISO 3166-2:IT, "IT-LU"; the region follows).
    # Blank on data collected before the field: C/59 then falls back to the nationality.
    residence = models.CharField(_("residence"), max_length=6, blank=True)
    collected_at = models.DateTimeField(auto_now_add=True)
    collected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    purge_after = models.DateField()

    class Meta:
        verbose_name = _("guest document data")
        verbose_name_plural = _("guest document data")

    def __str__(self):
        return f"guest document {self.participant_id}"


class DocumentAccess(models.Model):
    """Who looked at or changed guests' document data, and when."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True)
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    action = models.CharField(max_length=20)  # view, edit, alloggiati_file, purge
    booking_reference = models.CharField(max_length=12, blank=True)
    participant_id = models.BigIntegerField(null=True, blank=True)
    detail = models.CharField(max_length=200, blank=True)
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-at"]
        verbose_name = _("document data access")
        verbose_name_plural = _("document data accesses")

    def __str__(self):
        return f"{self.action} {self.at}"
