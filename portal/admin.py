"""DMC staff edit the portal's content here, in it/en/de/fr (tabs), and preview it on the site
with "View on site" before its publishing date."""

from django.contrib import admin
from modeltranslation.admin import TabbedTranslationAdmin, TranslationTabularInline

from .models import ComunePage, Event, Itinerary, ItineraryStop, Place, Story, ThemePage

PUBLISHING = ("status", "publish_from", "publish_until")
IMAGE = ("image", "image_alt", "image_credit")
OFFER = ("themes", "products", "packages")


class PreviewMixin:
    list_filter = ("status",)
    search_fields = ("slug",)
    filter_horizontal = ("themes", "products", "packages")

    def view_on_site(self, obj):
        return obj.get_absolute_url() + "?preview=1"


@admin.register(Place)
class PlaceAdmin(TabbedTranslationAdmin):
    list_display = ("name", "comune", "latitude", "longitude")
    list_filter = ("comune",)
    search_fields = ("name", "slug")


@admin.register(ComunePage)
class ComunePageAdmin(PreviewMixin, TabbedTranslationAdmin):
    list_display = ("comune", "status", "publish_from", "updated_at")
    fieldsets = (
        (None, {"fields": ("comune", "slug", "tagline", "intro", "what_to_see", "getting_there")}),
        ("IAT", {"fields": ("iat_office", "iat_address", "iat_hours")}),
        (None, {"fields": IMAGE + OFFER + PUBLISHING}),
    )


@admin.register(ThemePage)
class ThemePageAdmin(PreviewMixin, TabbedTranslationAdmin):
    list_display = ("title", "theme", "status", "position")
    fields = ("theme", "slug", "title", "intro", "position", *IMAGE, *OFFER, *PUBLISHING)


@admin.register(Story)
class StoryAdmin(PreviewMixin, TabbedTranslationAdmin):
    list_display = ("title", "kind", "status", "publish_from", "updated_at")
    list_filter = ("status", "kind", "comuni")
    search_fields = ("slug", "title")
    filter_horizontal = ("themes", "products", "packages", "comuni", "places")
    fields = ("slug", "kind", "title", "summary", "body", "comuni", "places", *IMAGE, *OFFER)
    fields = (*fields, *PUBLISHING)


@admin.register(Event)
class EventAdmin(PreviewMixin, TabbedTranslationAdmin):
    list_display = ("title", "starts_on", "ends_on", "comune", "status")
    list_filter = ("status", "comune")
    search_fields = ("slug", "title")
    date_hierarchy = "starts_on"
    fields = ("slug", "title", "summary", "body", "starts_on", "ends_on", "times", "comune")
    fields = (*fields, "place", *IMAGE, *OFFER, *PUBLISHING)


class ItineraryStopInline(TranslationTabularInline):
    model = ItineraryStop
    extra = 1
    autocomplete_fields = ("place",)


@admin.register(Itinerary)
class ItineraryAdmin(PreviewMixin, TabbedTranslationAdmin):
    list_display = ("title", "status", "updated_at")
    search_fields = ("slug", "title")
    inlines = [ItineraryStopInline]
    fields = ("slug", "title", "summary", "body", *IMAGE, *OFFER, *PUBLISHING)
