from modeltranslation.translator import TranslationOptions, register

from .models import ComunePage, Event, Itinerary, ItineraryStop, Place, Story, ThemePage

_IMAGE = ("image_alt",)


@register(Place)
class PlaceTranslationOptions(TranslationOptions):
    fields = ("name",)


@register(ComunePage)
class ComunePageTranslationOptions(TranslationOptions):
    fields = ("tagline", "intro", "what_to_see", "getting_there", "iat_hours", *_IMAGE)


@register(ThemePage)
class ThemePageTranslationOptions(TranslationOptions):
    fields = ("title", "intro", *_IMAGE)


@register(Story)
class StoryTranslationOptions(TranslationOptions):
    fields = ("title", "summary", "body", *_IMAGE)


@register(Event)
class EventTranslationOptions(TranslationOptions):
    fields = ("title", "summary", "body", "times", *_IMAGE)


@register(Itinerary)
class ItineraryTranslationOptions(TranslationOptions):
    fields = ("title", "summary", "body", *_IMAGE)


@register(ItineraryStop)
class ItineraryStopTranslationOptions(TranslationOptions):
    fields = ("note",)
