"""Rows of the results template: one assessment's, as `export_results` writes them, and the blank
template of an agency's year that the import page offers."""

from django.utils import translation
from django.utils.translation import gettext_lazy as _

from assessments import scoring
from assessments.scoring import PART_NAMES, indicator_code, sub_question_code, sub_topic_code

EXPORT_COLUMNS = (
    "agency",
    "fiscal_year",
    "code",
    "part",
    "score",
    "computed",
    "source",
    "level",
    "level_source",
    "tier",
    "flag",
    "indicator",  # filled for items placed by the results, in a version without an item list
)


def figure_order(spec):
    """Codes in the order of an official results page: overall, tools, indicators, sub-topics, items."""
    order = [scoring.OVERALL, *scoring.TOOLS]
    order += [indicator_code(n) for n in sorted(spec.indicators)]
    order += [sub_topic_code(t) for n in sorted(spec.indicators) for t, _items in spec.indicators[n].sub_topics]
    for item in spec.items.values():
        order.append(item.code)
        order += [sub_question_code(item.code, n) for n in range(1, item.sub_questions + 1)]
    return {code: rank for rank, code in enumerate(order)}


def is_lettered(code):
    """Items, sub-questions and indicators carry a letter level in the AA–F years."""
    return code.startswith("IND") or code[0] in "IEOieo" and code not in scoring.TOOLS


def is_tiered(code, spec):
    return code in spec.items or code.startswith("IND")


def result_rows(assessment, result=None, rule=None):
    """Rows of the template with every figure; `tier` is filled for items and indicators by `rule`
    (the assessment's saved tier setting when not given); `indicator` for placed items, so that the
    file imports again as it is."""
    placed = assessment.placed_items()
    spec = assessment.placed_spec()
    result = result or assessment.result(spec)
    rule = rule or assessment.tier_rule
    rank = figure_order(spec)
    rows = []
    for figure in sorted(result.figures.values(), key=lambda f: (rank.get(f.code, len(rank)), f.part)):
        level = figure_level(figure, result, spec)
        rows.append(
            {
                "agency": assessment.agency.code,
                "fiscal_year": assessment.fiscal_year,
                "code": figure.code,
                "part": PART_NAMES.get(figure.part, ""),
                "score": f"{figure.shown:.2f}",
                "computed": f"{scoring.round2(figure.computed):.2f}" if figure.computed is not None else "",
                "source": figure.source,
                "level": level,
                # The importer keeps a level marked official and skips a computed one, as it does scores.
                "level_source": ("official" if figure.level else "computed") if level else "",
                "tier": (rule.tier(figure.value) or "") if is_tiered(figure.code, spec) else "",
                "flag": "mismatch" if figure.mismatch or figure.level_mismatch else "",
                "indicator": placed.get(figure.code, ""),
            }
        )
    return rows


def figure_level(figure, result, spec):
    """The level of a figure's row: the one published with it, else the one its scores give."""
    if figure.level:
        return figure.level
    if figure.code == scoring.OVERALL:
        return result.computed_level.name if result.computed_level else ""
    if is_lettered(figure.code):
        return scoring.letter_level(spec, figure.value) or ""
    return ""


# The blank results template: the importer's columns (with `level`, for the level published on the
# ITA row), then the figure's Thai name, which the importer does not read (it keeps only the
# columns it knows), to help whoever types the scores.
BLANK_COLUMNS = ("agency", "fiscal_year", "code", "part", "score", "level", "name_th")
OVERALL_NAME = _("Overall ITA score")


def blank_figures(spec):
    """(code, part) of every figure an agency's year has in the framework `spec`, in the order of
    `figure_order`, each with the part the importer accepts for it: an item scored in two parts
    once per part; the EIT tool and its indicators once as a whole and once per part in the years
    scored in two parts."""
    eit_parts = spec.tool_parts.get("EIT", ())
    figures = [(scoring.OVERALL, 0)]
    for tool in scoring.TOOLS:
        figures += [(tool, 0)] + [(tool, part) for part in (eit_parts if tool == "EIT" else ())]
    for number in sorted(spec.indicators):
        parts = eit_parts if spec.indicators[number].tool == "EIT" else ()
        figures += [(indicator_code(number), 0)] + [(indicator_code(number), part) for part in parts]
    figures += [(sub_topic_code(t), 0) for n in sorted(spec.indicators) for t, _items in spec.indicators[n].sub_topics]
    for item in spec.items.values():
        if item.in_parts:
            figures += [(item.code, part) for part in spec.tool_parts.get(spec.indicators[item.indicator].tool, ())]
        else:
            figures.append((item.code, 0))
            figures += [(sub_question_code(item.code, n), 0) for n in range(1, item.sub_questions + 1)]
    return figures


def figure_names(version):
    """{(code, part): Thai name} of a framework version's figures (load it `with_spec_data`)."""
    with translation.override("th"):
        names = {(scoring.OVERALL, 0): str(OVERALL_NAME)}
    for tool in version.tools.all():
        names[(tool.code, 0)] = tool.name_th
        names.update({(tool.code, p.number): f"{tool.name_th} ({p.label_th})" for p in tool.parts.all()})
    parts = {(p.number, p.label_th) for tool in version.tools.all() if tool.code == "EIT" for p in tool.parts.all()}
    for indicator in version.indicators.all():
        code = indicator_code(indicator.number)
        names[(code, 0)] = indicator.name_th
        names.update({(code, number): f"{indicator.name_th} ({label})" for number, label in parts})
    names.update({(sub_topic_code(topic.code), 0): topic.name_th for topic in version.sub_topics.all()})
    for item in version.items.all():
        names[(item.code, 0)] = item.text_th
        names.update({(item.code, number): f"{item.text_th} ({label})" for number, label in parts})
        names.update({(sub_question_code(item.code, q.number), 0): q.text_th for q in item.sub_questions.all()})
    return names


def blank_rows(agency, fiscal_year, version):
    """Rows of the results template for an agency's year, every figure of the year's framework
    with its score left empty: typed in, the file imports as it is."""
    names = figure_names(version)
    return [
        (agency.code, fiscal_year, code, PART_NAMES.get(part, ""), None, None, names.get((code, part), ""))
        for code, part in blank_figures(version.spec)
    ]
