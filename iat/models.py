"""The IAT network: offices, opening hours, stocked material, the visitor contact log. The
coordination models (events, announcements, training, shifts, audits) are in `coordination.py`."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from . import codes


class Office(models.Model):
    """A tourist information office (IAT or infopoint), run by an IAT organisation whose
    members are its staff."""

    organisation = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="iat_offices",
        limit_choices_to={"kind": "iat"},
    )
    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    comune = models.ForeignKey(
        "places.Comune", verbose_name=_("comune"), on_delete=models.PROTECT, related_name="+"
    )
    address = models.CharField(_("address"), max_length=200)
    postcode = models.CharField(_("postcode (CAP)"), max_length=5, blank=True)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    email = models.EmailField(_("email"), blank=True)
    languages = models.CharField(
        _("languages spoken"), max_length=60, blank=True, help_text=_("Codes, e.g. it,en,de")
    )
    has_wifi = models.BooleanField(_("free wifi"), default=False)
    is_accessible = models.BooleanField(_("step-free access"), default=False)
    has_luggage = models.BooleanField(_("luggage storage"), default=False)
    has_ticketing = models.BooleanField(_("ticket sales"), default=False)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["comune__name", "name"]
        verbose_name = _("IAT office")
        verbose_name_plural = _("IAT offices")

    def __str__(self):
        return self.name

    def clean(self):
        if self.organisation_id and self.organisation.kind != "iat":
            raise ValidationError({"organisation": _("Choose an IAT organisation.")})

    @property
    def language_list(self) -> list[str]:
        return [code.strip() for code in self.languages.split(",") if code.strip()]

    @property
    def services(self) -> list[str]:
        flags = [
            (self.has_wifi, _("Free wifi")),
            (self.is_accessible, _("Step-free access")),
            (self.has_luggage, _("Luggage storage")),
            (self.has_ticketing, _("Tickets")),
        ]
        return [label for on, label in flags if on]


MONTH = [MinValueValidator(1), MaxValueValidator(12)]
DAY = [MinValueValidator(1), MaxValueValidator(31)]


class OpeningSeason(models.Model):
    """A recurring period of the year with its weekly hours (it may wrap the new year)."""

    office = models.ForeignKey(Office, on_delete=models.CASCADE, related_name="seasons")
    name = models.CharField(_("name"), max_length=60)
    start_month = models.PositiveSmallIntegerField(_("from month"), validators=MONTH)
    start_day = models.PositiveSmallIntegerField(_("from day"), validators=DAY)
    end_month = models.PositiveSmallIntegerField(_("to month"), validators=MONTH)
    end_day = models.PositiveSmallIntegerField(_("to day"), validators=DAY)

    class Meta:
        ordering = ["office", "start_month", "start_day"]
        verbose_name = _("opening season")
        verbose_name_plural = _("opening seasons")

    def __str__(self):
        return f"{self.office} · {self.name}"

    def covers(self, day) -> bool:
        start, end, key = (
            (self.start_month, self.start_day),
            (self.end_month, self.end_day),
            (day.month, day.day),
        )
        return start <= key <= end if start <= end else key >= start or key <= end


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class OpeningHours(models.Model):
    """One opening interval on a weekday of a season (two rows for a lunch break)."""

    season = models.ForeignKey(OpeningSeason, on_delete=models.CASCADE, related_name="hours")
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    opens = models.TimeField(_("opens"))
    closes = models.TimeField(_("closes"))

    class Meta:
        ordering = ["season", "weekday", "opens"]
        verbose_name = _("opening hours")
        verbose_name_plural = _("opening hours")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closes__gt=models.F("opens")), name="iat_hours_closes_after"
            )
        ]

    def __str__(self):
        return f"{self.get_weekday_display()} {self.opens}-{self.closes}"


class OpeningException(models.Model):
    """A day that differs from the season: closed (holiday) or special hours (an event)."""

    office = models.ForeignKey(Office, on_delete=models.CASCADE, related_name="exceptions")
    date = models.DateField(_("date"))
    closed = models.BooleanField(_("closed all day"), default=False)
    opens = models.TimeField(_("opens"), null=True, blank=True)
    closes = models.TimeField(_("closes"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=120, blank=True)

    class Meta:
        ordering = ["office", "date"]
        verbose_name = _("opening exception")
        verbose_name_plural = _("opening exceptions")
        constraints = [
            models.UniqueConstraint(fields=["office", "date"], name="iat_one_exception_per_day")
        ]

    def __str__(self):
        return f"{self.office_id} {self.date}"

    def clean(self):
        if not self.closed and not (self.opens and self.closes and self.closes > self.opens):
            raise ValidationError(_("Give the special hours, or mark the day closed."))


class MaterialKind(models.TextChoices):
    MAP = "map", _("Map")
    BROCHURE = "brochure", _("Brochure")
    GUIDE = "guide", _("Guide")
    EVENTS = "events", _("Events programme")


class Material(models.Model):
    """Printed material the offices hand out (maps, brochures), in several languages."""

    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=20, choices=MaterialKind.choices)

    class Meta:
        ordering = ["name"]
        verbose_name = _("material")
        verbose_name_plural = _("materials")

    def __str__(self):
        return self.name


class MaterialStock(models.Model):
    office = models.ForeignKey(Office, on_delete=models.CASCADE, related_name="stock")
    material = models.ForeignKey(Material, on_delete=models.CASCADE, related_name="stock")
    language = models.CharField(_("language"), max_length=5)
    quantity = models.PositiveIntegerField(_("in stock"), default=0)
    reorder_level = models.PositiveIntegerField(_("reorder below"), default=50)

    class Meta:
        ordering = ["office", "material__name", "language"]
        verbose_name = _("material stock")
        verbose_name_plural = _("material stock")
        constraints = [
            models.UniqueConstraint(
                fields=["office", "material", "language"], name="iat_one_stock_row"
            )
        ]

    def __str__(self):
        return f"{self.material_id} {self.language}: {self.quantity}"

    @property
    def is_low(self) -> bool:
        return self.quantity < self.reorder_level


class ContactChannel(models.TextChoices):
    DESK = "desk", _("Desk")
    PHONE = "phone", _("Phone")
    EMAIL = "email", _("Email")
    CHAT = "chat", _("Chat")


class Topic(models.TextChoices):
    TRANSPORT = "transport", _("Transport")
    ITINERARIES = "itineraries", _("Itineraries")
    MUSEUMS = "museums", _("Museums")
    EVENTS = "events", _("Events")
    EXCURSIONS = "excursions", _("Excursions")
    ACCOMMODATION = "accommodation", _("Accommodation")
    FOOD_WINE = "food_wine", _("Food and wine")
    COMPLAINT = "complaint", _("Complaint")


VISITOR_LANGUAGES = [
    ("it", "Italiano"),
    ("en", "English"),
    ("de", "Deutsch"),
    ("fr", "Français"),
    ("es", "Español"),
    ("nl", "Nederlands"),
    ("pt", "Português"),
    ("pl", "Polski"),
    ("ru", "Русский"),
    ("zh", "中文"),
    ("ja", "日本語"),
    ("other", _("Other")),
]


class Contact(models.Model):
    """One visitor contact at an office: who (origin, party, language), how, about what."""

    office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="contacts")
    at = models.DateTimeField(_("date and time"), db_index=True)
    channel = models.CharField(_("channel"), max_length=10, choices=ContactChannel.choices)
    origin = models.CharField(_("origin"), max_length=6)
    party_size = models.PositiveSmallIntegerField(
        _("party size"), default=1, validators=[MinValueValidator(1), MaxValueValidator(200)]
    )
    language = models.CharField(_("language"), max_length=5)
    topics = models.JSONField(_("topics"), default=list)
    booking = models.ForeignKey(
        "bookings.Booking",
        verbose_name=_("sale at the desk"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at"]
        verbose_name = _("visitor contact")
        verbose_name_plural = _("visitor contacts")
        indexes = [models.Index(fields=["office", "at"])]

    def __str__(self):
        return f"{self.office} {self.at:%Y-%m-%d %H:%M} {self.origin}"

    @property
    def origin_label(self) -> str:
        return codes.origin_label(self.origin)

    @property
    def topic_labels(self) -> list[str]:
        labels = dict(Topic.choices)
        return [str(labels.get(t, t)) for t in self.topics]


from .coordination import *  # noqa: E402,F401,F403  (the coordination models live beside)
