"""Operators' products, their rates and their inventory (slots, nights, stock).

Inventory rows keep `sold` and `held` next to `capacity`, and a database constraint refuses
`sold + held > capacity`: the booking engine takes inventory with row locks on these rows."""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

MONEY = {"max_digits": 12, "decimal_places": 2}
ALL_WEEKDAYS = "1234567"  # ISO weekdays, Monday = 1


def validate_weekdays(value: str) -> None:
    if not value or any(ch not in ALL_WEEKDAYS for ch in value) or len(set(value)) != len(value):
        raise ValidationError(
            _("Weekdays are digits 1 (Monday) to 7 (Sunday), each at most once."),
            code="invalid_weekdays",
        )


class Theme(models.Model):
    slug = models.SlugField(unique=True)
    name = models.CharField(_("name"), max_length=80)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "slug"]
        verbose_name = _("theme")
        verbose_name_plural = _("themes")

    def __str__(self):
        return self.name


class Language(models.Model):
    """A language a guide or an experience is offered in (ISO 639-1)."""

    code = models.CharField(max_length=5, unique=True)
    name = models.CharField(_("name"), max_length=50)

    class Meta:
        ordering = ["code"]
        verbose_name = _("language")
        verbose_name_plural = _("languages")

    def __str__(self):
        return self.name


class SalesModel(models.TextChoices):
    """How the DMC sells an operator's services (see docs/fiscal-decision-table.md)."""

    RESALE = "resale", _("Resale in the DMC's own name")
    AGENCY = "agency", _("Agency in the operator's name and on its behalf")


class OperatorContract(models.Model):
    """The operator's contract with the DMC: it sets the default commission and the sales
    model, which is frozen on each booking line when it is booked."""

    organisation = models.OneToOneField(
        "accounts.Organisation", on_delete=models.CASCADE, related_name="operator_contract"
    )
    commission_percent = models.DecimalField(
        _("commission %"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("20.00"),
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    sales_model = models.CharField(
        _("sales model"),
        max_length=10,
        choices=SalesModel.choices,
        default=SalesModel.RESALE,
        help_text=_(
            "Resale: the DMC buys at net and invoices the customer; agency: the operator is "
            "the seller and the DMC invoices it only its commission."
        ),
    )
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    signed_at = models.DateField(_("signed on"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        verbose_name = _("operator contract")
        verbose_name_plural = _("operator contracts")

    def __str__(self):
        return f"{self.organisation} ({self.commission_percent}%)"


class CancellationPolicy(models.Model):
    """Tiers of penalties by days before the service; copied onto bookings when they are made."""

    name = models.CharField(_("name"), max_length=120)
    organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="cancellation_policies",
        help_text=_("Empty for the DMC's standard policies."),
    )
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("cancellation policy")
        verbose_name_plural = _("cancellation policies")

    def __str__(self):
        return self.name

    def as_tiers(self) -> list[dict]:
        return [
            {
                "days_before": t.days_before,
                "penalty_percent": str(t.penalty_percent),
                "penalty_amount": str(t.penalty_amount),
            }
            for t in self.tiers.all()
        ]


class CancellationTier(models.Model):
    """From `days_before` days before the service (inclusive) the penalty applies."""

    policy = models.ForeignKey(CancellationPolicy, on_delete=models.CASCADE, related_name="tiers")
    days_before = models.PositiveIntegerField(_("days before service"))
    penalty_percent = models.DecimalField(
        _("penalty %"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    penalty_amount = models.DecimalField(_("fixed penalty"), default=Decimal("0"), **MONEY)

    class Meta:
        ordering = ["-days_before"]
        constraints = [
            models.UniqueConstraint(fields=["policy", "days_before"], name="unique_tier_per_day")
        ]

    def __str__(self):
        return f"{self.days_before}d: {self.penalty_percent}% + {self.penalty_amount}"


class ProductKind(models.TextChoices):
    EXPERIENCE = "experience", _("Experience")
    ACCOMMODATION = "accommodation", _("Accommodation")
    GOODS = "goods", _("Goods")
    SERVICE = "service", _("Service")


class ProductStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted for review")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    PUBLISHED = "published", _("Published")
    ARCHIVED = "archived", _("Archived")


class AccommodationCategory(models.TextChoices):
    HOTEL_1 = "hotel_1", _("Hotel 1 star")
    HOTEL_2 = "hotel_2", _("Hotel 2 stars")
    HOTEL_3 = "hotel_3", _("Hotel 3 stars")
    HOTEL_4 = "hotel_4", _("Hotel 4 stars")
    HOTEL_5 = "hotel_5", _("Hotel 5 stars")
    AGRITURISMO = "agriturismo", _("Agriturismo")
    BED_AND_BREAKFAST = "bnb", _("Bed & breakfast")
    HOLIDAY_APARTMENT = "apartment", _("Holiday apartment")
    COUNTRY_HOUSE = "country_house", _("Country house")
    CAMPSITE = "campsite", _("Campsite")
    HOSTEL = "hostel", _("Hostel")


class Fulfilment(models.TextChoices):
    PICKUP = "pickup", _("Pick-up")
    SHIPPING = "shipping", _("Shipping")
    BOTH = "both", _("Pick-up or shipping")


class PricingUnit(models.TextChoices):
    PER_PERSON = "per_person", _("Per person")
    PER_UNIT = "per_unit", _("Per unit")


class Product(models.Model):
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="products"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=ProductKind.choices)
    status = models.CharField(
        _("status"), max_length=20, choices=ProductStatus.choices, default=ProductStatus.DRAFT
    )
    rejection_reason = models.TextField(_("reason for rejection"), blank=True)
    slug = models.SlugField(max_length=120, unique=True)

    # Multilingual content (django-modeltranslation adds _it, _en, _de, _fr columns)
    title = models.CharField(_("title"), max_length=200)
    summary = models.CharField(_("summary"), max_length=300, blank=True)
    description = models.TextField(_("description"), blank=True)
    inclusions = models.TextField(_("included"), blank=True)
    exclusions = models.TextField(_("not included"), blank=True)
    meeting_point = models.CharField(_("meeting point"), max_length=300, blank=True)
    accessibility_notes = models.TextField(_("accessibility"), blank=True)

    comune = models.ForeignKey(
        "places.Comune",
        verbose_name=_("comune"),
        on_delete=models.PROTECT,
        related_name="products",
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    latitude = models.DecimalField(
        _("latitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.DecimalField(
        _("longitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    themes = models.ManyToManyField(Theme, verbose_name=_("themes"), blank=True)
    languages = models.ManyToManyField(Language, verbose_name=_("languages offered"), blank=True)
    cancellation_policy = models.ForeignKey(
        CancellationPolicy,
        verbose_name=_("cancellation policy"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="products",
    )
    vat_rate = models.DecimalField(
        _("VAT rate %"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("22.00"),
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    available_from = models.DateField(_("bookable from"), null=True, blank=True)
    available_until = models.DateField(_("bookable until"), null=True, blank=True)

    # experience and service
    duration_minutes = models.PositiveIntegerField(_("duration (minutes)"), null=True, blank=True)
    min_pax = models.PositiveIntegerField(_("minimum participants"), default=1)
    max_pax = models.PositiveIntegerField(_("maximum participants"), null=True, blank=True)
    pricing_unit = models.CharField(
        _("priced"), max_length=20, choices=PricingUnit.choices, default=PricingUnit.PER_PERSON
    )
    # The search's "from" price (cheapest adult or per-unit base rate of the smallest group
    # band), kept by a PostgreSQL trigger on the rates (operators/readmodel.py). Not edited.
    price_from = models.DecimalField(null=True, blank=True, editable=False, **MONEY)
    free_place_every = models.PositiveIntegerField(
        _("one free place every N paying"),
        null=True,
        blank=True,
        help_text=_("Free places for group leaders, e.g. 20 for one free every 20 paying."),
    )
    # accommodation
    accommodation_category = models.CharField(
        _("accommodation category"),
        max_length=20,
        choices=AccommodationCategory.choices,
        blank=True,
    )
    check_in_time = models.TimeField(_("check-in from"), null=True, blank=True)
    check_out_time = models.TimeField(_("check-out by"), null=True, blank=True)
    # goods
    fulfilment = models.CharField(
        _("fulfilment"), max_length=20, choices=Fulfilment.choices, blank=True
    )

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    #: Secret of the product's iCalendar feed (made on first use, rotated on demand).
    ical_token = models.CharField(max_length=64, blank=True, editable=False)

    class Meta:
        ordering = ["title"]
        verbose_name = _("product")
        verbose_name_plural = _("products")
        indexes = [
            models.Index(fields=["status", "kind", "comune"]),
            models.Index(fields=["organisation", "status"]),
            # The catalogue's default order, per language: a search page walks the published
            # products in title order and stops after the page instead of sorting every match.
            *(
                models.Index(
                    fields=[f"title_{code}", "id"],
                    condition=Q(status="published"),
                    name=f"product_published_title_{code}",
                )
                for code in ("it", "en", "de", "fr")
            ),
            # The same walk within one comune or one kind (the search's most common filters),
            # so that it visits that comune's or kind's products only, not the catalogue.
            *(
                models.Index(
                    fields=[column, f"title_{code}", "id"],
                    condition=Q(status="published"),
                    name=f"product_pub_{column[:6]}_title_{code}",
                )
                for column in ("comune", "kind")
                for code in ("it", "en", "de", "fr")
            ),
            # ... and within one comune and one kind together: with the two indexes above the
            # planner takes (status, kind, comune), tests every product of that comune and kind
            # and sorts them, a cost that follows the catalogue.
            *(
                models.Index(
                    fields=["comune", "kind", f"title_{code}", "id"],
                    condition=Q(status="published"),
                    name=f"product_pub_comkind_title_{code}",
                )
                for code in ("it", "en", "de", "fr")
            ),
            # The storefront's other sort orders, price and duration, walked the same way
            # (ties broken by id: a page never repeats or skips a product).
            models.Index(
                fields=["price_from", "id"],
                condition=Q(status="published"),
                name="product_pub_price_from",
            ),
            models.Index(
                fields=["duration_minutes", "id"],
                condition=Q(status="published"),
                name="product_pub_duration",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(max_pax__isnull=True) | Q(max_pax__gte=F("min_pax")),
                name="product_max_pax_gte_min_pax",
            ),
            models.UniqueConstraint(
                fields=["ical_token"],
                condition=~Q(ical_token=""),
                name="unique_product_ical_token",
            ),
        ]

    def __str__(self):
        return self.title

    def clean(self):
        errors = {}
        if self.kind == ProductKind.ACCOMMODATION and not self.accommodation_category:
            errors["accommodation_category"] = _("Choose the category: it decides the tourist tax.")
        if self.kind == ProductKind.GOODS and not self.fulfilment:
            errors["fulfilment"] = _("Say whether the goods are picked up or shipped.")
        if self.max_pax is not None and self.max_pax < self.min_pax:
            errors["max_pax"] = _("The maximum cannot be lower than the minimum.")
        if (
            self.available_from
            and self.available_until
            and (self.available_until < self.available_from)
        ):
            errors["available_until"] = _("The end of the bookable period is before its start.")
        if errors:
            raise ValidationError(errors)

    @property
    def is_published(self) -> bool:
        return self.status == ProductStatus.PUBLISHED

    @property
    def uses_slots(self) -> bool:
        return self.kind in (ProductKind.EXPERIENCE, ProductKind.SERVICE)


def product_photo_path(instance, filename):
    return f"products/{instance.product_id}/{filename}"


class Photo(models.Model):
    """A photo with its thumbnail, as listings and packages have them (see operators.media).
    Subclasses add the owner and the upload path of `image` and `thumbnail`."""

    alt_text = models.CharField(_("description of the photo"), max_length=200, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        abstract = True
        ordering = ["position", "pk"]
        verbose_name = _("photo")
        verbose_name_plural = _("photos")

    def __str__(self):
        return self.alt_text or self.image.name


class ProductPhoto(Photo):
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(_("photo"), upload_to=product_photo_path)
    thumbnail = models.ImageField(upload_to=product_photo_path, blank=True)

    class Meta(Photo.Meta):
        pass


class UnitType(models.Model):
    """A room or unit type of an accommodation (double room, apartment…)."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="unit_types")
    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    standard_occupancy = models.PositiveSmallIntegerField(
        _("standard occupancy"), default=2, validators=[MinValueValidator(1)]
    )
    max_occupancy = models.PositiveSmallIntegerField(
        _("maximum occupancy"), default=2, validators=[MinValueValidator(1)]
    )
    max_children = models.PositiveSmallIntegerField(_("maximum children"), default=0)
    units = models.PositiveIntegerField(_("units"), default=1, help_text=_("How many such units."))
    min_stay = models.PositiveSmallIntegerField(_("minimum stay (nights)"), default=1)

    class Meta:
        ordering = ["product", "name"]
        verbose_name = _("unit type")
        verbose_name_plural = _("unit types")
        constraints = [
            models.CheckConstraint(
                condition=Q(max_occupancy__gte=F("standard_occupancy")),
                name="unit_max_occupancy_gte_standard",
            ),
        ]

    def __str__(self):
        return f"{self.product} · {self.name}"

    def clean(self):
        if self.max_occupancy < self.standard_occupancy:
            raise ValidationError(
                {"max_occupancy": _("The maximum cannot be below the standard occupancy.")}
            )
        if self.max_children > self.max_occupancy:
            raise ValidationError({"max_children": _("More children than places in the unit.")})


class Season(models.Model):
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="seasons")
    name = models.CharField(_("name"), max_length=80)
    start_date = models.DateField(_("from"))
    end_date = models.DateField(_("to (inclusive)"))

    class Meta:
        ordering = ["product", "start_date"]
        verbose_name = _("season")
        verbose_name_plural = _("seasons")
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=F("start_date")), name="season_end_after_start"
            )
        ]

    def __str__(self):
        return f"{self.name} ({self.start_date}–{self.end_date})"

    def clean(self):
        if self.start_date and self.end_date:
            if self.end_date < self.start_date:
                raise ValidationError({"end_date": _("The season ends before it starts.")})
            overlapping = Season.objects.filter(
                product_id=self.product_id,
                start_date__lte=self.end_date,
                end_date__gte=self.start_date,
            ).exclude(pk=self.pk)
            if overlapping.exists():
                raise ValidationError(
                    {
                        "start_date": _("This season overlaps “%(other)s”.")
                        % {"other": overlapping.first().name}
                    }
                )


class PaxCategory(models.TextChoices):
    ADULT = "adult", _("Adult")
    CHILD = "child", _("Child")
    INFANT = "infant", _("Infant")
    SENIOR = "senior", _("Senior")
    UNIT = "unit", _("Per unit / room")


class Rate(models.Model):
    """A price for one pax category, optionally limited to a season, weekdays, a unit type
    and a group size band (group price bands: e.g. 20-49 pax)."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="rates")
    unit_type = models.ForeignKey(
        UnitType, on_delete=models.CASCADE, null=True, blank=True, related_name="rates"
    )
    season = models.ForeignKey(
        Season, on_delete=models.CASCADE, null=True, blank=True, related_name="rates"
    )
    pax_category = models.CharField(
        _("pax category"), max_length=10, choices=PaxCategory.choices, default=PaxCategory.ADULT
    )
    age_min = models.PositiveSmallIntegerField(_("age from"), null=True, blank=True)
    age_max = models.PositiveSmallIntegerField(_("age to"), null=True, blank=True)
    weekdays = models.CharField(
        _("weekdays"), max_length=7, default=ALL_WEEKDAYS, validators=[validate_weekdays]
    )
    min_group = models.PositiveIntegerField(_("group from (pax)"), default=1)
    max_group = models.PositiveIntegerField(_("group to (pax)"), null=True, blank=True)
    retail_price = models.DecimalField(
        _("retail price (VAT incl.)"), validators=[MinValueValidator(0)], **MONEY
    )
    net_price = models.DecimalField(
        _("operator net price"), validators=[MinValueValidator(0)], **MONEY
    )

    class Meta:
        ordering = ["product", "unit_type", "pax_category", "min_group"]
        verbose_name = _("rate")
        verbose_name_plural = _("rates")
        constraints = [
            models.CheckConstraint(
                condition=Q(net_price__lte=F("retail_price")), name="rate_net_not_above_retail"
            ),
        ]

    def __str__(self):
        return f"{self.product} · {self.get_pax_category_display()} {self.retail_price}"

    def clean(self):
        errors = {}
        if (
            self.net_price is not None
            and self.retail_price is not None
            and (self.net_price > self.retail_price)
        ):
            errors["net_price"] = _("The net price cannot be above the retail price.")
        if self.pax_category == PaxCategory.CHILD and (
            self.age_min is None or self.age_max is None
        ):
            errors["age_max"] = _("A child rate needs its age band.")
        if self.age_min is not None and self.age_max is not None and self.age_max < self.age_min:
            errors["age_max"] = _("The age band ends before it starts.")
        if self.max_group is not None and self.max_group < self.min_group:
            errors["max_group"] = _("The group band ends before it starts.")
        if errors:
            raise ValidationError(errors)

    @property
    def commission(self) -> Decimal:
        return self.retail_price - self.net_price


class ScheduleRule(models.Model):
    """A weekly schedule: on these weekdays, at this time, a slot with this capacity."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="schedules")
    weekdays = models.CharField(
        _("weekdays"), max_length=7, default=ALL_WEEKDAYS, validators=[validate_weekdays]
    )
    start_time = models.TimeField(_("start time"))
    duration_minutes = models.PositiveIntegerField(_("duration (minutes)"), default=120)
    capacity = models.PositiveIntegerField(_("capacity"), validators=[MinValueValidator(1)])
    valid_from = models.DateField(_("from"))
    valid_until = models.DateField(_("until"), null=True, blank=True)

    class Meta:
        ordering = ["product", "start_time"]
        verbose_name = _("weekly schedule")
        verbose_name_plural = _("weekly schedules")

    def __str__(self):
        return f"{self.product} {self.weekdays} {self.start_time:%H:%M}"


class SlotStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class Slot(models.Model):
    """A dated time slot of an experience or service, with its capacity and what is taken."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="slots")
    schedule = models.ForeignKey(
        ScheduleRule, on_delete=models.SET_NULL, null=True, blank=True, related_name="slots"
    )
    date = models.DateField(_("date"))
    start_time = models.TimeField(_("start time"))
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    capacity = models.PositiveIntegerField(_("capacity"))
    sold = models.PositiveIntegerField(default=0)
    held = models.PositiveIntegerField(default=0)
    status = models.CharField(max_length=10, choices=SlotStatus.choices, default=SlotStatus.OPEN)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["starts_at"]
        verbose_name = _("slot")
        verbose_name_plural = _("slots")
        constraints = [
            models.UniqueConstraint(fields=["product", "starts_at"], name="unique_slot_start"),
            models.CheckConstraint(
                condition=Q(sold__gte=0) & Q(held__gte=0) & Q(capacity__gte=F("sold") + F("held")),
                name="slot_not_oversold",
            ),
        ]
        indexes = [
            models.Index(fields=["product", "date"]),
            models.Index(fields=["date", "status"]),
        ]

    def __str__(self):
        return f"{self.product} {self.starts_at:%Y-%m-%d %H:%M}"

    @property
    def available(self) -> int:
        return max(self.capacity - self.sold - self.held, 0)


class NightInventory(models.Model):
    """One night of one unit type: units for sale, what is taken, restrictions, price override."""

    unit_type = models.ForeignKey(UnitType, on_delete=models.CASCADE, related_name="nights")
    date = models.DateField(_("night of"))
    units = models.PositiveIntegerField(_("units for sale"))
    sold = models.PositiveIntegerField(default=0)
    held = models.PositiveIntegerField(default=0)
    closed = models.BooleanField(_("closed"), default=False)
    closed_to_arrival = models.BooleanField(_("closed to arrival"), default=False)
    closed_to_departure = models.BooleanField(_("closed to departure"), default=False)
    min_stay = models.PositiveSmallIntegerField(_("minimum stay"), null=True, blank=True)
    price_override = models.DecimalField(
        _("price per unit (override)"), null=True, blank=True, **MONEY
    )
    net_override = models.DecimalField(_("net per unit (override)"), null=True, blank=True, **MONEY)

    class Meta:
        ordering = ["unit_type", "date"]
        verbose_name = _("night inventory")
        verbose_name_plural = _("night inventory")
        constraints = [
            models.UniqueConstraint(fields=["unit_type", "date"], name="unique_night"),
            models.CheckConstraint(
                condition=Q(sold__gte=0) & Q(held__gte=0) & Q(units__gte=F("sold") + F("held")),
                name="night_not_oversold",
            ),
        ]
        indexes = [
            models.Index(fields=["date", "unit_type"]),
            # The search's "may the party leave that day" probe, over the few closed days.
            models.Index(
                fields=["unit_type", "date"],
                condition=Q(closed_to_departure=True),
                name="night_closed_to_departure",
            ),
        ]

    def __str__(self):
        return f"{self.unit_type} {self.date}"

    @property
    def available(self) -> int:
        return 0 if self.closed else max(self.units - self.sold - self.held, 0)


class GoodsStock(models.Model):
    """Stock of a goods product."""

    product = models.OneToOneField(Product, on_delete=models.CASCADE, related_name="stock")
    quantity = models.PositiveIntegerField(_("in stock"), default=0)
    sold = models.PositiveIntegerField(default=0)
    held = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("stock")
        verbose_name_plural = _("stock")
        constraints = [
            models.CheckConstraint(
                condition=Q(sold__gte=0) & Q(held__gte=0) & Q(quantity__gte=F("sold") + F("held")),
                name="stock_not_oversold",
            ),
        ]

    def __str__(self):
        return f"{self.product}: {self.available}"

    @property
    def available(self) -> int:
        return max(self.quantity - self.sold - self.held, 0)


class ProductDay(models.Model):
    """The availability search's read model: per product and day, the most places one open
    slot (experiences, services) or one open unit type (stays) still has, and only where that
    is at least one. On PostgreSQL triggers on the counters keep it in the same transaction as
    every change of a slot or a night (operators/readmodel.py); the search then asks one
    indexed table instead of every slot. Never written by the application."""

    product = models.ForeignKey(
        Product, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    date = models.DateField()
    remaining = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["product", "date"], name="unique_product_day"),
        ]
        indexes = [models.Index(fields=["date", "remaining"], name="product_day_date")]

    def __str__(self):
        return f"{self.product_id} {self.date}: {self.remaining}"


class CurationEvent(models.Model):
    """A step of a product's curation: who moved it from which status to which, and why."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="curation_events")
    from_status = models.CharField(max_length=20, choices=ProductStatus.choices)
    to_status = models.CharField(max_length=20, choices=ProductStatus.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.product}: {self.from_status} -> {self.to_status}"


class RateChangeStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for the DMC")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class RateChange(models.Model):
    """A price proposed by the operator that leaves the DMC less than the contract's
    commission: it waits for the DMC, and the rate in force (if any) stays until approved."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="rate_changes")
    #: The rate being changed; empty for a new rate.
    rate = models.ForeignKey(
        Rate, on_delete=models.CASCADE, null=True, blank=True, related_name="changes"
    )
    #: The proposed field values (ids for the unit type and the season, strings for money).
    data = models.JSONField()
    retail_price = models.DecimalField(_("retail price (VAT incl.)"), **MONEY)
    net_price = models.DecimalField(_("operator net price"), **MONEY)
    contract_commission_percent = models.DecimalField(
        _("contract commission %"), max_digits=5, decimal_places=2
    )
    status = models.CharField(
        max_length=10, choices=RateChangeStatus.choices, default=RateChangeStatus.PENDING
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reason = models.TextField(_("reason"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("rate change")
        verbose_name_plural = _("rate changes")
        indexes = [models.Index(fields=["status", "product"])]

    def __str__(self):
        return f"{self.product}: {self.retail_price}/{self.net_price} ({self.status})"

    @property
    def pax_category_label(self) -> str:
        value = self.data.get("pax_category")
        return PaxCategory(value).label if value in PaxCategory.values else str(value)

    @property
    def commission_percent(self) -> Decimal:
        if not self.retail_price:
            return Decimal("0")
        return ((self.retail_price - self.net_price) * Decimal("100") / self.retail_price).quantize(
            Decimal("0.01")
        )


class RevisionStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for review")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class ProductRevision(models.Model):
    """Content changes proposed for a live listing, kept beside it until the DMC decides:
    the published version stays on sale meanwhile (see operators.revisions)."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="revisions")
    #: Proposed values by field name (`title_de`, `comune`, `themes`...), JSON-encoded.
    data = models.JSONField(default=dict)
    status = models.CharField(
        max_length=10, choices=RevisionStatus.choices, default=RevisionStatus.PENDING
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reason = models.TextField(_("reason"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("listing revision")
        verbose_name_plural = _("listing revisions")
        constraints = [
            models.UniqueConstraint(
                fields=["product"],
                condition=Q(status="pending"),
                name="one_pending_revision_per_product",
            )
        ]

    def __str__(self):
        return f"{self.product}: {', '.join(sorted(self.data))} ({self.status})"
