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
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from fractions import Fraction
from typing import overload

OVERALL = "ITA"
TOOLS = ("IIT", "EIT", "OIT")
MISMATCH_TOLERANCE = Decimal("0.01")
PART_NAMES = {1: "public", 2: "survey"}

# What Fraction() takes exactly: published Decimals, computed Fractions, whole numbers.
type Number = Fraction | Decimal | int


def indicator_code(number: int) -> str:
    return f"IND{number}"


def sub_topic_code(code: str) -> str:
    return f"SUB{code}"


def sub_question_code(item_code: str, number: int) -> str:
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
    last_year: int = 0  # the version's last fiscal year: how a version without an item list spells codes


def with_placed_items(spec: FrameworkSpec, placed: dict[str, int]) -> FrameworkSpec:
    """The framework with items its list does not have, each in the indicator the results placed
    it in ({"o1": 9}), so that they feed their indicator as listed items do.

    For a version whose item list is unknown (2566–2567) an agency's own items are all that is
    known of the list: its indicator is the mean of the items it placed there. An EIT item is
    scored in the tool's parts, as listed EIT items are. Codes already listed are left as listed.
    """
    added = {code: number for code, number in placed.items() if code not in spec.items}
    if not added:
        return spec
    items = dict(spec.items)
    by_indicator: dict[int, list[str]] = {}
    for code in sorted(added, key=lambda c: (added[c], int(c[1:]))):
        number = added[code]
        tool = spec.indicators[number].tool
        items[code] = ItemSpec(code=code, indicator=number, in_parts=bool(spec.tool_parts.get(tool)))
        by_indicator.setdefault(number, []).append(code)
    indicators = {
        number: replace(indicator, items=indicator.items + tuple(by_indicator[number]))
        if number in by_indicator
        else indicator
        for number, indicator in spec.indicators.items()
    }
    return replace(spec, items=items, indicators=indicators)


@overload
def round2(value: Number) -> Decimal: ...
@overload
def round2(value: None) -> None: ...
def round2(value: Number | None) -> Decimal | None:
    """Round half up to two decimals, exactly (86.585 → 86.59, never 86.58)."""
    if value is None:
        return None
    value = value if isinstance(value, Fraction) else Fraction(value)
    numerator, denominator = value.as_integer_ratio()
    # floor(|n/d| × 100 + 1/2) in whole numbers: Fraction arithmetic took most of the time of showing figures.
    hundredths = (abs(numerator) * 200 + denominator) // (2 * denominator)
    return Decimal(hundredths if numerator >= 0 else -hundredths) / 100


def mean(values: Iterable[Fraction | None]) -> Fraction | None:
    # Summed as whole numbers over a common denominator and reduced once: adding Fractions one by
    # one reduced every partial sum, and scoring a national import was mostly that.
    numerator, denominator, count = 0, 1, 0
    for value in values:
        if value is None:
            return None
        count += 1
        n, d = value.as_integer_ratio()
        if d == denominator:
            numerator += n
        else:
            common = math.gcd(denominator, d)
            numerator, denominator = numerator * (d // common) + n * (denominator // common), denominator // common * d
    return Fraction(numerator, denominator * count) if count else None


@dataclass
class Figure:
    code: str
    part: int
    official: Decimal | None
    computed: Fraction | None
    # The level published on this figure's row ("" when none was), and whether it differs from the
    # level its scores give (the overall level, or an item's or indicator's letter in AA–F years).
    level: str = ""
    level_mismatch: bool = False

    @property
    def value(self) -> Fraction | None:
        """The figure of record: the official one when published, else the computed one."""
        return Fraction(self.official) if self.official is not None else self.computed

    @property
    def source(self) -> str:
        return "official" if self.official is not None else "computed"

    @property
    def shown(self) -> Decimal | None:
        return self.official if self.official is not None else round2(self.computed)

    @property
    def mismatch(self) -> bool:
        if self.official is None or self.computed is None:
            return False
        return abs(self.official - round2(self.computed)) > MISMATCH_TOLERANCE


@dataclass
class Result:
    figures: dict[tuple[str, int], Figure]  # in framework order
    level: LevelSpec | None  # the level of record: the published one, else the computed one
    computed_level: LevelSpec | None = None

    @property
    def level_mismatch(self) -> bool:
        """The published overall level differs from the one the published tool scores give."""
        figure = self.figures.get((OVERALL, 0))
        return bool(figure and figure.level_mismatch)

    def get(self, code: str, part: int = 0) -> Figure | None:
        return self.figures.get((code, part))

    def value(self, code: str, part: int = 0) -> Fraction | None:
        figure = self.figures.get((code, part))
        return figure.value if figure else None

    def shown(self, code: str, part: int = 0) -> Decimal | None:
        figure = self.figures.get((code, part))
        return figure.shown if figure else None

    @property
    def mismatches(self) -> list[Figure]:
        return [f for f in self.figures.values() if f.mismatch]


def compute(
    spec: FrameworkSpec, official: dict[tuple[str, int], Decimal], levels: dict[tuple[str, int], str] | None = None
) -> Result:
    """Every figure that was published or can be computed, and the level.

    `official` maps (code, part) to a Decimal published by the NACC, `levels` (code, part) to a
    level published beside it: the published overall level is the level of record.
    """
    figures: dict[tuple[str, int], Figure] = {}
    values: dict[tuple[str, int], Fraction | None] = {}  # each figure's value, as Figure.value gives it

    def record(code: str, part: int, computed: Fraction | None) -> Fraction | None:
        published = official.get((code, part))
        if published is None and computed is None:
            return None
        figures[(code, part)] = Figure(code, part, published, computed)
        value = values[(code, part)] = Fraction(published) if published is not None else computed
        return value

    def value(code: str, part: int = 0) -> Fraction | None:
        return values.get((code, part))

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

    tools = [t for t in (value(tool) for tool in TOOLS) if t is not None]
    overall = None
    if len(tools) == len(TOOLS):
        overall = sum((Fraction(spec.weights[tool]) * t for tool, t in zip(TOOLS, tools, strict=True)), Fraction(0))
    record(OVERALL, 0, overall)

    result = Result(figures=figures, level=None)
    result.computed_level = result.level = overall_level(spec, result)
    for key, name in (levels or {}).items():
        if name and key in figures:
            attach_published_level(spec, result, figures[key], name)
    return result


def attach_published_level(spec: FrameworkSpec, result: Result, figure: Figure, name: str) -> None:
    """Record a published level on its figure; on the overall row it becomes the level of record.

    A mismatch is flagged only where the scores give a level to compare with: a pass-scheme
    overall level needs every tested tool score.
    """
    published = find_level(spec.levels, name) or LevelSpec(code=name, name=name, min_score=Decimal(0))
    figure.level = published.name
    if figure.code == OVERALL:
        result.level = published
        computed = result.computed_level
    else:
        letter = letter_level(spec, figure.value)
        computed = find_level(spec.levels, letter) if letter else None
    figure.level_mismatch = computed is not None and computed.code != published.code


def level_key(text: str) -> str:
    """How level names are matched: without spaces, whatever the case ("ผ่าน ดี" = "ผ่านดี", "aa" = "AA")."""
    return "".join(str(text).split()).casefold()


def find_level(levels: Iterable[LevelSpec], text: str) -> LevelSpec | None:
    """The level named `text` by its code or its (Thai) name, or None."""
    key = level_key(text)
    return next((level for level in levels if key in (level_key(level.code), level_key(level.name))), None)


def tested_tool_scores(spec: FrameworkSpec, result: Result) -> list[Fraction | None]:
    """Scores each tested separately for pass levels: IIT, each EIT part (when scored), OIT."""
    scores: list[Fraction | None] = []
    for tool in TOOLS:
        parts = spec.tool_parts.get(tool, ())
        part_values = [result.value(tool, part) for part in parts]
        if parts and all(v is not None for v in part_values):
            scores.extend(part_values)
        else:
            scores.append(result.value(tool))
    return scores


def level_for(
    levels: Iterable[LevelSpec], score: Number | None, tool_scores: Sequence[Number | None] = ()
) -> LevelSpec | None:
    """The first level, from the top, that the score (and where required every tool score) reaches.

    Scores are compared as published, rounded to two decimals. None when a level that
    needs tool scores would apply but they are not known.
    """
    if score is None:
        return None
    shown = round2(score)
    known = [round2(t) for t in tool_scores if t is not None]
    for level in sorted(levels, key=lambda lv: lv.min_score, reverse=True):
        if shown < level.min_score:
            continue
        if level.every_tool_min is not None:
            if len(known) < len(tool_scores) or not tool_scores:
                return None
            if any(t < level.every_tool_min for t in known):
                continue
        return level
    return None


def overall_level(spec: FrameworkSpec, result: Result) -> LevelSpec | None:
    tool_scores = tested_tool_scores(spec, result) if spec.level_scheme == "pass" else ()
    return level_for(spec.levels, result.value(OVERALL), tool_scores)


def letter_level(spec: FrameworkSpec, score: Number | None) -> str | None:
    """Item and indicator letter (AA–F) in years that use letters; None in pass-level years."""
    if spec.level_scheme != "letters":
        return None
    level = level_for(spec.levels, score)
    return level.code if level else None
