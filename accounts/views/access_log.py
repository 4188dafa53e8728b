"""The access log: who signed in, failed to, signed out, or opened which file, when and from where.
Administrators read it; nobody changes it (the admin shows it read-only)."""

from django.contrib import messages
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from accounts.audit import Kind, record
from accounts.filters import AccessLogFilter
from accounts.models import AccessEvent
from accounts.tables import AccessEventTable, access_log_rows
from assessments import access
from assessments.downloads import csv_response, xlsx_response

PER_PAGE = 50
# A download holds at most this many events; more would take minutes and hundreds of megabytes
# to write as XLSX. Narrower filters (a month, one agency) fit.
DOWNLOAD_LIMIT = 20_000


def filtered_events(request: HttpRequest) -> tuple[AccessLogFilter, QuerySet[AccessEvent]]:
    """(filterset, events): the events the user may read as filtered, newest first; none while a
    filter is invalid."""
    events = AccessEvent.objects.visible_to(request.user).select_related("agency").order_by("-at", "-pk")
    filterset = AccessLogFilter(request.GET, events)
    return filterset, filterset.qs if filterset.is_valid() else events.none()


@require_GET
def access_log(request: HttpRequest) -> HttpResponse:
    access.require(access.can_read_access_log(request.user))
    filterset, events = filtered_events(request)
    table = AccessEventTable(events)
    table.paginate(per_page=PER_PAGE)
    table.page = table.paginator.get_page(request.GET.get("page"))  # not a number or out of range: the nearest page
    return render(
        request,
        "accounts/access_log.html",
        {"filter": filterset, "table": table},
    )


@require_GET
def access_log_download(request: HttpRequest, file_format: str) -> HttpResponse:
    """The events the page lists with the same filters, every page, as CSV or XLSX. The download is
    itself recorded: a copy of the log has left the system."""
    access.require(access.can_read_access_log(request.user))
    if file_format not in ("csv", "xlsx"):
        raise Http404
    filterset, events = filtered_events(request)
    back = f"{reverse('access_log')}?{request.GET.urlencode()}"
    if not filterset.is_valid():
        return redirect(back)
    events = list(events[: DOWNLOAD_LIMIT + 1])
    if len(events) > DOWNLOAD_LIMIT:
        messages.error(
            request,
            _("More than %(limit)s events match these filters; choose a shorter period or one agency to download them.")
            % {"limit": f"{DOWNLOAD_LIMIT:,}"},
        )
        return redirect(back)
    columns, rows = access_log_rows(events)
    filename = "ita-access-log"
    record(request, Kind.REPORT_DOWNLOAD, what=f"{filename}.{file_format}")
    if file_format == "csv":
        return csv_response(filename, columns, rows)
    return xlsx_response(filename, columns, rows, title=_("Access log"))
