from django.contrib import admin

from .models import (
    ChildReduction,
    Component,
    Departure,
    HeritageStory,
    Package,
    PackagePhoto,
    SeasonPrice,
)


class ComponentInline(admin.TabularInline):
    model = Component
    fk_name = "package"
    extra = 0
    raw_id_fields = ("product", "unit_type", "alternative_product", "alternative_unit_type")
    fields = (
        "day_offset",
        "product",
        "unit_type",
        "slot_rule",
        "time",
        "quantity_rule",
        "quantity",
        "required",
        "alternative_product",
        "alternative_unit_type",
    )


class SeasonPriceInline(admin.TabularInline):
    model = SeasonPrice
    extra = 0


class ChildReductionInline(admin.TabularInline):
    model = ChildReduction
    extra = 0


class PackagePhotoInline(admin.TabularInline):
    model = PackagePhoto
    extra = 0


@admin.register(Package)
class PackageAdmin(admin.ModelAdmin):
    """Read mostly: the builder (back office) is where packages are edited through services."""

    list_display = (
        "title",
        "status",
        "duration_days",
        "valid_from",
        "valid_until",
        "needs_attention",
    )
    list_filter = ("status", "pricing_mode", "departure_mode", "needs_attention")
    search_fields = ("title_it", "title_en", "slug")
    inlines = [ComponentInline, SeasonPriceInline, ChildReductionInline, PackagePhotoInline]


@admin.register(Departure)
class DepartureAdmin(admin.ModelAdmin):
    list_display = ("package", "date", "capacity", "booked_pax", "min_pax", "cutoff_date", "status")
    list_filter = ("status", "package")
    readonly_fields = ("booked_pax", "decided_at")


@admin.register(HeritageStory)
class HeritageStoryAdmin(admin.ModelAdmin):
    list_display = ("title", "kind", "comune")
    list_filter = ("kind",)
