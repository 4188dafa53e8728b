"""The audit trail as people read it: who changed what, when, from which value to which; and
the trail of the official results.

django-simple-history keeps a full copy of a row at every save; these functions compare each
copy with the one before it. They read records already fetched, so a page showing a trail
costs one query per kind of record, however long the trail. The measures' trails
(`measures.audit`, `measures.history`) are built from the same rows.
"""

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _

from assessments.models import Assessment, Score
from assessments.thai import thai_date

CREATED, CHANGED, DELETED = "created", "changed", "deleted"
KIND_LABELS = {CREATED: _("created"), CHANGED: _("changed"), DELETED: _("deleted")}

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
    def kind_label(self) -> str:
        return KIND_LABELS.get(self.kind, self.kind)


def shown(record: models.Model, name: str) -> str:
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


def label(record: models.Model, name: str) -> str:
    return str(record.instance_type._meta.get_field(name).verbose_name)


def record_changes(
    records: Iterable[models.Model],
    fields: list[str],
    subject: Callable[[models.Model], str],
    show_created: bool = True,
) -> list["Change"]:
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
            diffs = [
                FieldChange(label(record, name), shown(record, name), "") for name in fields if shown(record, name)
            ]
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
    def kind_label(self) -> str:
        return KIND_LABELS.get(self.kind, self.kind)


def results_trail(assessment: Assessment) -> list["ResultChange"]:
    """Each change to a year's official scores (and to its suggestions and tier settings), newest first."""
    score_label = str(Score._meta.get_field("score").verbose_name)
    score_records = Score.history.filter(assessment_id=assessment.pk).select_related("history_user")
    assessment_records = Assessment.history.filter(id=assessment.pk).select_related("history_user")
    # A score's row names its code; a change to the level published with it also says "published level".
    rows = [
        ResultChange(
            c.when,
            c.who,
            c.record.code,
            c.record.part,
            "" if f.label == score_label else f.label,
            c.kind,
            f.old,
            f.new,
            c.record.history_id,
        )
        for c in record_changes(score_records, ["score", "level"], lambda r: r.code)
        for f in c.fields
    ]
    for change in record_changes(assessment_records, ASSESSMENT_FIELDS, lambda r: "", show_created=False):
        rows += [
            ResultChange(change.when, change.who, "", 0, f.label, change.kind, f.old, f.new, change.record.history_id)
            for f in change.fields
        ]
    return sorted(rows, key=lambda row: (row.when, row.order), reverse=True)
