"""The what-if panel of the analysis page: next year's scores typed over this year's, and what
level they would give. A GET form; nothing is saved."""

import re
from dataclasses import dataclass
from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from assessments.analysis import part_label
from assessments.codes import thai_to_arabic
from assessments.scoring import OVERALL, Result, compute, indicator_code
from assessments.text import interpolate
from assessments.whatif import LevelRises, smallest_rises, what_if

SUBMITTED = "what_if"  # the hidden field that says the form was sent


class ScoreField(forms.CharField):
    """A score as published: 0 to 100 with at most two decimals; Thai digits are read too.
    Empty means the figure is left as it is."""

    widget = forms.TextInput(attrs={"inputmode": "decimal", "size": 6, "autocomplete": "off"})

    def to_python(self, value):
        text = thai_to_arabic(super().to_python(value)).strip()
        if not text:
            return None
        if not re.fullmatch(r"-?\d+(\.\d*)?|-?\.\d+", text):
            raise refused(NOT_A_NUMBER, text)
        score = Decimal(text)
        if not Decimal(0) <= score <= Decimal(100):
            raise refused(OUTSIDE_0_100, text)
        if score != score.quantize(Decimal("0.01")):
            raise refused(TOO_MANY_DECIMALS, text)
        return score.quantize(Decimal("0.01"))


NOT_A_NUMBER = _("“%(value)s” is not a number: type a score from 0 to 100, such as 87.50.")
OUTSIDE_0_100 = _("%(value)s is outside 0–100: type a score from 0 to 100, such as 87.50.")
TOO_MANY_DECIMALS = _("%(value)s has more than two decimals: scores have at most two, such as 87.50.")


def refused(message, text):
    return forms.ValidationError(interpolate(message, {"value": text}))


def field_name(code: str, part: int) -> str:
    return f"wi-{code}-{part}"


@dataclass
class FigureInput:
    key: tuple[str, int]
    label: str
    field: forms.BoundField


@dataclass
class WhatIfPanel:
    form: forms.Form
    indicators: list[FigureInput]
    item_groups: list  # [(indicator, [FigureInput…])], only for indicators with item figures
    submitted: bool
    changes: dict
    result: Result | None  # the result the typed scores give, once sent without errors
    rises: list[LevelRises]  # from the typed result once sent, else from this year's
    columns: list[str]  # the tools (or EIT parts) the rises are for, in the order of each row
    level: object  # the level the rises start from (LevelSpec or None)

    @property
    def overall(self):
        return self.result.shown(OVERALL) if self.result is not None else None


def figure_keys(version, spec, result):
    """(indicator, [(key, label)…] of the indicator, [(key, label)…] of its items) for each
    indicator: the whole indicator always, its EIT parts and items where this year has them."""
    items_of = {}
    for item in version.items.all():
        items_of.setdefault(item.indicator.number, []).append(item)
    for indicator in version.indicators.all():
        code = indicator_code(indicator.number)
        tool = indicator.tool.code
        own = [
            (
                (code, 0),
                interpolate(
                    _("Indicator %(number)s %(name)s"), {"number": indicator.number, "name": indicator.name_th}
                ),
            )
        ]
        for part in spec.tool_parts.get(tool, ()):
            if result.get(code, part) is not None:
                own.append(((code, part), f"{own[0][1]}: {part_label(version, tool, part)}"))
        items = []
        for item in items_of.get(indicator.number, []):
            parts = spec.tool_parts.get(tool, ()) if item.scored_in_parts else (0,)
            for part in parts:
                if result.get(item.code, part) is not None:
                    label = f"{item.code} {part_label(version, tool, part)}" if part else item.code
                    items.append(((item.code, part), label))
        yield indicator, own, items


def what_if_panel(assessment, version, query) -> WhatIfPanel:
    """The panel for `assessment`, given {version} loaded with `with_spec_data()` and the page's
    GET parameters. The inputs start at this year's figures of record; only those typed
    differently count as changes."""
    spec = assessment.placed_spec(version.spec)  # items placed in a version without a list count too
    official = assessment.official_figures()
    result = compute(spec, official)
    submitted = SUBMITTED in query
    groups = list(figure_keys(version, spec, result))
    fields = {
        field_name(*key): ScoreField(label=label, required=False, initial=result.shown(*key))
        for _indicator, own, items in groups
        for key, label in own + items
    }
    data = None
    if submitted:
        # A score left out of the address (a shortened link) stands at this year's figure.
        data = {name: "" if field.initial is None else str(field.initial) for name, field in fields.items()}
        data.update(query.items())
    form = forms.Form(data)
    form.fields.update(fields)

    def inputs(pairs):
        return [FigureInput(key, label, form[field_name(*key)]) for key, label in pairs]

    changes: dict[tuple[str, int], Decimal] = {}
    typed = None
    if submitted and form.is_valid():
        for _indicator, own, items in groups:
            for key, _label in own + items:
                value = form.cleaned_data[field_name(*key)]
                if value is not None and value != result.shown(*key):
                    changes[key] = value
        typed = what_if(spec, official, changes)
    rises = smallest_rises(spec, typed if typed is not None else result)
    columns = rises[0].rises if rises else ()
    return WhatIfPanel(
        form=form,
        indicators=[i for _indicator, own, _items in groups for i in inputs(own)],
        item_groups=[(indicator, inputs(items)) for indicator, _own, items in groups if items],
        submitted=submitted,
        changes=changes,
        result=typed,
        rises=rises,
        level=(typed if typed is not None else result).level,
        columns=[part_label(version, r.tool, r.part) if r.part else r.tool for r in columns],
    )
