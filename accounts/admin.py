from django.contrib import admin

from accounts.models import AccessEvent


@admin.register(AccessEvent)
class AccessEventAdmin(admin.ModelAdmin):
    """The audit of access, to read only: no one adds, changes or deletes an event here (a POST to
    the change or delete page is refused), so the record of who did what stays as it was written.
    Old rows go only with the `prune_access_log` command."""

    list_display = ("at", "kind", "username", "agency", "what", "address")
    list_filter = ("kind", "at")
    search_fields = ("username", "what", "agency__code", "address")
    list_select_related = ("agency",)
    fields = ("at", "kind", "user", "username", "agency", "what", "address", "user_agent")
    show_full_result_count = False  # the table grows without end; counting it all on each page is slow

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
