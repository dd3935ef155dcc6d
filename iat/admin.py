from django.contrib import admin

from . import models


class SeasonInline(admin.TabularInline):
    model = models.OpeningSeason
    extra = 0


class ExceptionInline(admin.TabularInline):
    model = models.OpeningException
    extra = 0


class StockInline(admin.TabularInline):
    model = models.MaterialStock
    extra = 0


@admin.register(models.Office)
class OfficeAdmin(admin.ModelAdmin):
    list_display = ["name", "comune", "organisation", "is_active"]
    list_filter = ["comune", "is_active"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [SeasonInline, ExceptionInline, StockInline]


class HoursInline(admin.TabularInline):
    model = models.OpeningHours
    extra = 0


@admin.register(models.OpeningSeason)
class SeasonAdmin(admin.ModelAdmin):
    list_display = ["office", "name", "start_month", "start_day", "end_month", "end_day"]
    inlines = [HoursInline]


admin.site.register(models.Material)
admin.site.register(models.Announcement)
admin.site.register(models.TrainingSession)
admin.site.register(models.Shift)
