"""The audit trail as people read it: who changed what, when, from which value to which.

django-simple-history keeps a full copy of a row at every save; these functions compare each
copy with the one before it. They read records already fetched, so a page showing a trail
costs one query per kind of record, however long the trail.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from assessments.thai import thai_date
from measures.models import Activity, Evidence, ProgressEntry

CREATED, CHANGED, DELETED = "created", "changed", "deleted"
KIND_LABELS = {CREATED: _("created"), CHANGED: _("changed"), DELETED: _("deleted")}

ENTRY_FIELDS = ["result", "obstacles", "suggestions", "percent", "status", "kpi_actual", "links", "state"]
ACTIVITY_FIELDS = ["date", "text"]
EVIDENCE_FIELDS = ["name", "description"]
ASSESSMENT_FIELDS = ["suggestions", "tier_scheme", "tier_target", "tier_lower", "tier_upper"]


@dataclass
class FieldChange:
    label: str
    old: str
    new: str


@dataclass
class Change:
    when: datetime.datetime
    who: object  # a user, or None when the change came from a command or the user was deleted
    subject: str
    kind: str
    fields: list = field(default_factory=list)
    comment: str = ""
    record: object = None

    @property
    def kind_label(self):
        return KIND_LABELS.get(self.kind, self.kind)


def shown(record, name):
    """A field's value in a historical record as a reader expects it: labels for choices, Buddhist-Era dates."""
    model = getattr(record, "instance_type", type(record))  # a historical record, or the live row
    model_field = model._meta.get_field(name)
    value = getattr(record, model_field.attname)
    if value is None or value == "":
        return ""
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(value, datetime.date):
        return thai_date(value, short=True)
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    return str(value)


def label(record, name):
    return str(record.instance_type._meta.get_field(name).verbose_name)


def record_changes(records, fields, subject, show_created=True):
    """One Change per historical record that changed one of `fields`, oldest first.

    `records` may hold the history of several objects of one model; each record is compared with
    the one before it of the same object. A record without an earlier one is the object's first
    version: its values are new ("created"), or, for rows created before the trail began, shown
    as a change from unknown values.
    """
    previous, changes = {}, []
    for record in sorted(records, key=lambda r: (r.history_date, r.history_id)):
        pk = getattr(record, record.instance_type._meta.pk.attname)
        before = previous.get(pk)
        previous[pk] = record
        if record.history_type == "-":
            kind = DELETED
            diffs = [FieldChange(label(record, name), shown(record, name), "") for name in fields if shown(record, name)]
        elif before is None:
            if record.history_type == "+" and not show_created:
                continue
            kind = CREATED if record.history_type == "+" else CHANGED
            diffs = [
                FieldChange(label(record, name), "" if kind == CREATED else "?", shown(record, name))
                for name in fields
                if shown(record, name)
            ]
        else:
            kind = CHANGED
            delta = record.diff_against(before, included_fields=fields)
            diffs = [
                FieldChange(label(record, name), shown(before, name), shown(record, name))
                for name in fields
                if name in delta.changed_fields
            ]
            if not diffs:
                continue
        changes.append(Change(record.history_date, record.history_user, subject(record), kind, diffs, record=record))
    return changes


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


@dataclass
class ResultChange:
    when: datetime.datetime
    who: object
    code: str
    part: int
    label: str
    kind: str
    old: str
    new: str
    order: int = 0  # the record's id: orders rows written at the same moment

    @property
    def kind_label(self):
        return KIND_LABELS.get(self.kind, self.kind)


def results_trail(assessment):
    """Each change to a year's official scores (and to its suggestions and tier settings), newest first."""
    from assessments.models import Assessment, Score

    score_records = Score.history.filter(assessment_id=assessment.pk).select_related("history_user")
    assessment_records = Assessment.history.filter(id=assessment.pk).select_related("history_user")
    rows = [
        ResultChange(c.when, c.who, c.record.code, c.record.part, "", c.kind, c.fields[0].old, c.fields[0].new, c.record.history_id)
        for c in record_changes(score_records, ["score"], lambda r: r.code)
    ]
    for change in record_changes(assessment_records, ASSESSMENT_FIELDS, lambda r: "", show_created=False):
        rows += [
            ResultChange(change.when, change.who, "", 0, f.label, change.kind, f.old, f.new, change.record.history_id)
            for f in change.fields
        ]
    return sorted(rows, key=lambda row: (row.when, row.order), reverse=True)


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
    for record in model.history.filter(entry_id=entry_pk, history_date__lt=until).order_by("history_date", "history_id"):
        latest[record.id] = record
    alive = [record for record in latest.values() if record.history_type != "-"]
    return sorted(alive, key=lambda record: tuple(getattr(record, name) for name in order))
