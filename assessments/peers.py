"""How an agency's year compares with agencies of its kind: what the NACC's national report ranks.

Two peer groups: the agencies of the same type (the NACC ranks within a type), and those under the
same parent agency (the other agencies of a province or a ministry). Each is counted in the
database with a fixed number of queries, whatever the number of agencies.
"""

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from django.db.models import Count, DecimalField, Q, Sum
from django.utils.translation import gettext as _

from assessments.models import Agency, Assessment, Score
from assessments.scoring import indicator_code, round2


@dataclass(frozen=True)
class Rank:
    """The agency's place by overall score among `count` agencies with an overall score; ties share a place."""

    place: int
    count: int


@dataclass(frozen=True)
class IndicatorMean:
    number: int
    name: str
    own: Decimal | None
    mean: Decimal | None  # of the published scores of the type's agencies, the agency's own included
    agencies: int  # how many of them have a published score for it

    @property
    def difference(self):
        return None if self.own is None or self.mean is None else self.own - self.mean


@dataclass(frozen=True)
class Peers:
    type_name: str
    in_type: Rank | None
    parent: Agency | None  # the agency above
    in_parent: Rank | None
    indicators: list  # [IndicatorMean]

    @property
    def shown(self):
        """Worth showing only where other agencies' results of the year are there to compare with."""
        return any(rank and rank.count > 1 for rank in (self.in_type, self.in_parent))


def rank_among(assessments, overall):
    """The Rank of a score `overall` among `assessments`, in one query; None without a score."""
    if overall is None:
        return None
    counts = assessments.aggregate(
        count=Count("pk", filter=Q(overall__isnull=False)), higher=Count("pk", filter=Q(overall__gt=overall))
    )
    return Rank(counts["higher"] + 1, counts["count"])


def type_means(peers, indicators, own):
    """[IndicatorMean] for `indicators` [(number, name)]: the mean of the peers' published
    indicator scores, in one query. Summed in the database to two decimals, divided here exactly."""
    codes = {indicator_code(number): number for number, _name in indicators}
    sums = {
        row["code"]: (row["total"], row["agencies"])
        for row in Score.objects.filter(assessment__in=peers, code__in=codes, part=0)
        .order_by()
        .values("code")
        .annotate(total=Sum("score", output_field=DecimalField(max_digits=12, decimal_places=2)), agencies=Count("pk"))
    }
    means = []
    for number, name in indicators:
        total, agencies = sums.get(indicator_code(number), (None, 0))
        mean = round2(Fraction(total) / agencies) if agencies else None
        means.append(IndicatorMean(number, name, own.get(number), mean, agencies))
    return means


def type_name(agency):
    """The peer group's name: the type, and the size class where the NACC ranks by size ("เทศบาลตำบล ขนาด M")."""
    name = agency.get_agency_type_display()
    if agency.size_class:
        return _("%(type)s, size %(size)s") % {"type": name, "size": agency.size_class}
    return name


def peers_of(assessment, report):
    """The Peers of `assessment`, whose analysis is `report` (assessments.analysis.Analysis)."""
    agency = assessment.agency
    same_type = Assessment.objects.peer_group(assessment)
    in_parent = None
    if agency.parent_id:
        siblings = Assessment.objects.filter(fiscal_year=assessment.fiscal_year, agency__parent_id=agency.parent_id)
        in_parent = rank_among(siblings, assessment.overall)
    own = {indicator.number: row.shown for indicator, row, _history in report.indicators if row}
    indicators = [(indicator.number, indicator.name_th) for indicator, _row, _history in report.indicators]
    return Peers(
        type_name=type_name(agency),
        in_type=rank_among(same_type, assessment.overall),
        parent=agency.parent,
        in_parent=in_parent,
        indicators=type_means(same_type, indicators, own),
    )
