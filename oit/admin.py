from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from oit.models import Guidance


@admin.register(Guidance)
class GuidanceAdmin(SimpleHistoryAdmin):
    """The longer guidance of each o item, per framework version (the checklist shows it)."""

    list_display = ["item", "version"]
    list_filter = ["item__version"]
    search_fields = ["item__code", "text"]
    autocomplete_fields = ["item"]

    @admin.display(description="version")
    def version(self, guidance):
        return guidance.item.version
