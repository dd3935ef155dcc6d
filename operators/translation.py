from modeltranslation.translator import TranslationOptions, register

from .models import Product, Theme, UnitType


@register(Product)
class ProductTranslationOptions(TranslationOptions):
    fields = (
        "title",
        "summary",
        "description",
        "inclusions",
        "exclusions",
        "meeting_point",
        "accessibility_notes",
    )
    required_languages = {"it": ("title",), "en": ("title",)}


@register(Theme)
class ThemeTranslationOptions(TranslationOptions):
    fields = ("name",)


@register(UnitType)
class UnitTypeTranslationOptions(TranslationOptions):
    fields = ("name", "description")
