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


class ViewOnlyAdmin(ReadOnlyHistoryAdmin):
    """Rows the admin shows and never writes. They change only through the app's pages and imports,
    which check them, take the review's steps and keep their history. Whatever would delete them
    along with another row (a unit, a measure, an agency) is refused by the admin too, since its
    delete page asks each cascaded row's admin for permission."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
