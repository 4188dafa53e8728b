"""The ITA scoring engine: pure functions over numbers, no database.

Figures are keyed by (code, part). Codes: an item as the framework spells it ("I1", "e3",
"o12"), a sub-question "I1.2", a sub-topic "SUB9.1", an indicator "IND1"…"IND10", a tool
"IIT"/"EIT"/"OIT" and the overall score "ITA". Part is 0 for a whole figure, or 1/2 for
EIT ส่วนที่ 1 (Public) and ส่วนที่ 2 (Survey) in the years that score EIT in two parts.

Arithmetic is exact (fractions); rounding half up to two decimals happens only when a figure
is shown or compared with a published one. Wherever an official figure exists it is used as
the input of the next step up, so a computed overall rests on the published tool scores.
A figure is computed only when every input it needs is known: a mean over some of an
indicator's items would look like a result and be wrong.
"""

import math
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

OVERALL = "ITA"
TOOLS = ("IIT", "EIT", "OIT")
MISMATCH_TOLERANCE = Decimal("0.01")
PART_NAMES = {1: "public", 2: "survey"}


def indicator_code(number):
    return f"IND{number}"


def sub_topic_code(code):
    return f"SUB{code}"


def sub_question_code(item_code, number):
    return f"{item_code}.{number}"


@dataclass(frozen=True)
class ItemSpec:
    code: str
    indicator: int
    sub_questions: int = 0
    in_parts: bool = False


@dataclass(frozen=True)
class IndicatorSpec:
    number: int
    tool: str
    items: tuple = ()
    sub_topics: tuple = ()  # ((code, (item codes…)), …)


@dataclass(frozen=True)
class LevelSpec:
    code: str
    name: str
    min_score: Decimal
    every_tool_min: Decimal | None = None


@dataclass(frozen=True)
class FrameworkSpec:
    weights: dict
    tool_indicators: dict
    indicators: dict
    items: dict
    level_scheme: str = "letters"
    levels: tuple = ()
    tool_parts: dict = field(default_factory=dict)


def round2(value):
    """Round half up to two decimals, exactly (86.585 → 86.59, never 86.58)."""
    if value is None:
        return None
    value = Fraction(value)
    hundredths = math.floor(abs(value) * 100 + Fraction(1, 2))
    return Decimal(hundredths if value >= 0 else -hundredths) / 100


def mean(values):
    values = list(values)
    if not values or any(v is None for v in values):
        return None
    return sum(values, Fraction(0)) / len(values)


@dataclass
class Figure:
    code: str
    part: int
    official: Decimal | None
    computed: Fraction | None

    @property
    def value(self):
        """The figure of record: the official one when published, else the computed one."""
        return Fraction(self.official) if self.official is not None else self.computed

    @property
    def source(self):
        return "official" if self.official is not None else "computed"

    @property
    def shown(self):
        return self.official if self.official is not None else round2(self.computed)

    @property
    def mismatch(self):
        if self.official is None or self.computed is None:
            return False
        return abs(self.official - round2(self.computed)) > MISMATCH_TOLERANCE


@dataclass
class Result:
    figures: dict  # (code, part) -> Figure, in framework order
    level: LevelSpec | None

    def get(self, code, part=0):
        return self.figures.get((code, part))

    def value(self, code, part=0):
        figure = self.figures.get((code, part))
        return figure.value if figure else None

    def shown(self, code, part=0):
        figure = self.figures.get((code, part))
        return figure.shown if figure else None

    @property
    def mismatches(self):
        return [f for f in self.figures.values() if f.mismatch]


def compute(spec, official):
    """Every figure that was published or can be computed, and the level.

    `official` maps (code, part) to a Decimal published by the NACC.
    """
    figures = {}

    def record(code, part, computed):
        published = official.get((code, part))
        if published is None and computed is None:
            return None
        figure = Figure(code, part, published, computed)
        figures[(code, part)] = figure
        return figure.value

    def value(code, part=0):
        figure = figures.get((code, part))
        return figure.value if figure else None

    for item in spec.items.values():
        if item.in_parts:
            for part in spec.tool_parts.get(spec.indicators[item.indicator].tool, ()):
                record(item.code, part, None)
            continue
        subs = [sub_question_code(item.code, n) for n in range(1, item.sub_questions + 1)]
        for sub in subs:
            record(sub, 0, None)
        record(item.code, 0, mean(value(sub) for sub in subs) if subs else None)

    for indicator in spec.indicators.values():
        for topic, codes in indicator.sub_topics:
            record(sub_topic_code(topic), 0, mean(value(code) for code in codes))

    for indicator in spec.indicators.values():
        code = indicator_code(indicator.number)
        parts = spec.tool_parts.get(indicator.tool, ())
        if parts:
            for part in parts:
                record(code, part, mean(value(item, part) for item in indicator.items) if indicator.items else None)
            computed = mean(value(code, part) for part in parts)
        elif indicator.sub_topics:
            computed = mean(value(sub_topic_code(topic)) for topic, _ in indicator.sub_topics)
        else:
            computed = mean(value(item) for item in indicator.items) if indicator.items else None
        record(code, 0, computed)

    for tool in TOOLS:
        numbers = spec.tool_indicators.get(tool, ())
        parts = spec.tool_parts.get(tool, ())
        for part in parts:
            record(tool, part, mean(value(indicator_code(n), part) for n in numbers))
        computed = mean(value(tool, part) for part in parts) if parts else None
        if computed is None:
            # With two parts, EIT = mean(part 1, part 2) equals the mean of indicators 6–8;
            # the indicator route serves years where only indicator scores were published.
            computed = mean(value(indicator_code(n)) for n in numbers) if numbers else None
        record(tool, 0, computed)

    tools = [value(tool) for tool in TOOLS]
    overall = None
    if all(t is not None for t in tools):
        overall = sum((Fraction(spec.weights[tool]) * t for tool, t in zip(TOOLS, tools)), Fraction(0))
    record(OVERALL, 0, overall)

    result = Result(figures=figures, level=None)
    result.level = overall_level(spec, result)
    return result


def tested_tool_scores(spec, result):
    """Scores each tested separately for pass levels: IIT, each EIT part (when scored), OIT."""
    scores = []
    for tool in TOOLS:
        parts = spec.tool_parts.get(tool, ())
        part_values = [result.value(tool, part) for part in parts]
        if parts and all(v is not None for v in part_values):
            scores.extend(part_values)
        else:
            scores.append(result.value(tool))
    return scores


def level_for(levels, score, tool_scores=()):
    """The first level, from the top, that the score (and where required every tool score) reaches.

    Scores are compared as published, rounded to two decimals. None when a level that
    needs tool scores would apply but they are not known.
    """
    if score is None:
        return None
    score = round2(score)
    for level in sorted(levels, key=lambda lv: lv.min_score, reverse=True):
        if score < level.min_score:
            continue
        if level.every_tool_min is not None:
            if any(t is None for t in tool_scores) or not tool_scores:
                return None
            if any(round2(t) < level.every_tool_min for t in tool_scores):
                continue
        return level
    return None


def overall_level(spec, result):
    tool_scores = tested_tool_scores(spec, result) if spec.level_scheme == "pass" else ()
    return level_for(spec.levels, result.value(OVERALL), tool_scores)


def letter_level(spec, score):
    """Item and indicator letter (AA–F) in years that use letters; None in pass-level years."""
    if spec.level_scheme != "letters":
        return None
    level = level_for(spec.levels, score)
    return level.code if level else None
