"""The audit trail of a measure as people read it: who changed what, from what, to what.

django-simple-history keeps one record per save and, for each many-to-many field (indicators,
items, supporting units), one more per change of it, so a single save through a form or the
admin leaves several records a few milliseconds apart. They are read here as one change when the
same person made them within a few seconds. The rows are `assessments.audit.Change`, so that the
page shares the entries' trail table.
"""

import datetime

from assessments import thai
from assessments.audit import CHANGED, CREATED, DELETED, Change, FieldChange
from assessments.models import Indicator, Item
from measures.forms import MEASURE_FIELDS
from measures.models import Measure, Unit
from measures.plans import unit_label

SAME_CHANGE = datetime.timedelta(seconds=10)

# Fields in the order the form shows them; bookkeeping (revision, agency, copied_from) is left out.
# "withdrawn" reads as the reason while the measure is withdrawn, empty once restored.
FIELDS = [*MEASURE_FIELDS, "fiscal_year", "order", "withdrawn"]
M2M = {"indicators": "indicator_id", "items": "item_id", "supporting_units": "unit_id"}


def measure_trail(measure):
    """The measure's changes, newest first, in a fixed number of queries however long its history."""
    records = list(measure.history.select_related("history_user").order_by("history_date", "history_id"))
    linked = {name: {} for name in M2M}
    for name, column in M2M.items():
        through = getattr(Measure.history.model, name).model
        rows = through.objects.filter(history_id__in=[r.history_id for r in records]).values_list("history_id", column)
        for history_id, target in rows:
            linked[name].setdefault(history_id, []).append(target)
    names = labels_for(measure, linked)

    # [when, who, kind, state before, state after] per change, oldest first
    groups, previous = [], {}
    for record in records:
        state = snapshot(record, linked, names)
        kind = {"+": CREATED, "-": DELETED}.get(record.history_type, CHANGED)
        last = groups[-1] if groups else None
        if (
            last
            and kind == CHANGED
            and last[2] != DELETED
            and last[1] == record.history_user
            and record.history_date - last[0] <= SAME_CHANGE
        ):
            last[4] = state
        elif state != previous or kind != CHANGED:
            groups.append([record.history_date, record.history_user, CREATED if not groups else kind, previous, state])
        previous = state

    changes = []
    for when, who, kind, before, after in groups:
        if kind == CREATED:
            fields = [FieldChange(label(n), "", after[n]) for n in FIELDS if after[n]]
        else:
            fields = [
                FieldChange(label(n), before.get(n, ""), after[n]) for n in FIELDS if before.get(n, "") != after[n]
            ]
        if fields or kind != CHANGED:
            changes.append(Change(when, who, str(label("name")).capitalize(), kind, fields))
    return list(reversed(changes))


def label(name):
    return Measure._meta.get_field(name).verbose_name


def labels_for(measure, linked):
    """{field: {id: label}} for the units, indicators and items named anywhere in the history."""
    ids = {name: {pk for rows in linked[name].values() for pk in rows} for name in M2M}
    units = {u.pk: unit_label(u) for u in Unit.objects.filter(agency_id=measure.agency_id)}
    return {
        "supporting_units": units,
        "lead_unit": units,
        "indicators": {i.pk: f"{i.number} {i.name_th}" for i in Indicator.objects.filter(pk__in=ids["indicators"])},
        "items": {i.pk: i.code for i in Item.objects.filter(pk__in=ids["items"])},
    }


def snapshot(record, linked, names):
    """Every shown field of one history record, as text."""
    state = {}
    for name in FIELDS:
        if name in M2M:
            found = names[name]
            state[name] = ", ".join(sorted(found.get(pk, f"#{pk}") for pk in linked[name].get(record.history_id, [])))
        elif name == "lead_unit":
            pk = record.lead_unit_id
            state[name] = names["lead_unit"].get(pk, f"#{pk}") if pk else ""
        elif name == "months":
            state[name] = " ".join(thai.MONTHS_SHORT[m - 1] for m in record.months or [] if 1 <= m <= 12)
        elif name == "withdrawn":
            state[name] = (record.withdrawn_reason or "–") if record.withdrawn else ""
        elif name in ("start_date", "end_date"):
            state[name] = thai.thai_date(getattr(record, name), short=True)
        elif name in ("period", "report_frequency", "confidence"):
            state[name] = str(getattr(record, f"get_{name}_display")()) if getattr(record, name) else ""
        else:
            value = getattr(record, name)
            state[name] = "" if value is None else str(value)
    return state
