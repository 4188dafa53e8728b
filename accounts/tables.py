"""The access log as a table, and the same rows as plain values for its downloads."""

import django_tables2 as tables
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from assessments.thai import thai_date


class AccessEventTable(tables.Table):
    """Newest first, as the index on `at` reads them; not sortable, so that every page reads so."""

    at = tables.Column(_("When"), orderable=False, attrs={"td": {"class": "when"}})
    kind = tables.Column(_("Event"), accessor="get_kind_display", orderable=False)
    username = tables.Column(_("User"), orderable=False)
    agency = tables.Column(_("Agency"), accessor="agency__code", orderable=False, default="–")
    what = tables.Column(_("What"), orderable=False, default="–")
    address = tables.Column(_("From address"), orderable=False, default="–")

    class Meta:
        template_name = "assessments/_table.html"
        attrs = {"class": "access-log"}
        empty_text = _("No events match these filters.")

    def render_at(self, value):
        """Bangkok time, Buddhist Era, to the second: "22 ธ.ค. 65 14:05:09"."""
        moment = timezone.localtime(value)
        return f"{thai_date(moment, short=True)} {moment:%H:%M:%S}"

    def render_agency(self, value, record):
        return f"{value} {record.agency.name_th}"


# (label, kind) per downloaded column (see assessments.downloads).
ACCESS_LOG_COLUMNS = [
    (_("When"), "text"),
    (_("Event"), "text"),
    (_("User"), "text"),
    (_("Agency code"), "text"),
    (_("Agency"), "text"),
    (_("What"), "text"),
    (_("From address"), "text"),
    (_("Browser"), "text"),
]


def access_log_rows(events):
    """(columns, rows): the events as plain values, times in Bangkok time as ISO text (sortable)."""
    return ACCESS_LOG_COLUMNS, [
        [
            timezone.localtime(event.at).strftime("%Y-%m-%d %H:%M:%S"),
            event.get_kind_display(),
            event.username,
            event.agency.code if event.agency else "",
            event.agency.name_th if event.agency else "",
            event.what,
            event.address or "",
            event.user_agent,
        ]
        for event in events
    ]
