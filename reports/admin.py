from django.contrib import admin

from reports.models import Bundle


@admin.register(Bundle)
class BundleAdmin(admin.ModelAdmin):
    """Bundles are built by the worker; the admin only lists them and deletes old ones (with their files)."""

    list_display = [
        "organisation",
        "fiscal_year",
        "requested_by",
        "requested_at",
        "status",
        "done",
        "total",
        "heartbeat_at",
    ]
    list_filter = ["status", "fiscal_year"]
    list_select_related = ["organisation", "requested_by"]
    readonly_fields = [f.name for f in Bundle._meta.fields] + ["agencies"]

    def has_add_permission(self, request):
        return False
