"""Load ITA framework versions from a YAML file shaped like shared/ita/frameworks.yaml.

The NACC changes the framework most years, so versions are data: `load_frameworks` and the
admin's upload page both come here. Loading is a sync by natural keys (version code, tool
code, indicator number, item code…), so running it twice changes nothing and rows that
measures point at keep their ids.
"""

import re
from decimal import Decimal, InvalidOperation

import yaml
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from simple_history.utils import bulk_update_with_history

from assessments.models import (
    Assessment,
    FrameworkVersion,
    Indicator,
    Item,
    Level,
    LevelScheme,
    Score,
    SubQuestion,
    SubTopic,
    Tool,
    ToolPart,
)
from assessments.text import interpolate
from ita_tracker.database import lock_table

LETTER_CODES = {"AA", "A", "B", "C", "D", "E", "F"}
TOOL_ORDER = {"IIT": 1, "EIT": 2, "OIT": 3}


class FrameworkFileError(Exception):
    def __init__(self, problems):
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems


def read_versions(text):
    """Parse YAML text into a list of version dicts, or raise FrameworkFileError."""
    try:
        data = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError as exc:
        raise FrameworkFileError([interpolate(_("The file is not valid YAML: %(error)s"), {"error": exc})]) from exc
    if isinstance(data, dict) and "versions" in data:
        versions = data["versions"]
    elif isinstance(data, dict) and "id" in data:
        versions = [data]
    else:
        raise FrameworkFileError([_("The file has no 'versions' list.")])
    if not isinstance(versions, list) or not versions:
        raise FrameworkFileError([_("The file has no 'versions' list.")])
    problems = []
    for version in versions:
        problems.extend(version_problems(version))
    if problems:
        raise FrameworkFileError(problems)
    return versions


def decimal_or_none(value):
    if value is None:
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def version_problems(version):
    if not isinstance(version, dict):
        return [_("Each version must be a mapping.")]
    name = version.get("id") or "?"
    problems = []

    def problem(message, **values):
        problems.append(
            interpolate(
                _("Version %(version)s: %(problem)s"), {"version": name, "problem": interpolate(message, values)}
            )
        )

    if not version.get("id"):
        problem(_("'id' is missing."))
    shapeless = False
    for key in ("tools", "indicators", "sub_topics", "items", "levels"):
        entries = version.get(key) or []
        if not isinstance(entries, list) or not all(isinstance(entry, dict) for entry in entries):
            problem(_("'%(key)s' must be a list of mappings."), key=key)
            shapeless = True
    if shapeless:
        return problems  # the checks below read each entry as a mapping
    years = version.get("fiscal_years") or []
    if not isinstance(years, list) or not years or not all(isinstance(y, int) for y in years):
        problem(_("'fiscal_years' must list Buddhist-Era years."))
    elif sorted(years) != list(range(min(years), max(years) + 1)):
        problem(_("'fiscal_years' must be consecutive years."))
    tools = {t.get("code"): t for t in version.get("tools") or [] if isinstance(t, dict)}
    if set(tools) != set(TOOL_ORDER):
        problem(_("'tools' must be IIT, EIT and OIT."))
    for code, tool in tools.items():
        parts = tool.get("parts") or []
        if not isinstance(parts, list) or len(parts) > 2 or not all(isinstance(p, dict) for p in parts):
            problem(_("tool %(tool)s: 'parts' must list at most two parts, each a mapping."), tool=code)
    indicators = {i.get("number"): i for i in version.get("indicators") or [] if isinstance(i, dict)}
    if set(indicators) != set(range(1, 11)):
        problem(_("'indicators' must be numbered 1 to 10."))
    for number, indicator in indicators.items():
        if indicator.get("tool") not in tools:
            problem(
                _("indicator %(number)s names an unknown tool %(tool)s."), number=number, tool=indicator.get("tool")
            )
        if not indicator.get("name_th"):
            problem(_("indicator %(number)s has no Thai name."), number=number)
    weights = (version.get("weights") or {}).get("tools") or {}
    parsed = {code: decimal_or_none(weights.get(code)) for code in TOOL_ORDER}
    if None in parsed.values() or sum(parsed.values()) != 1:
        problem(_("tool weights for IIT, EIT and OIT must add up to 1."))
    topics = {t.get("code") for t in version.get("sub_topics") or []}
    for topic in version.get("sub_topics") or []:
        if topic.get("indicator") not in indicators:
            problem(_("sub-topic %(code)s names an unknown indicator."), code=topic.get("code"))
        if not topic.get("name_th"):
            problem(_("sub-topic %(code)s has no Thai name."), code=topic.get("code"))
    seen = set()
    for item in version.get("items") or []:
        code = item.get("code")
        if not code:
            problem(_("an item has no code."))
            continue
        if not isinstance(code, str) or not re.fullmatch(r"[IEOieo]\d{1,3}", code):
            problem(_("item %(code)s: an item code is I, E or O and a number (I1, e3, o12)."), code=code)
            continue
        if code.upper() in seen:
            problem(_("item %(code)s appears twice."), code=code)
        seen.add(code.upper())
        indicator = indicators.get(item.get("indicator"))
        if indicator is None:
            problem(_("item %(code)s names an unknown indicator."), code=code)
        elif item.get("tool") and item["tool"] != indicator.get("tool"):
            problem(_("item %(code)s belongs to %(tool)s but its indicator does not."), code=code, tool=item["tool"])
        if item.get("sub_topic") and item["sub_topic"] not in topics:
            problem(_("item %(code)s names an unknown sub-topic %(topic)s."), code=code, topic=item["sub_topic"])
        if not item.get("text_th"):
            problem(_("item %(code)s has no Thai text."), code=code)
    levels = version.get("levels") or []
    if not levels:
        problem(_("'levels' is empty."))
    for level in levels:
        if not level.get("code") or decimal_or_none(level.get("min")) is None:
            problem(_("every level needs a code and a minimum score."))
    return problems


def level_scheme(version):
    if version.get("level_scheme") in LevelScheme.values:
        return version["level_scheme"]
    codes = {level["code"] for level in version["levels"]}
    return LevelScheme.LETTERS if codes <= LETTER_CODES else LevelScheme.PASS


def check_year_overlap(versions):
    """Problems for versions whose years overlap another version, in the same file or already loaded."""
    others = [
        (v.code, v.first_year, v.last_year)
        for v in FrameworkVersion.objects.exclude(code__in=[version["id"] for version in versions])
    ]
    problems = []
    for version in versions:
        first, last = min(version["fiscal_years"]), max(version["fiscal_years"])
        for code, other_first, other_last in others:
            if other_first <= last and first <= other_last:
                problems.append(
                    interpolate(
                        _("Version %(version)s: its years overlap version %(other)s (%(first)s–%(last)s)."),
                        {"version": version["id"], "other": code, "first": other_first, "last": other_last},
                    )
                )
        others.append((version["id"], first, last))
    return problems


def sync(model, keep, **scope):
    """Delete the rows of `model` within `scope` whose pk is not in `keep`."""
    model.objects.filter(**scope).exclude(pk__in=keep).delete()


def check_saved_results(versions):
    """Problems for edits that would orphan saved results: a year dropped, or an item with scores removed.

    Scores refer to items by code, so removing an item would silently drop its figures from
    every result page and export.
    """
    problems = []
    for version in versions:
        years = set(version["fiscal_years"])
        lost_years = sorted(
            set(
                Assessment.objects.filter(version__code=version["id"])
                .exclude(fiscal_year__in=years)
                .values_list("fiscal_year", flat=True)
            )
        )
        if lost_years:
            problems.append(
                interpolate(
                    _(
                        "Version %(version)s: results are saved for fiscal years %(years)s, "
                        "which the file no longer covers."
                    ),
                    {"version": version["id"], "years": ", ".join(map(str, lost_years))},
                )
            )
        kept = {item["code"] for item in version.get("items") or []}
        removed = Item.objects.filter(version__code=version["id"]).exclude(code__in=kept).values_list("code", flat=True)
        scored = sorted(
            set(
                Score.objects.filter(assessment__version__code=version["id"], code__in=list(removed)).values_list(
                    "code", flat=True
                )
            )
        )
        if scored:
            problems.append(
                interpolate(
                    _("Version %(version)s: items %(codes)s have saved scores and cannot be removed."),
                    {"version": version["id"], "codes": ", ".join(scored)},
                )
            )
        problems += placed_item_problems(version)
    return problems


def placed_item_problems(version):
    """Problems for items the results placed themselves (a version without an item list) that the
    file's item list does not take as they are: every placed item must be in the list, under the
    indicator it was placed in, scored in parts if and only if it was."""
    listed = {str(item["code"]).upper(): item for item in version.get("items") or []}
    if not listed:
        return []  # still no list: the placed items stay as they are
    placed = (
        Score.objects.filter(assessment__version__code=version["id"], indicator__isnull=False)
        .order_by("assessment__agency__code", "assessment__fiscal_year", "code", "part")
        .values_list("assessment__agency__code", "assessment__fiscal_year", "code", "indicator", "part")
    )
    problems, seen = [], set()
    for agency, year, code, indicator, part in placed:
        item = listed.get(code.upper())
        values = {"version": version["id"], "agency": agency, "year": year, "code": code, "indicator": indicator}
        if item is None:
            message = _(
                "Version %(version)s: %(agency)s, fiscal year %(year)s has item %(code)s placed under "
                "indicator %(indicator)s, which the item list does not have."
            )
        elif item.get("indicator") != indicator:
            message = _(
                "Version %(version)s: %(agency)s, fiscal year %(year)s has item %(code)s placed under "
                "indicator %(indicator)s, which the item list puts under indicator %(listed)s."
            )
            values["listed"] = item.get("indicator")
        elif bool(item.get("parts")) != (part != 0):
            message = _(
                "Version %(version)s: %(agency)s, fiscal year %(year)s has item %(code)s scored "
                "%(saved)s, but the item list scores it %(listed)s."
            )
            values["saved"] = _("in two parts") if part else _("as a whole")
            values["listed"] = _("in two parts") if item.get("parts") else _("as a whole")
        else:
            continue
        if (agency, year, code) not in seen:
            seen.add((agency, year, code))
            problems.append(interpolate(message, values))
    return problems


def bind_placed_items(version):
    """Placed items of `version` become the listed items they are: each score takes the list's
    spelling of its code, and its placement is cleared, since the list now says where it belongs
    (and refuses to lose the item while it has scores). Checked first by placed_item_problems."""
    spelled = {item.code.upper(): item.code for item in version.items.all()}
    if not spelled:
        return 0
    scores = list(Score.objects.filter(assessment__version=version, indicator__isnull=False))
    for score in scores:
        score.code, score.indicator = spelled[score.code.upper()], None
    bulk_update_with_history(scores, Score, ["code", "indicator"])
    return len(scores)


@transaction.atomic
def load_versions(versions):
    # Two loads at once (an upload while `load_frameworks` runs) take turns, so that each checks
    # the years and saved results against what the other wrote.
    lock_table(FrameworkVersion)
    problems = check_year_overlap(versions) + check_saved_results(versions)
    if problems:
        raise FrameworkFileError(problems)
    loaded = [load_version(version) for version in versions]
    for version in loaded:
        bind_placed_items(version)
    # Levels or items may have changed: the stored headline figures follow.
    Assessment.objects.filter(version__in=loaded).refresh_summaries()
    return loaded


def load_version(data):
    weights = data["weights"]["tools"]
    notes = data.get("notes") or []
    version, _created = FrameworkVersion.objects.update_or_create(
        code=data["id"],
        defaults={
            "first_year": min(data["fiscal_years"]),
            "last_year": max(data["fiscal_years"]),
            "level_scheme": level_scheme(data),
            "weight_iit": Decimal(str(weights["IIT"])),
            "weight_eit": Decimal(str(weights["EIT"])),
            "weight_oit": Decimal(str(weights["OIT"])),
            "items_known": bool(data.get("items")) and data.get("items_known", True) is not False,
            "notes": "\n".join(notes) if isinstance(notes, list) else str(notes),
        },
    )

    tools = {}
    for spec in data["tools"]:
        tool, _created = Tool.objects.update_or_create(
            version=version,
            code=spec["code"],
            defaults={
                "name_th": spec.get("name_th") or spec["code"],
                "name_en": spec.get("name_en") or "",
                "order": TOOL_ORDER[spec["code"]],
            },
        )
        tools[tool.code] = tool
        parts = [
            ToolPart.objects.update_or_create(
                tool=tool,
                number=number,
                defaults={"label_th": part.get("label_th") or f"ส่วนที่ {number}", "name": part.get("name") or ""},
            )[0].pk
            for number, part in enumerate(spec.get("parts") or [], start=1)
        ]
        sync(ToolPart, parts, tool=tool)

    indicators = {}
    for spec in data["indicators"]:
        indicator, _created = Indicator.objects.update_or_create(
            version=version,
            number=spec["number"],
            defaults={
                "tool": tools[spec["tool"]],
                "name_th": spec["name_th"],
                "name_en": spec.get("name_en") or "",
            },
        )
        indicators[indicator.number] = indicator
    sync(Indicator, [i.pk for i in indicators.values()], version=version)

    topics = {}
    for order, spec in enumerate(data.get("sub_topics") or [], start=1):
        topic, _created = SubTopic.objects.update_or_create(
            version=version,
            code=str(spec["code"]),
            defaults={"indicator": indicators[spec["indicator"]], "name_th": spec["name_th"], "order": order},
        )
        topics[topic.code] = topic
    sync(SubTopic, [t.pk for t in topics.values()], version=version)

    items = []
    for order, spec in enumerate(data.get("items") or [], start=1):
        item, _created = Item.objects.update_or_create(
            version=version,
            code=spec["code"],
            defaults={
                "indicator": indicators[spec["indicator"]],
                "sub_topic": topics.get(str(spec["sub_topic"])) if spec.get("sub_topic") else None,
                "text_th": spec["text_th"],
                "note_th": spec.get("note_th") or "",
                "scored_in_parts": bool(spec.get("parts")),
                "order": order,
            },
        )
        items.append(item.pk)
        questions = [
            SubQuestion.objects.update_or_create(item=item, number=number, defaults={"text_th": text})[0].pk
            for number, text in enumerate(spec.get("sub_questions") or [], start=1)
        ]
        sync(SubQuestion, questions, item=item)
    sync(Item, items, version=version)

    levels = []
    for order, spec in enumerate(data["levels"], start=1):
        level, _created = Level.objects.update_or_create(
            version=version,
            code=spec["code"],
            defaults={
                "name_th": spec.get("name_th") or "",
                "name_en": spec.get("name_en") or "",
                "min_score": Decimal(str(spec["min"])),
                "every_tool_min": decimal_or_none(spec.get("every_tool_min")),
                "order": order,
            },
        )
        levels.append(level.pk)
    sync(Level, levels, version=version)
    return version


def dump_version(version):
    """A version in the file shape `read_versions` accepts, so an administrator can edit and re-upload it."""
    tools = list(version.tools.prefetch_related("parts"))
    return {
        "id": version.code,
        "fiscal_years": list(version.fiscal_years),
        "level_scheme": version.level_scheme,
        "notes": version.notes.splitlines(),
        "tools": [
            {
                "code": tool.code,
                "name_th": tool.name_th,
                "name_en": tool.name_en,
                **(
                    {"parts": [{"code": p.number, "label_th": p.label_th, "name": p.name} for p in tool.parts.all()]}
                    if tool.parts.all()
                    else {}
                ),
            }
            for tool in tools
        ],
        "indicators": [
            {"number": i.number, "name_th": i.name_th, "name_en": i.name_en, "tool": i.tool.code}
            for i in version.indicators.select_related("tool")
        ],
        "sub_topics": [
            {
                "code": t.code,
                "indicator": t.indicator.number,
                "name_th": t.name_th,
                "items": [item.code for item in t.items.order_by("order")],
            }
            for t in version.sub_topics.select_related("indicator")
        ],
        "weights": {
            "tools": {
                "IIT": float(version.weight_iit),
                "EIT": float(version.weight_eit),
                "OIT": float(version.weight_oit),
            }
        },
        "levels": [
            {
                "code": level.code,
                "name_th": level.name_th or None,
                "name_en": level.name_en or None,
                "min": float(level.min_score),
                **({"every_tool_min": float(level.every_tool_min)} if level.every_tool_min is not None else {}),
            }
            for level in version.levels.all()
        ],
        "items": [
            {
                "code": item.code,
                "tool": item.indicator.tool.code,
                "indicator": item.indicator.number,
                "text_th": item.text_th,
                **({"sub_topic": item.sub_topic.code} if item.sub_topic else {}),
                **({"note_th": item.note_th} if item.note_th else {}),
                **({"parts": ["public", "survey"]} if item.scored_in_parts else {}),
                **(
                    {"sub_questions": [q.text_th for q in item.sub_questions.all()]} if item.sub_questions.all() else {}
                ),
            }
            for item in version.items.select_related("indicator__tool", "sub_topic").prefetch_related("sub_questions")
        ],
    }


def dump_versions_yaml(versions):
    return yaml.safe_dump({"versions": [dump_version(v) for v in versions]}, allow_unicode=True, sort_keys=False)
