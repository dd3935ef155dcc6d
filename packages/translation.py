from modeltranslation.translator import TranslationOptions, register

from .models import Component, HeritageStory, Package


@register(Package)
class PackageTranslationOptions(TranslationOptions):
    fields = (
        "title",
        "summary",
        "story",
        "itinerary",
        "meals",
        "accessibility",
        "travel_documents",
    )
    required_languages = {"it": ("title",), "en": ("title",)}


@register(HeritageStory)
class HeritageStoryTranslationOptions(TranslationOptions):
    fields = ("title", "text")


@register(Component)
class ComponentTranslationOptions(TranslationOptions):
    fields = ("note",)
