"""What the results mean: item tiers and the analysis of one agency's year, as plain data.

Two tier schemes are seen in agencies' documents and both are offered, chosen per agency
and year: a target (FIO: below 85 is a weakness, at or above a strength) and three tiers
(TCEB: keep above 97.50, improve from 95.00 up to 97.50, urgent below 95.00). Scores are
compared as published, to two decimals.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _

from assessments.scoring import round2


class TierScheme(models.TextChoices):
    TARGET = "target", _("Target: weaknesses below it, strengths at or above")
    THREE = "three", _("Three tiers: urgent, improve, keep")


TIER_LABELS = {
    "weakness": _("Weaknesses (below the target)"),
    "strength": _("Strengths (at or above the target)"),
    "urgent": _("Weaknesses to fix urgently"),
    "improve": _("To improve"),
    "keep": _("To keep at this level"),
}
TIERS_OF = {TierScheme.TARGET: ("weakness", "strength"), TierScheme.THREE: ("urgent", "improve", "keep")}
WEAK_TIERS = {"weakness", "urgent"}

DEFAULT_TARGET = Decimal("85")
DEFAULT_LOWER = Decimal("95")
DEFAULT_UPPER = Decimal("97.5")


@dataclass(frozen=True)
class TierRule:
    scheme: str = TierScheme.TARGET
    target: Decimal = DEFAULT_TARGET
    lower: Decimal = DEFAULT_LOWER
    upper: Decimal = DEFAULT_UPPER

    @classmethod
    def from_target(cls, target):
        return cls(TierScheme.TARGET, target=Decimal(str(target)))

    @classmethod
    def from_bounds(cls, text):
        """'95,97.5' → three tiers; ValueError when it is not two increasing numbers."""
        try:
            lower, upper = (Decimal(part.strip()) for part in str(text).split(","))
        except Exception:
            raise ValueError(_("give the tier bounds as two numbers, lower first: 95,97.5"))
        if not Decimal(0) <= lower < upper <= Decimal(100):
            raise ValueError(_("the lower bound must be below the upper bound, both within 0–100"))
        return cls(TierScheme.THREE, lower=lower, upper=upper)

    @property
    def tiers(self):
        return TIERS_OF[self.scheme]

    def tier(self, score):
        """The tier of a score, or None when the score is unknown."""
        if score is None:
            return None
        score = round2(score)
        if self.scheme == TierScheme.TARGET:
            return "weakness" if score < self.target else "strength"
        if score < self.lower:
            return "urgent"
        return "improve" if score <= self.upper else "keep"
