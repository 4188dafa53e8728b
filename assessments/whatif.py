"""What-if: the overall score and level that changed figures would give, and the smallest rise
of each tool that reaches each higher level. Pure functions over the scoring engine's spec and
figures, no database.

A changed figure stands for next year's published one. Everything computed from it is dropped
so that the engine computes it again, and so is everything it was computed from (with what
else that fed): an indicator typed in a year that scores EIT in two parts must not be
outvoted by the old part scores below it, which the engine would otherwise prefer.
"""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from assessments.scoring import (
    OVERALL,
    TOOLS,
    FrameworkSpec,
    LevelSpec,
    Result,
    compute,
    indicator_code,
    level_for,
    round2,
    sub_question_code,
    sub_topic_code,
    tested_tool_scores,
)

type Key = tuple[str, int]

STEP = Fraction(1, 100)
TOP_SCORE = Fraction(100)


def inputs_of(spec: FrameworkSpec) -> dict[Key, set[Key]]:
    """{figure: the figures the engine computes it from}, as scoring.compute reads them."""
    inputs: dict[Key, set[Key]] = {}

    def feeds(target: Key, sources: Iterable[Key]) -> None:
        inputs.setdefault(target, set()).update(sources)

    for item in spec.items.values():
        if not item.in_parts and item.sub_questions:
            feeds((item.code, 0), ((sub_question_code(item.code, n), 0) for n in range(1, item.sub_questions + 1)))
    for indicator in spec.indicators.values():
        for topic, codes in indicator.sub_topics:
            feeds((sub_topic_code(topic), 0), ((code, 0) for code in codes))
    for indicator in spec.indicators.values():
        code = indicator_code(indicator.number)
        parts = spec.tool_parts.get(indicator.tool, ())
        if parts:
            for part in parts:
                feeds((code, part), ((item, part) for item in indicator.items))
            feeds((code, 0), ((code, part) for part in parts))
        elif indicator.sub_topics:
            feeds((code, 0), ((sub_topic_code(topic), 0) for topic, _ in indicator.sub_topics))
        else:
            feeds((code, 0), ((item, 0) for item in indicator.items))
    for tool in TOOLS:
        numbers = spec.tool_indicators.get(tool, ())
        for part in spec.tool_parts.get(tool, ()):
            feeds((tool, part), ((indicator_code(n), part) for n in numbers))
            feeds((tool, 0), [(tool, part)])
        # The engine falls back on the whole indicators when a part is unknown.
        feeds((tool, 0), ((indicator_code(n), 0) for n in numbers))
    feeds((OVERALL, 0), ((tool, 0) for tool in TOOLS))
    return inputs


def _reach(graph: Mapping[Key, set[Key]], start: Iterable[Key]) -> set[Key]:
    seen: set[Key] = set()
    todo = list(start)
    while todo:
        for nxt in graph.get(todo.pop(), ()):
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen


def stale_figures(spec: FrameworkSpec, changed: Iterable[Key]) -> set[Key]:
    """The figures that no longer hold once `changed` are replaced: what they were computed from,
    and everything computed from those or from them. The changed figures themselves are kept."""
    inputs = inputs_of(spec)
    outputs: dict[Key, set[Key]] = {}
    for target, sources in inputs.items():
        for source in sources:
            outputs.setdefault(source, set()).add(target)
    changed = set(changed)
    below = _reach(inputs, changed)
    return (below | _reach(outputs, changed | below)) - changed


def what_if(spec: FrameworkSpec, official: Mapping[Key, Decimal], changes: Mapping[Key, Decimal]) -> Result:
    """The result the engine gives when the `changes` replace or add to the official figures."""
    stale = stale_figures(spec, changes) if changes else set()
    figures = {key: value for key, value in official.items() if key not in stale}
    figures.update(changes)
    return compute(spec, figures)


@dataclass(frozen=True)
class Rise:
    """The smallest rise of one tested score (a tool, or an EIT part where parts are tested) that
    reaches a level with the other scores unchanged; None when even 100 does not."""

    tool: str
    part: int
    current: Decimal
    rise: Decimal | None

    @property
    def score(self) -> Decimal | None:
        """The score the tool would need, as it would be published."""
        return None if self.rise is None else min(self.current + self.rise, Decimal(100))


@dataclass(frozen=True)
class LevelRises:
    level: LevelSpec
    rises: tuple[Rise, ...]


def levels_from_top(spec: FrameworkSpec) -> list[LevelSpec]:
    """The levels in the order level_for tries them (ties keep the framework's order)."""
    return sorted(spec.levels, key=lambda lv: lv.min_score, reverse=True)


def raised_scores(spec: FrameworkSpec, result: Result) -> list[Key]:
    """The scores a rise is sought for: each score the level tests on its own (IIT, each EIT part
    in years that test the parts, OIT), else the three tools."""
    keys: list[Key] = []
    for tool in TOOLS:
        parts = spec.tool_parts.get(tool, ())
        if spec.level_scheme == "pass" and parts and all(result.value(tool, p) is not None for p in parts):
            keys.extend((tool, p) for p in parts)
        else:
            keys.append((tool, 0))
    return keys


def smallest_rises(spec: FrameworkSpec, result: Result) -> list[LevelRises]:
    """For each level above the result's, highest first, the smallest rise in steps of 0.01 of
    each tool alone (capped at 100) that makes the overall level reach it, or None."""
    if result.value(OVERALL) is None or result.level is None:
        return []
    order = levels_from_top(spec)
    table = []
    for level in order[: order.index(result.level)]:
        rises = []
        for tool, part in raised_scores(spec, result):
            value = result.value(tool, part)
            if value is not None:
                rises.append(Rise(tool, part, round2(value), smallest_rise(spec, result, (tool, part), level)))
        table.append(LevelRises(level, tuple(rises)))
    return table


def smallest_rise(spec: FrameworkSpec, result: Result, key: Key, level: LevelSpec) -> Decimal | None:
    """The smallest rise of the score `key` alone that reaches `level` or one above it.

    The score rises from its figure of record; the overall score moves by the tool's weight
    times the rise (half of it for one of two EIT parts), so that no rise at all gives back
    exactly the current overall score. Levels are then found by scoring.level_for, rounding as
    it does."""
    order = levels_from_top(spec)
    keys = raised_scores(spec, result)
    tested = tested_tool_scores(spec, result) if spec.level_scheme == "pass" else []
    overall = result.value(OVERALL)
    value = result.value(*key)
    if overall is None or value is None:
        return None
    tool, part = key
    share = Fraction(spec.weights[tool]) / (len(spec.tool_parts[tool]) if part else 1)

    def reaches(steps: int) -> bool:
        raised = min(value + steps * STEP, TOP_SCORE)
        scores = [raised if k == key else t for k, t in zip(keys, tested, strict=False)]
        reached = level_for(spec.levels, overall + share * (raised - value), scores)
        return reached is not None and order.index(reached) <= order.index(level)

    return _fewest_steps(reaches, value)


def _fewest_steps(reaches: Callable[[int], bool], value: Fraction) -> Decimal | None:
    """The fewest 0.01 steps that reach, found by halving: a higher score never gives a lower
    level. The last step lands on 100 exactly."""
    most = -((value - TOP_SCORE) // STEP)  # ceil((100 - value) / 0.01)
    if most <= 0 or not reaches(most):
        return None
    low, high = 0, most  # reaches(high); not reaches(low): 0 steps is the current level
    while high - low > 1:
        middle = (low + high) // 2
        if reaches(middle):
            high = middle
        else:
            low = middle
    return Decimal(int(high)) / 100
