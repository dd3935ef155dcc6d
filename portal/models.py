"""Destination content of the portal: comune pages, theme pages, heritage stories, events and
itineraries, written by DMC staff in it/en/de/fr (modeltranslation) and published on dates."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ContentStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")


class LiveQuerySet(models.QuerySet):
    def live(self, *, now=None):
        """What a visitor may see: published, and inside its publishing dates."""
        now = now or timezone.now()
        return self.filter(
            Q(publish_from__isnull=True) | Q(publish_from__lte=now),
            Q(publish_until__isnull=True) | Q(publish_until__gt=now),
            status=ContentStatus.PUBLISHED,
        )


class Publishable(models.Model):
    """Status and publishing dates shared by every piece of content; staff preview the rest."""

    slug = models.SlugField(max_length=120, unique=True)
    status = models.CharField(
        _("status"), max_length=20, choices=ContentStatus.choices, default=ContentStatus.DRAFT
    )
    publish_from = models.DateTimeField(_("published from"), null=True, blank=True)
    publish_until = models.DateTimeField(_("published until"), null=True, blank=True)
    image = models.CharField(
        _("image"),
        max_length=200,
        blank=True,
        help_text=_("Path under static/, e.g. portal/img/x.svg"),
    )
    image_alt = models.CharField(_("image description"), max_length=200, blank=True)
    image_credit = models.CharField(_("image credit and licence"), max_length=200, blank=True)
    themes = models.ManyToManyField("operators.Theme", verbose_name=_("themes"), blank=True)
    products = models.ManyToManyField(
        "operators.Product",
        verbose_name=_("experiences and stays to live it"),
        blank=True,
        related_name="+",
    )
    packages = models.ManyToManyField(
        "packages.Package", verbose_name=_("packages to live it"), blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = LiveQuerySet.as_manager()

    class Meta:
        abstract = True

    def clean(self):
        if self.publish_from and self.publish_until and self.publish_until <= self.publish_from:
            raise ValidationError(
                {"publish_until": _("The end of publication is before its start.")}
            )

    def is_live(self, *, now=None) -> bool:
        now = now or timezone.now()
        return (
            self.status == ContentStatus.PUBLISHED
            and (self.publish_from is None or self.publish_from <= now)
            and (self.publish_until is None or self.publish_until > now)
        )


class Place(models.Model):
    """A point a story happens at or an itinerary passes through (coordinates for the map)."""

    slug = models.SlugField(max_length=120, unique=True)
    name = models.CharField(_("name"), max_length=150)
    comune = models.ForeignKey(
        "places.Comune", verbose_name=_("comune"), on_delete=models.PROTECT, related_name="+"
    )
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6)

    class Meta:
        ordering = ["name"]
        verbose_name = _("place")
        verbose_name_plural = _("places")

    def __str__(self):
        return self.name


class ComunePage(Publishable):
    comune = models.OneToOneField(
        "places.Comune", verbose_name=_("comune"), on_delete=models.PROTECT, related_name="page"
    )
    tagline = models.CharField(_("tagline"), max_length=200, blank=True)
    intro = models.TextField(_("introduction"), blank=True)
    what_to_see = models.TextField(_("what to see"), blank=True)
    getting_there = models.TextField(_("how to get there"), blank=True)
    iat_office = models.CharField(_("tourist information office"), max_length=200, blank=True)
    iat_address = models.CharField(_("office address"), max_length=200, blank=True)
    iat_hours = models.CharField(_("opening hours"), max_length=200, blank=True)

    class Meta:
        ordering = ["comune__name"]
        verbose_name = _("comune page")
        verbose_name_plural = _("comune pages")

    def __str__(self):
        return self.comune.name

    def get_absolute_url(self):
        return reverse("portal:comune", args=[self.slug])


class ThemePage(Publishable):
    theme = models.OneToOneField(
        "operators.Theme", verbose_name=_("theme"), on_delete=models.PROTECT, related_name="page"
    )
    title = models.CharField(_("title"), max_length=200)
    intro = models.TextField(_("introduction"), blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "slug"]
        verbose_name = _("theme page")
        verbose_name_plural = _("theme pages")

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("portal:theme", args=[self.slug])


class StoryKind(models.TextChoices):
    LEGEND = "legend", _("Legend")
    TRADITION = "tradition", _("Tradition")
    FOOD = "food", _("Food and wine")
    CRAFT = "craft", _("Craft")
    HISTORY = "history", _("History")


class Story(Publishable):
    """A piece of the Piana's intangible heritage: a legend, a tradition, a food, a craft."""

    kind = models.CharField(_("kind"), max_length=20, choices=StoryKind.choices)
    title = models.CharField(_("title"), max_length=200)
    summary = models.CharField(_("summary"), max_length=300, blank=True)
    body = models.TextField(_("story"), blank=True)
    comuni = models.ManyToManyField("places.Comune", verbose_name=_("comuni"), related_name="+")
    places = models.ManyToManyField(Place, verbose_name=_("places"), blank=True)

    class Meta:
        ordering = ["title"]
        verbose_name = _("story")
        verbose_name_plural = _("stories")

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("portal:story", args=[self.slug])


class Event(Publishable):
    title = models.CharField(_("title"), max_length=200)
    summary = models.CharField(_("summary"), max_length=300, blank=True)
    body = models.TextField(_("description"), blank=True)
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("to"))
    times = models.CharField(_("times"), max_length=120, blank=True)
    comune = models.ForeignKey(
        "places.Comune", verbose_name=_("comune"), on_delete=models.PROTECT, related_name="+"
    )
    place = models.ForeignKey(
        Place, verbose_name=_("place"), on_delete=models.SET_NULL, null=True, blank=True
    )

    class Meta:
        ordering = ["starts_on", "title"]
        verbose_name = _("event")
        verbose_name_plural = _("events")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")),
                name="portal_event_ends_after_start",
            )
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("portal:event", args=[self.slug])

    def clean(self):
        super().clean()
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": _("The event ends before it starts.")})


class Itinerary(Publishable):
    title = models.CharField(_("title"), max_length=200)
    summary = models.CharField(_("summary"), max_length=300, blank=True)
    body = models.TextField(_("introduction"), blank=True)

    class Meta:
        ordering = ["title"]
        verbose_name = _("itinerary")
        verbose_name_plural = _("itineraries")

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("portal:itinerary", args=[self.slug])


class ItineraryStop(models.Model):
    itinerary = models.ForeignKey(Itinerary, on_delete=models.CASCADE, related_name="stops")
    day = models.PositiveSmallIntegerField(_("day"), default=1)
    position = models.PositiveSmallIntegerField(default=0)
    place = models.ForeignKey(Place, verbose_name=_("place"), on_delete=models.PROTECT)
    note = models.TextField(_("what to do there"), blank=True)

    class Meta:
        ordering = ["day", "position", "pk"]
        verbose_name = _("stop")
        verbose_name_plural = _("stops")

    def __str__(self):
        return f"{self.day}. {self.place}"
