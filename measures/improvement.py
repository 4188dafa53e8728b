"""The header block of a year's improvement plan (แผนพัฒนา/แผนปรับปรุง, as MWA prints it): the
values computed from the plan's measures, and what the integrity office chose instead.

The computed values are the defaults: the header form opens filled with them, saving stores only
the fields the office changed (`chosen_values`), and the document prints a saved value, else the
computed one (`printed_header`). The texts are Thai, as the document prints them.
"""

from collections import Counter

from measures.models import ImprovementHeader, Measure
from measures.plans import Answered

IMPROVEMENT_TITLE = "แผนพัฒนาการส่งเสริมคุณธรรมและความโปร่งใส"
TEXT_FIELDS = ["plan_name", "objective", "target", "strategy", "period", "plan_type", "confidence", "risks"]
HEADER_FIELDS = [*TEXT_FIELDS[:3], "lead_unit", *TEXT_FIELDS[3:]]


def plan_period(fiscal_year: int) -> str:
    """The whole fiscal year as plans print a period: "ต.ค. 68 – ก.ย. 69"."""
    return f"ต.ค. {(fiscal_year - 1) % 100:02d} – ก.ย. {fiscal_year % 100:02d}"


def computed_header(fiscal_year: int, measures: list[Measure], answered: Answered) -> dict:
    """{field: value} as the measures give it: the three weakest indicators they answer as the
    objective, the unit leading most of them, their strategies, the confidence most of them
    state (a Confidence value, "" when none does) and each one's risks."""
    indicators = {i.number: i for m in measures for i in m.indicators.all()}
    scored = sorted((score, n) for n in indicators if (score := answered.indicator_score(n)) is not None)
    weakest = [indicators[n] for _s, n in scored[:3]]
    objective = "ยกระดับผลการประเมิน ITA"
    if weakest:
        objective += " โดยพัฒนาตัวชี้วัดที่ได้คะแนนต่ำ ได้แก่ " + ", ".join(f"ตัวชี้วัดที่ {i.number} {i.name_th}" for i in weakest)
    leads = Counter(m.lead_unit for m in measures if m.lead_unit)
    confidences = Counter(m.confidence for m in measures if m.confidence)
    return {
        "plan_name": f"{IMPROVEMENT_TITLE} ประจำปีงบประมาณ พ.ศ. {fiscal_year}",
        "objective": objective,
        "target": "ระดับดีเยี่ยม",
        "lead_unit": leads.most_common(1)[0][0] if leads else None,
        "strategy": ", ".join(dict.fromkeys(m.strategy.strip() for m in measures if m.strategy.strip())),
        "period": plan_period(fiscal_year),
        "plan_type": "แผนปฏิบัติการ",
        "confidence": confidences.most_common(1)[0][0] if confidences else "",
        "risks": "\n".join(f"{m.name}: {m.risks.strip()}" for m in measures if m.risks.strip()),
    }


def printed_header(computed: dict, saved: ImprovementHeader | None) -> dict:
    """{field: value} the document prints: what the office saved, else the computed value."""
    if saved is None:
        return dict(computed)
    return {name: getattr(saved, name) or computed[name] for name in HEADER_FIELDS}


def chosen_values(cleaned: dict, computed: dict) -> dict:
    """{field: value to store}: what the office typed where it differs from the computed value,
    else empty, so a default left as it was keeps following the measures."""
    chosen = {}
    for name in HEADER_FIELDS:
        value = cleaned.get(name)
        if name == "lead_unit":
            chosen[name] = value if value is not None and value != computed[name] else None
        else:
            value = (value or "").strip()
            same = value.replace("\r\n", "\n") == (computed[name] or "")
            chosen[name] = "" if same else value
    return chosen
