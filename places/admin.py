from django.contrib import admin

from .models import Comune


@admin.register(Comune)
class ComuneAdmin(admin.ModelAdmin):
    list_display = ["name", "istat_code", "cadastral_code", "province", "in_destination"]
    search_fields = ["name", "istat_code"]
