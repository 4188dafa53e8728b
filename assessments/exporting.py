"""Rows of the results template for one assessment, as `export_results` writes them."""

from assessments import scoring
from assessments.scoring import PART_NAMES, indicator_code, sub_question_code, sub_topic_code

EXPORT_COLUMNS = ("agency", "fiscal_year", "code", "part", "score", "computed", "source", "level", "tier", "flag")


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
    (the assessment's saved tier setting when not given)."""
    spec = assessment.version.spec
    result = result or assessment.result(spec)
    rule = rule or assessment.tier_rule
    rank = figure_order(spec)
    rows = []
    for figure in sorted(result.figures.values(), key=lambda f: (rank.get(f.code, len(rank)), f.part)):
        if figure.code == scoring.OVERALL:
            level = result.level.name if result.level else ""
        elif is_lettered(figure.code):
            level = scoring.letter_level(spec, figure.value) or ""
        else:
            level = ""
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
                "tier": (rule.tier(figure.value) or "") if is_tiered(figure.code, spec) else "",
                "flag": "mismatch" if figure.mismatch else "",
            }
        )
    return rows
