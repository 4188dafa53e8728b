"""The admin's view of the audit trail: old versions can be read, never restored."""

from django.core.exceptions import PermissionDenied
from simple_history.admin import SimpleHistoryAdmin


class ReadOnlyHistoryAdmin(SimpleHistoryAdmin):
    """SimpleHistoryAdmin that refuses to save an old version.

    SIMPLE_HISTORY_REVERT_DISABLED only hides the library's "Revert" button: a POST to an old
    version's page would still save it over the current one. That POST is refused here.
    """

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method == "POST" and self.revert_disabled(request):
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)
