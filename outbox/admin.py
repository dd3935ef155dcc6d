from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .models import OutboxMessage
from .services import outbox_retry


def _dmc_operations(request) -> bool:
    """DMC admins and finance see the outbox (what is late, what failed) and retry rows."""
    from accounts.services import DmcGroup

    user = request.user
    if not (user.is_active and user.is_staff):
        return False
    return (
        user.is_superuser
        or user.groups.filter(name__in=[DmcGroup.ADMIN, DmcGroup.FINANCE]).exists()
    )


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

    def has_delete_permission(self, request, obj=None):
        return False

    def has_module_permission(self, request):
        return _dmc_operations(request)

    def has_view_permission(self, request, obj=None):
        return _dmc_operations(request)

    def has_change_permission(self, request, obj=None):
        return _dmc_operations(request)  # fields are read-only: only the "retry now" action

    @admin.action(description=_("Retry now"))
    def retry_now(self, request, queryset):
        n = outbox_retry(messages=list(queryset))
        self.message_user(
            request,
            ngettext("%(n)d message will run again.", "%(n)d messages will run again.", n)
            % {"n": n},
            messages.SUCCESS,
        )
