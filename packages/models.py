"""Packages the DMC assembles from operators' products: components, pricing, departures.

A package is sold by the DMC as organiser under the travel-agency margin regime (art. 74-ter
DPR 633/72): the quote shows every operator's net, the DMC margin and the VAT inside it."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from operators.models import Photo

MONEY = {"max_digits": 12, "decimal_places": 2}


class HeritageKind(models.TextChoices):
    LEGEND = "legend", _("Legend")
    TRADITION = "tradition", _("Tradition")
    CRAFT = "craft", _("Craft")
    HISTORY = "history", _("History")


class HeritageStory(models.Model):
    """A legend, tradition or craft of the Piana that a package tells."""

    slug = models.SlugField(max_length=120, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=HeritageKind.choices)
    title = models.CharField(_("title"), max_length=200)
    text = models.TextField(_("story"), blank=True)
    comune = models.ForeignKey(
        "places.Comune", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["title"]
        verbose_name = _("heritage story")
        verbose_name_plural = _("heritage stories")

    def __str__(self):
        return self.title


class PackageStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    UNPUBLISHED = "unpublished", _("Unpublished")


class PricingMode(models.TextChoices):
    COMPUTED = "computed", _("From the components' rates plus a markup")
    FIXED = "fixed", _("Fixed price per person by season")


class MarkupKind(models.TextChoices):
    PERCENT = "percent", _("Percentage on the components' retail prices")
    AMOUNT = "amount", _("Amount per paying person")


class DepartureMode(models.TextChoices):
    ON_REQUEST = "on_request", _("On request: any valid date")
    FIXED = "fixed", _("Fixed departures only")


class Package(models.Model):
    slug = models.SlugField(max_length=120, unique=True)
    status = models.CharField(
        _("status"), max_length=20, choices=PackageStatus.choices, default=PackageStatus.DRAFT
    )
    # Multilingual content (django-modeltranslation adds _it, _en, _de, _fr columns)
    title = models.CharField(_("title"), max_length=200)
    summary = models.CharField(_("summary"), max_length=300, blank=True)
    story = models.TextField(_("story"), blank=True)
    itinerary = models.TextField(_("itinerary"), blank=True, help_text=_("Day by day."))
    meals = models.CharField(_("meals included"), max_length=300, blank=True)
    accessibility = models.TextField(_("accessibility"), blank=True)
    travel_documents = models.CharField(_("passport and visa notes"), max_length=300, blank=True)

    themes = models.ManyToManyField("operators.Theme", verbose_name=_("themes"), blank=True)
    languages = models.ManyToManyField(
        "operators.Language", verbose_name=_("languages"), blank=True
    )
    comuni = models.ManyToManyField(
        "places.Comune", verbose_name=_("comuni touched"), blank=True, related_name="packages"
    )
    heritage_story = models.ForeignKey(
        HeritageStory,
        verbose_name=_("heritage story"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="packages",
    )

    duration_days = models.PositiveSmallIntegerField(
        _("days"), default=1, validators=[MinValueValidator(1)]
    )
    duration_nights = models.PositiveSmallIntegerField(_("nights"), default=0)
    min_pax = models.PositiveIntegerField(
        _("minimum participants"), default=1, validators=[MinValueValidator(1)]
    )
    max_pax = models.PositiveIntegerField(_("maximum participants"), null=True, blank=True)
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"))

    # Pricing
    pricing_mode = models.CharField(
        _("pricing"), max_length=20, choices=PricingMode.choices, default=PricingMode.COMPUTED
    )
    markup_kind = models.CharField(
        _("markup"), max_length=20, choices=MarkupKind.choices, default=MarkupKind.PERCENT
    )
    markup_value = models.DecimalField(
        _("markup value"),
        max_digits=9,
        decimal_places=2,
        default=Decimal("0"),
        help_text=_("Percent or EUR per paying person; negative for a discount."),
    )
    rounding_step = models.DecimalField(
        _("round the price per person up to"),
        max_digits=7,
        decimal_places=2,
        default=Decimal("1.00"),
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    free_place_every = models.PositiveIntegerField(
        _("one free place every N paying"),
        null=True,
        blank=True,
        help_text=_("Free places for group leaders, e.g. 20 for one free every 20 paying."),
    )

    # Departures and guarantee
    departure_mode = models.CharField(
        _("departures"),
        max_length=20,
        choices=DepartureMode.choices,
        default=DepartureMode.ON_REQUEST,
    )
    guarantee_min_pax = models.PositiveIntegerField(
        _("minimum participants to confirm a departure"), null=True, blank=True
    )
    guarantee_cutoff_days = models.PositiveSmallIntegerField(
        _("confirm or cancel days before departure"), default=7
    )

    # Terms (pre-contract information)
    cancellation_policy = models.ForeignKey(
        "operators.CancellationPolicy",
        verbose_name=_("cancellation policy"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="packages",
    )
    deposit_percent = models.DecimalField(
        _("deposit %"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("30.00"),
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    balance_days_before = models.PositiveSmallIntegerField(
        _("balance due days before departure"), default=30
    )
    insurer = models.CharField(_("liability insurer"), max_length=200, blank=True)
    insurance_policy_number = models.CharField(
        _("liability policy number"), max_length=80, blank=True
    )
    insolvency_protector = models.CharField(
        _("insolvency protection (fund or insurer)"), max_length=200, blank=True
    )
    insolvency_policy_number = models.CharField(
        _("insolvency protection number"), max_length=80, blank=True
    )
    insolvency_protector_contact = models.CharField(
        _("insolvency protection contact"),
        max_length=300,
        blank=True,
        help_text=_("Address, phone and email a traveller writes to if the organiser fails."),
    )
    emergency_phone = models.CharField(
        _("emergency phone"),
        max_length=40,
        blank=True,
        help_text=_("Reachable during the trip; the organiser's phone when empty."),
    )
    optional_insurance = models.CharField(
        _("optional cancellation and assistance insurance"),
        max_length=300,
        blank=True,
        help_text=_("Insurer and cover offered at extra cost."),
    )

    needs_attention = models.BooleanField(_("needs attention"), default=False)
    attention_reason = models.TextField(_("why it needs attention"), blank=True)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["title"]
        verbose_name = _("package")
        verbose_name_plural = _("packages")
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__gte=F("valid_from")), name="package_validity_ordered"
            ),
            models.CheckConstraint(
                condition=Q(max_pax__isnull=True) | Q(max_pax__gte=F("min_pax")),
                name="package_max_pax_gte_min_pax",
            ),
            models.CheckConstraint(
                condition=Q(duration_nights__lte=F("duration_days")),
                name="package_nights_not_above_days",
            ),
        ]

    def __str__(self):
        return self.title

    def clean(self):
        errors = {}
        if self.valid_from and self.valid_until and self.valid_until < self.valid_from:
            errors["valid_until"] = _("The validity period ends before it starts.")
        if self.max_pax is not None and self.max_pax < (self.min_pax or 1):
            errors["max_pax"] = _("The maximum cannot be lower than the minimum.")
        if (
            self.duration_nights is not None
            and self.duration_days is not None
            and self.duration_nights > self.duration_days
        ):
            errors["duration_nights"] = _("A package cannot have more nights than days.")
        if (
            self.markup_kind == MarkupKind.PERCENT
            and self.markup_value is not None
            and self.markup_value <= Decimal("-100")
        ):
            errors["markup_value"] = _("A discount of 100% or more gives the package away.")
        if (
            self.guarantee_min_pax is not None
            and self.max_pax is not None
            and self.guarantee_min_pax > self.max_pax
        ):
            errors["guarantee_min_pax"] = _(
                "The minimum to confirm a departure is above the maximum group size."
            )
        if errors:
            raise ValidationError(errors)

    @property
    def is_published(self) -> bool:
        return self.status == PackageStatus.PUBLISHED


def package_photo_path(instance, filename):
    return f"packages/{instance.package_id}/{filename}"


class PackagePhoto(Photo):
    package = models.ForeignKey(Package, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(_("photo"), upload_to=package_photo_path)
    thumbnail = models.ImageField(upload_to=package_photo_path, blank=True)

    class Meta(Photo.Meta):
        pass


class SlotRule(models.TextChoices):
    FIXED_TIME = "fixed_time", _("At")
    FIRST_AFTER = "first_after", _("First slot from")
    TRAVELLER_CHOOSES = "traveller_chooses", _("Traveller chooses")


class QuantityRule(models.TextChoices):
    PER_PERSON = "per_person", _("Per person")
    PER_GROUP = "per_group", _("Per group")
    PER_ROOM = "per_room", _("Per room, by occupancy")


class Component(models.Model):
    """One product in the itinerary, on a day of the package, with its rules."""

    package = models.ForeignKey(Package, on_delete=models.CASCADE, related_name="components")
    position = models.PositiveSmallIntegerField(default=0)
    product = models.ForeignKey(
        "operators.Product",
        verbose_name=_("product"),
        on_delete=models.PROTECT,
        related_name="package_components",
    )
    unit_type = models.ForeignKey(
        "operators.UnitType",
        verbose_name=_("unit type"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    day_offset = models.PositiveSmallIntegerField(
        _("day"), default=0, help_text=_("0 is the first day of the package.")
    )
    nights = models.PositiveSmallIntegerField(
        _("nights"),
        null=True,
        blank=True,
        help_text=_("Accommodation: empty for every remaining night of the package."),
    )
    slot_rule = models.CharField(
        _("time"), max_length=20, choices=SlotRule.choices, default=SlotRule.FIRST_AFTER
    )
    time = models.TimeField(_("at / from"), null=True, blank=True)
    quantity_rule = models.CharField(
        _("quantity"), max_length=20, choices=QuantityRule.choices, default=QuantityRule.PER_PERSON
    )
    quantity = models.PositiveSmallIntegerField(
        _("how many"), default=1, validators=[MinValueValidator(1)]
    )
    room_occupancy = models.PositiveSmallIntegerField(
        _("persons per room"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_("Empty for the room's standard occupancy."),
    )
    required = models.BooleanField(
        _("included"), default=True, help_text=_("Unticked: an optional extra the buyer may add.")
    )
    alternative_product = models.ForeignKey(
        "operators.Product",
        verbose_name=_("alternative when not available"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="package_alternatives",
    )
    alternative_unit_type = models.ForeignKey(
        "operators.UnitType",
        verbose_name=_("alternative unit type"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["package", "day_offset", "position", "pk"]
        verbose_name = _("component")
        verbose_name_plural = _("components")

    def __str__(self):
        return f"{self.package} · {_('day')} {self.day_offset + 1}: {self.product}"


class SeasonPrice(models.Model):
    """Fixed-price mode: the price per person in a season, for a group size band."""

    package = models.ForeignKey(Package, on_delete=models.CASCADE, related_name="season_prices")
    name = models.CharField(_("season"), max_length=80)
    start_date = models.DateField(_("from"))
    end_date = models.DateField(_("to (inclusive)"))
    min_group = models.PositiveIntegerField(_("group from (pax)"), default=1)
    max_group = models.PositiveIntegerField(_("group to (pax)"), null=True, blank=True)
    price_per_person = models.DecimalField(
        _("price per person"), validators=[MinValueValidator(0)], **MONEY
    )
    single_supplement = models.DecimalField(
        _("single supplement"), default=Decimal("0"), validators=[MinValueValidator(0)], **MONEY
    )

    class Meta:
        ordering = ["package", "start_date", "min_group"]
        verbose_name = _("season price")
        verbose_name_plural = _("season prices")
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=F("start_date")), name="season_price_end_after_start"
            )
        ]

    def __str__(self):
        return f"{self.name} {self.min_group}+: {self.price_per_person}"

    def clean(self):
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": _("The season ends before it starts.")})
        if self.max_group is not None and self.max_group < self.min_group:
            raise ValidationError({"max_group": _("The group band ends before it starts.")})


class ChildReduction(models.Model):
    """Fixed-price mode: children in an age band pay less."""

    package = models.ForeignKey(Package, on_delete=models.CASCADE, related_name="child_reductions")
    age_min = models.PositiveSmallIntegerField(_("age from"))
    age_max = models.PositiveSmallIntegerField(_("age to"), validators=[MaxValueValidator(17)])
    reduction_percent = models.DecimalField(
        _("reduction %"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )

    class Meta:
        ordering = ["package", "age_min"]
        verbose_name = _("child reduction")
        verbose_name_plural = _("child reductions")

    def __str__(self):
        return f"{self.age_min}-{self.age_max}: -{self.reduction_percent}%"

    def clean(self):
        if self.age_min is not None and self.age_max is not None and self.age_max < self.age_min:
            raise ValidationError({"age_max": _("The age band ends before it starts.")})


class DepartureStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    GUARANTEED = "guaranteed", _("Guaranteed")
    CANCELLED = "cancelled", _("Cancelled")


class Departure(models.Model):
    """A fixed-date departure with its own capacity and guarantee rule."""

    package = models.ForeignKey(Package, on_delete=models.CASCADE, related_name="departures")
    date = models.DateField(_("date"))
    capacity = models.PositiveIntegerField(_("capacity"), validators=[MinValueValidator(1)])
    booked_pax = models.PositiveIntegerField(_("booked"), default=0)
    min_pax = models.PositiveIntegerField(
        _("minimum participants"), null=True, blank=True, help_text=_("Empty: no guarantee rule.")
    )
    cutoff_date = models.DateField(_("confirm or cancel on"), null=True, blank=True)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=DepartureStatus.choices,
        default=DepartureStatus.SCHEDULED,
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["package", "date"]
        verbose_name = _("departure")
        verbose_name_plural = _("departures")
        constraints = [
            models.UniqueConstraint(fields=["package", "date"], name="unique_departure_date"),
            models.CheckConstraint(
                condition=Q(booked_pax__lte=F("capacity")), name="departure_not_overbooked"
            ),
        ]
        indexes = [models.Index(fields=["status", "cutoff_date"])]

    def __str__(self):
        return f"{self.package} {self.date}"

    @property
    def available(self) -> int:
        if self.status == DepartureStatus.CANCELLED:
            return 0
        return max(self.capacity - self.booked_pax, 0)
