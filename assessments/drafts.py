"""A new fiscal year's framework, drafted in the browser from the latest version.

A draft is a version in the file shape that `frameworks.read_versions` accepts (the shape
`frameworks.dump_version` writes), so that saving it goes through `frameworks.load_versions` with
the same checks as the `load_frameworks` command. It lives only in the page, signed, until saved:
there is no table of drafts. Numbers are kept as strings in it (JSON has no decimals).
"""

import copy
import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from assessments.frameworks import TOOL_ORDER, check_year_overlap, decimal_or_none, dump_version, version_problems
from assessments.models import FrameworkVersion
from assessments.text import interpolate
from assessments.thai import fiscal_year_of

EIT_PARTS = ["public", "survey"]


def latest_version():
    return FrameworkVersion.objects.order_by("-last_year").first()


def draft_year(today: datetime.date, latest: FrameworkVersion) -> int:
    """The fiscal year the new version starts: this one, or the first that no version covers yet."""
    return max(fiscal_year_of(today), latest.last_year + 1)


def copied_version(version: FrameworkVersion) -> dict:
    """The version as a draft's starting point: its file shape with numbers as strings."""
    data = dump_version(version)
    data["weights"]["tools"] = {code: str(Decimal(str(w))) for code, w in data["weights"]["tools"].items()}
    for level in data["levels"]:
        level["min"] = str(Decimal(str(level["min"])))
        if "every_tool_min" in level:
            level["every_tool_min"] = str(Decimal(str(level["every_tool_min"])))
    for topic in data["sub_topics"]:
        topic.pop("items", None)  # the items name their sub-topic; this list would go stale
    return data


def next_year_draft(today: datetime.date) -> tuple[dict, dict] | None:
    """(the copied version, the draft for the next fiscal year), or None when no version is loaded."""
    latest = latest_version()
    if latest is None:
        return None
    base = copied_version(latest)
    year = draft_year(today, latest)
    draft = copy.deepcopy(base)
    draft["id"] = f"ita_{year}"
    draft["fiscal_years"] = [year]
    draft["notes"] = [str(interpolate(_("Copied from version %(version)s."), {"version": latest.code}))]
    return base, draft


def draft_problems(draft: dict) -> list:
    """Everything that stops the draft being saved: the file checks, then a code already taken and
    years another version covers (which `load_versions` checks again on saving)."""
    problems = version_problems(draft)
    if problems:
        return problems
    if FrameworkVersion.objects.filter(code=draft["id"]).exists():
        return [
            interpolate(
                _("Version %(version)s already exists: give the new version a code of its own."),
                {"version": draft["id"]},
            )
        ]
    return check_year_overlap([draft])


@dataclass(frozen=True)
class Change:
    """One row of the preview's diff: what changed in the draft against the copied version."""

    part: str
    code: str
    kind: str  # "added", "removed" or "changed"
    before: str = ""
    after: str = ""


def years_text(version: dict) -> str:
    years = version.get("fiscal_years") or []
    if not years:
        return ""
    return str(min(years)) if min(years) == max(years) else f"{min(years)}–{max(years)}"


def number_text(value) -> str:
    number = decimal_or_none(value)
    return "" if number is None else f"{number:.2f}"


def same_number(a, b) -> bool:
    return decimal_or_none(a) == decimal_or_none(b)


def changed_fields(part, code, before: dict, after: dict, fields) -> list[Change]:
    """A "changed" row for each field that differs; `fields` are (label, read) pairs."""
    rows = []
    for label, read in fields:
        old, new = read(before), read(after)
        if old != new:
            rows.append(Change(part, f"{code} ({label})", "changed", old, new))
    return rows


def by_key(entries, key) -> dict:
    return {entry.get(key): entry for entry in entries or []}


def keyed_changes(part, base: list, draft: list, key, describe, fields) -> list[Change]:
    """Added, removed and changed entries of one list (levels, indicators, items), matched by `key`."""
    old, new = by_key(base, key), by_key(draft, key)
    rows = []
    for code, entry in new.items():
        if code not in old:
            rows.append(Change(part, str(code), "added", "", describe(entry)))
        else:
            rows += changed_fields(part, str(code), old[code], entry, fields)
    rows += [Change(part, str(code), "removed", describe(entry), "") for code, entry in old.items() if code not in new]
    return rows


def level_text(level: dict) -> str:
    text = f"{level.get('name_th') or level.get('code')} ≥ {number_text(level.get('min'))}"
    if level.get("every_tool_min") not in (None, ""):
        text += " " + str(interpolate(_("(every tool ≥ %(min)s)"), {"min": number_text(level["every_tool_min"])}))
    return text


def item_text(item: dict) -> str:
    return str(
        interpolate(
            _("indicator %(number)s: %(text)s"), {"number": item.get("indicator"), "text": item.get("text_th") or ""}
        )
    )


def in_parts_text(item: dict) -> str:
    return str(_("scored in parts")) if item.get("parts") else str(_("scored once"))


LEVEL_FIELDS = [
    (_("name"), lambda level: level.get("name_th") or ""),
    (_("minimum score"), lambda level: number_text(level.get("min"))),
    (_("minimum for every tool"), lambda level: number_text(level.get("every_tool_min"))),
]
INDICATOR_FIELDS = [
    (_("tool"), lambda indicator: indicator.get("tool") or ""),
    (_("Thai name"), lambda indicator: indicator.get("name_th") or ""),
]
ITEM_FIELDS = [
    (_("text"), lambda item: item.get("text_th") or ""),
    (_("indicator"), lambda item: str(item.get("indicator") or "")),
    (_("parts"), in_parts_text),
]


def draft_changes(base: dict, draft: dict) -> list[Change]:
    """What the draft changes against the version it was copied from, version fields first, then
    weights, levels, indicators and items, each in the draft's order."""
    version = str(_("Version"))
    rows = [
        Change(version, str(label), "changed", old, new)
        for label, old, new in [
            (_("code"), base.get("id") or "", draft.get("id") or ""),
            (_("fiscal years"), years_text(base), years_text(draft)),
            (_("level scheme"), base.get("level_scheme") or "", draft.get("level_scheme") or ""),
        ]
        if old != new
    ]
    old_weights = (base.get("weights") or {}).get("tools") or {}
    new_weights = (draft.get("weights") or {}).get("tools") or {}
    rows += [
        Change(
            str(_("Tool weight")),
            code,
            "changed",
            number_text(old_weights.get(code)),
            number_text(new_weights.get(code)),
        )
        for code in TOOL_ORDER
        if not same_number(old_weights.get(code), new_weights.get(code))
    ]
    rows += keyed_changes(str(_("Level")), base.get("levels"), draft.get("levels"), "code", level_text, LEVEL_FIELDS)
    rows += keyed_changes(
        str(_("Indicator")),
        base.get("indicators"),
        draft.get("indicators"),
        "number",
        lambda indicator: f"{indicator.get('tool')}: {indicator.get('name_th')}",
        INDICATOR_FIELDS,
    )
    rows += keyed_changes(str(_("Item")), base.get("items"), draft.get("items"), "code", item_text, ITEM_FIELDS)
    return rows
