"""The forms of a new year's framework draft (see `assessments.drafts`): the version, the tool
weights, and one formset per list of the version (levels, indicators, items), each with a blank
row to add one and a box to delete one.

The forms check each value on its own (a number, a score from 0 to 100); whether the draft holds
together (weights adding up to 1, items naming known indicators) is `version_problems`'s to say,
as it says it for a file.
"""

import copy
from decimal import Decimal

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext_lazy as _

from assessments.drafts import EIT_PARTS
from assessments.models import LevelScheme, ToolCode

SCORE = [MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))]


class VersionForm(forms.Form):
    code = forms.SlugField(
        label=_("Version code"), max_length=40, help_text=_("Letters, digits, _ and -, e.g. ita_2570.")
    )
    first_year = forms.IntegerField(label=_("First fiscal year"), min_value=2500, max_value=2700)
    last_year = forms.IntegerField(label=_("Last fiscal year"), min_value=2500, max_value=2700)
    level_scheme = forms.ChoiceField(label=_("Level scheme"), choices=LevelScheme.choices)
    notes = forms.CharField(label=_("Name and notes"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def clean(self):
        cleaned = super().clean()
        first, last = cleaned.get("first_year"), cleaned.get("last_year")
        if first and last and first > last:
            self.add_error("last_year", _("The last fiscal year cannot come before the first."))
        return cleaned


class WeightsForm(forms.Form):
    IIT = forms.DecimalField(label="IIT", max_digits=4, decimal_places=3, min_value=0, max_value=1)
    EIT = forms.DecimalField(label="EIT", max_digits=4, decimal_places=3, min_value=0, max_value=1)
    OIT = forms.DecimalField(label="OIT", max_digits=4, decimal_places=3, min_value=0, max_value=1)


class LevelForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=20)
    name_th = forms.CharField(label=_("Thai name"), max_length=100, required=False)
    min_score = forms.DecimalField(label=_("Minimum score"), max_digits=5, decimal_places=2, validators=SCORE)
    every_tool_min = forms.DecimalField(
        label=_("Minimum for every tool"), max_digits=5, decimal_places=2, validators=SCORE, required=False
    )


class IndicatorForm(forms.Form):
    number = forms.IntegerField(label=_("Number"), min_value=1, max_value=99)
    tool = forms.ChoiceField(label=_("Tool"), choices=ToolCode.choices)
    name_th = forms.CharField(label=_("Thai name"), max_length=200)


class ItemForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=10)
    text_th = forms.CharField(label=_("Thai text"), widget=forms.Textarea(attrs={"rows": 2}))
    indicator = forms.IntegerField(label=_("Indicator"), min_value=1, max_value=99)
    in_parts = forms.BooleanField(label=_("Scored in parts"), required=False)
    # The code the row was copied as: its sub-questions, note and sub-topic follow it.
    copied_as = forms.CharField(required=False, widget=forms.HiddenInput)


LevelFormSet = forms.formset_factory(LevelForm, extra=1, can_delete=True, max_num=50, validate_max=True)
IndicatorFormSet = forms.formset_factory(IndicatorForm, extra=1, can_delete=True, max_num=50, validate_max=True)
ItemFormSet = forms.formset_factory(ItemForm, extra=1, can_delete=True, max_num=500, validate_max=True)


def draft_forms(draft: dict, data=None) -> dict:
    """The editor's forms for a draft: bound to what was posted, or filled in from the draft."""
    weights = draft["weights"]["tools"]
    return {
        "version": VersionForm(
            data,
            prefix="version",
            initial={
                "code": draft["id"],
                "first_year": min(draft["fiscal_years"]),
                "last_year": max(draft["fiscal_years"]),
                "level_scheme": draft.get("level_scheme"),
                "notes": "\n".join(draft.get("notes") or []),
            },
        ),
        "weights": WeightsForm(data, prefix="weights", initial={code: weights.get(code) for code in weights}),
        "levels": LevelFormSet(
            data,
            prefix="levels",
            initial=[
                {
                    "code": level["code"],
                    "name_th": level.get("name_th") or "",
                    "min_score": level["min"],
                    "every_tool_min": level.get("every_tool_min"),
                }
                for level in draft["levels"]
            ],
        ),
        "indicators": IndicatorFormSet(
            data,
            prefix="indicators",
            initial=[
                {"number": i["number"], "tool": i["tool"], "name_th": i.get("name_th") or ""}
                for i in draft["indicators"]
            ],
        ),
        "items": ItemFormSet(
            data,
            prefix="items",
            initial=[
                {
                    "code": item["code"],
                    "text_th": item.get("text_th") or "",
                    "indicator": item.get("indicator"),
                    "in_parts": bool(item.get("parts")),
                    "copied_as": item["code"],
                }
                for item in draft.get("items") or []
            ],
        ),
    }


def forms_valid(forms_: dict) -> bool:
    return all([form.is_valid() for form in forms_.values()])  # a list: every form shows its errors


def kept_rows(formset) -> list[dict]:
    """The cleaned rows of a formset that are neither deleted nor left blank."""
    return [form.cleaned_data for form in formset.forms if form.cleaned_data and not form.cleaned_data.get("DELETE")]


def plain_number(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def draft_from_forms(forms_: dict, carried: dict) -> dict:
    """The draft the valid forms describe. What the forms do not edit (tools and their parts,
    English names, sub-topics, items' sub-questions and notes) comes from the carried draft."""
    draft = copy.deepcopy(carried)
    version = forms_["version"].cleaned_data
    draft["id"] = version["code"]
    draft["fiscal_years"] = list(range(version["first_year"], version["last_year"] + 1))
    draft["level_scheme"] = version["level_scheme"]
    draft["notes"] = [line for line in version["notes"].splitlines() if line.strip()]
    draft["weights"] = {"tools": {code: str(value) for code, value in forms_["weights"].cleaned_data.items()}}

    names_en = {level["code"]: level.get("name_en") for level in carried["levels"]}
    draft["levels"] = [
        {
            "code": row["code"],
            "name_th": row["name_th"] or None,
            "name_en": names_en.get(row["code"]),
            "min": str(row["min_score"]),
            **({"every_tool_min": str(row["every_tool_min"])} if row["every_tool_min"] is not None else {}),
        }
        for row in kept_rows(forms_["levels"])
    ]

    indicators_en = {indicator["number"]: indicator.get("name_en") or "" for indicator in carried["indicators"]}
    draft["indicators"] = [
        {
            "number": row["number"],
            "name_th": row["name_th"],
            "name_en": indicators_en.get(row["number"], ""),
            "tool": row["tool"],
        }
        for row in kept_rows(forms_["indicators"])
    ]
    tool_of = {indicator["number"]: indicator["tool"] for indicator in draft["indicators"]}
    topic_indicator = {topic["code"]: topic["indicator"] for topic in draft.get("sub_topics") or []}
    copied = {item["code"]: item for item in carried.get("items") or []}
    draft["items"] = [
        draft_item(row, copied.get(row["copied_as"]) or {}, tool_of, topic_indicator)
        for row in kept_rows(forms_["items"])
    ]
    return draft


def draft_item(row: dict, copied: dict, tool_of: dict, topic_indicator: dict) -> dict:
    """An item of the draft from its form row and the item it was copied from, if any."""
    item = {
        "code": row["code"].strip(),
        "indicator": row["indicator"],
        "text_th": row["text_th"].strip(),
    }
    if row["indicator"] in tool_of:
        item["tool"] = tool_of[row["indicator"]]
    # A sub-topic groups items of one indicator: an item moved to another indicator leaves it.
    if copied.get("sub_topic") and topic_indicator.get(copied["sub_topic"]) == row["indicator"]:
        item["sub_topic"] = copied["sub_topic"]
    if copied.get("note_th"):
        item["note_th"] = copied["note_th"]
    if row["in_parts"]:
        item["parts"] = list(EIT_PARTS)
    if copied.get("sub_questions"):
        item["sub_questions"] = list(copied["sub_questions"])
    return item
