"""The audit trail as people read it: who changed what, when, from which value to which.

django-simple-history keeps a full copy of a row at every save; these functions compare each
copy with the one before it. They read records already fetched, so a page showing a trail
costs one query per kind of record, however long the trail.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

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
    model_field = record.instance_type._meta.get_field(name)
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
