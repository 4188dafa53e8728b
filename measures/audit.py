"""The audit trail of a progress entry as people read it: who changed the report, its dated
activities and its evidence, and who reviewed it. The rows are `assessments.audit.Change`, read
by the same `record_changes` as the official results' trail.
"""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from assessments.audit import Change, FieldChange, label, record_changes, shown
from assessments.thai import thai_date
from measures.models import Activity, Evidence, ProgressEntry

ENTRY_FIELDS = ["result", "obstacles", "suggestions", "percent", "status", "kpi_actual", "links", "state"]
ACTIVITY_FIELDS = ["date", "text"]
EVIDENCE_FIELDS = ["name", "description"]


def entry_trail(entry):
    """Every change to an entry, its dated activities and its evidence, and every review step, newest first."""
    entry_records = ProgressEntry.history.filter(id=entry.pk).select_related("history_user")
    activity_records = Activity.history.filter(entry_id=entry.pk).select_related("history_user")
    evidence_records = Evidence.history.filter(entry_id=entry.pk).select_related("history_user")
    report, activity, evidence = _("Report"), _("Activity"), _("Evidence")
    changes = [
        *record_changes(entry_records, ENTRY_FIELDS, lambda r: str(report)),
        *record_changes(activity_records, ACTIVITY_FIELDS, lambda r: f"{activity} {thai_date(r.date, short=True)}"),
        *record_changes(evidence_records, EVIDENCE_FIELDS, lambda r: str(evidence)),
    ]
    for event in entry.events.select_related("user"):
        changes.append(
            Change(event.created, event.user, _("Review"), event.get_action_display(), comment=event.comment)
        )
    return sorted(changes, key=lambda change: change.when, reverse=True)


def changes_since(entry, revision):
    """What a reviewer who loaded `entry` at `revision` saw, against the entry as it is now:
    (the entry's history record of that revision, [FieldChange(label, then, now)] for each field of
    the report that differs, its dated activities and its evidence files included), or
    (None, None) when the trail has no record of that revision.

    A save writes the entry's record first and its activities and files after it, so what belonged
    to a revision is what was recorded before the entry's next record.
    """
    records = list(
        ProgressEntry.history.filter(id=entry.pk, revision__gte=revision)
        .select_related("history_user")
        .order_by("history_date", "history_id")
    )
    seen = [record for record in records if record.revision == revision]
    if not seen:
        return None, None
    later = next((record for record in records if record.revision > revision), None)
    until = later.history_date if later else timezone.now()
    rows = [
        FieldChange(label(seen[-1], name), shown(seen[-1], name), shown(entry, name))
        for name in ENTRY_FIELDS
        if shown(seen[-1], name) != shown(entry, name)
    ]
    lists = [
        (_("Activities"), Activity, lambda r: f"{thai_date(r.date, short=True)} {r.text}", ("date", "id")),
        (_("Evidence files"), Evidence, lambda r: r.name, ("uploaded", "id")),
    ]
    for title, model, line, order in lists:
        then = "\n".join(line(r) for r in _rows_before(model, entry.pk, until, order))
        now = "\n".join(line(r) for r in model.objects.filter(entry_id=entry.pk).order_by(*order))
        if then != now:
            rows.append(FieldChange(str(title), then, now))
    return seen[-1], rows


def _rows_before(model, entry_pk, until, order):
    """An entry's activities or evidence as they stood just before `until`, from their history."""
    latest = {}
    for record in model.history.filter(entry_id=entry_pk, history_date__lt=until).order_by(
        "history_date", "history_id"
    ):
        latest[record.id] = record
    alive = [record for record in latest.values() if record.history_type != "-"]
    return sorted(alive, key=lambda record: tuple(getattr(record, name) for name in order))
