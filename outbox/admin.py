from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .models import OutboxMessage
from .services import outbox_retry


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    list_display = ("pk", "handler", "status", "attempts", "available_at", "done_at")
    ordering = ("-pk",)
    list_filter = ("status", "handler")
    search_fields = ("handler", "last_error")
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in OutboxMessage._meta.fields]
    actions = ["retry_now"]

    def has_add_permission(self, request):
        return False

    @admin.action(description=_("Retry now"))
    def retry_now(self, request, queryset):
        n = outbox_retry(messages=list(queryset))
        self.message_user(
            request,
            ngettext("%(n)d message will run again.", "%(n)d messages will run again.", n)
            % {"n": n},
            messages.SUCCESS,
        )
