"""Tables of many agencies' results, and the same rows as plain values for downloads."""

from decimal import ROUND_HALF_UP, Decimal

import django_tables2 as tables
from django.db.models import Count, F, FloatField, Max, Q
from django.db.models.functions import Cast, Length
from django.utils import translation
from django.utils.html import format_html
from django.utils.translation import gettext, gettext_lazy as _

from assessments.models import AgencyType
from assessments.templatetags import assessments_extras as extras


class NumberColumn(tables.Column):
    """A right-aligned figure; sorting always puts rows without a figure last."""

    attrs = {"th": {"class": "num"}, "td": {"class": "num"}}

    def __init__(self, verbose_name, accessor, **kwargs):
        super().__init__(verbose_name, accessor, default="–", **kwargs)

    def order(self, queryset, is_descending):
        figure = F(str(self.accessor).replace(".", "__"))
        first = figure.desc(nulls_last=True) if is_descending else figure.asc(nulls_last=True)
        return queryset.order_by(first, "agency__name_th", "pk"), True


class ScoreColumn(NumberColumn):
    """A score with two decimals, highest first on the first click."""

    def __init__(self, verbose_name, accessor, **kwargs):
        super().__init__(verbose_name, accessor, initial_sort_descending=True, **kwargs)

    def render(self, value):
        return extras.score(value)


class ChangeColumn(ScoreColumn):
    """A change against last year, negatives in parentheses: "(4.72)"."""

    def render(self, value):
        return extras.change(value)


# Wrapping text that gives way to the scores on a phone (see site.css).
SECONDARY = {"th": {"class": "text"}, "td": {"class": "text"}}


class OverviewTable(tables.Table):
    """One row per agency for one fiscal year; expects `Assessment.objects.for_overview(year)`."""

    rank_in_type = NumberColumn(_("Rank within type"), "rank_in_type")
    agency = tables.Column(
        _("Agency"),
        "agency__name_th",
        linkify=("analysis", [tables.A("agency__code"), tables.A("fiscal_year")]),
        order_by=("agency__name_th", "pk"),
        attrs={"td": {"class": "name"}},
    )
    agency_type = tables.Column(_("Agency type"), "agency__get_agency_type_display", orderable=False, attrs=SECONDARY)
    parent = tables.Column(_("Parent agency"), "agency__parent__name_th", orderable=False, default="–", attrs=SECONDARY)
    overall = ScoreColumn(_("ITA score"), "overall")
    level = tables.Column(_("Level"), "level", orderable=False, default="–")
    iit = ScoreColumn("IIT", "iit")
    eit = ScoreColumn("EIT", "eit")
    oit = ScoreColumn("OIT", "oit")
    change = ChangeColumn(_("Change"), "change")
    mismatch_count = NumberColumn(_("Mismatches"), "mismatch_count", initial_sort_descending=True)

    class Meta:
        template_name = "assessments/_table.html"
        attrs = {"class": "scores overview"}
        order_by = ("-overall",)
        empty_text = _("No assessments match these filters.")

    def render_agency(self, value, record):
        if record.agency.short_name:
            return format_html('{} <span class="muted">({})</span>', value, record.agency.short_name)
        return value

    def render_level(self, value, record):
        if record.level_mismatch:
            return format_html(
                '<span class="level">{}</span> <span class="tag warn" title="{}">{}</span>',
                value,
                _("The published level differs from the level computed from the published tool scores"),
                _("mismatch"),
            )
        return format_html('<span class="level">{}</span>', value)

    def render_mismatch_count(self, value):
        return format_html('<span class="tag warn">{}</span>', value) if value else "0"


# (label, kind) per downloaded column; the kind decides the number format (see assessments.downloads).
OVERVIEW_COLUMNS = [
    (_("Rank within type"), "integer"),
    (_("Agency code"), "text"),
    (_("Agency"), "text"),
    (_("Agency type"), "text"),
    (_("Parent agency"), "text"),
    (_("ITA score"), "score"),
    (_("Level"), "text"),
    ("IIT", "score"),
    ("EIT", "score"),
    ("OIT", "score"),
    (_("Previous year's ITA score"), "score"),
    (_("Change"), "change"),
    (_("Mismatches"), "integer"),
    (_("Published level differs"), "text"),
]


CENT = Decimal("0.01")


def two_places(value):
    """A figure to two decimals, half up (SQLite returns computed figures as floats); None stays None."""
    # round2's half up, exactly: Decimal(value) is a float's or a Decimal's exact value, and
    # quantize rounds it away from zero at the half as round2 does, without Fractions (a
    # download of a whole country rounds 50,000 figures).
    if value is None:
        return None
    rounded = Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)
    return rounded or abs(rounded)  # 0.00, never -0.00, as round2 gives


# What a download reads of each assessment, in the order of OVERVIEW_COLUMNS (the type as its id).
OVERVIEW_VALUES = (
    "rank_in_type",
    "agency__code",
    "agency__name_th",
    "agency__agency_type",
    "agency__parent__name_th",
    "overall",
    "level",
    "iit",
    "eit",
    "oit",
    "previous_overall",
    "change",
    "mismatch_count",
    "level_mismatch",
)


# The figures a download reads as floats, rounded to two places by two_places: as Decimals, Django's
# converter took longer than the query on SQLite (a country's year read in 133 ms instead of 60).
READ_AS_FLOAT = ("overall", "iit", "eit", "oit", "previous_overall", "change")


# Rows read from the database at a time by a download: a whole country's year is never held at once.
DOWNLOAD_CHUNK = 2000


def streamed_overview_rows(assessments):
    """The overview's rows as plain values, scores as Decimals and None when unknown, read
    `DOWNLOAD_CHUNK` at a time as values (no model objects), in the language active now: a
    streamed response reads them after the view has returned."""
    language = translation.get_language()

    def rows():
        with translation.override(language):
            type_names = {kind.pk: kind.name for kind in AgencyType.objects.all()}
            mismatch = gettext("mismatch")
            floats = {f"{name}_float": Cast(name, FloatField()) for name in READ_AS_FLOAT}
            names = [f"{name}_float" if name in READ_AS_FLOAT else name for name in OVERVIEW_VALUES]
            values = assessments.annotate(**floats).values_list(*names).iterator(chunk_size=DOWNLOAD_CHUNK)
            for rank, code, name, kind, parent, overall, level, iit, eit, oit, previous, change, *counts in values:
                mismatches, level_mismatch = counts
                yield [
                    rank,
                    code,
                    name,
                    type_names[kind],
                    parent or "",
                    two_places(overall),
                    level,
                    two_places(iit),
                    two_places(eit),
                    two_places(oit),
                    two_places(previous),
                    two_places(change),
                    mismatches,
                    mismatch if level_mismatch else "",
                ]

    return rows()


def overview_text_widths(assessments):
    """Per column of OVERVIEW_COLUMNS, the characters of its longest text (None for figures), as
    `assessments.downloads.text_widths` counts them, asked of the database (two queries) rather
    than of every row: an XLSX gives its columns' widths before its rows."""
    longest = assessments.order_by().aggregate(
        code=Max(Length("agency__code")),
        name=Max(Length("agency__name_th")),
        parent=Max(Length("agency__parent__name_th")),
        level=Max(Length("level")),
        mismatches=Count("pk", filter=Q(level_mismatch=True)),
    )
    types = AgencyType.objects.filter(pk__in=assessments.order_by().values("agency__agency_type"))
    by_kind = {
        1: longest["code"],
        2: longest["name"],
        3: max((len(t.name) for t in types), default=0),
        4: longest["parent"],
        6: longest["level"],
        13: len(gettext("mismatch")) if longest["mismatches"] else 0,
    }
    return [by_kind.get(index, 0) or 0 if kind == "text" else None for index, (_l, kind) in enumerate(OVERVIEW_COLUMNS)]
