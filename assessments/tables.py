"""Tables of many agencies' results, and the same rows as plain values for downloads."""

from decimal import Decimal

import django_tables2 as tables
from django.db.models import F
from django.utils.html import format_html
from django.utils.translation import gettext, gettext_lazy as _

from assessments.scoring import round2
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


def two_places(value):
    """A figure to two decimals, half up (SQLite returns computed figures as floats); None stays None."""
    return None if value is None else round2(value).quantize(Decimal("0.01"))


def overview_rows(assessments):
    """(columns, rows): the overview as plain values, scores as Decimals and None when unknown."""
    return OVERVIEW_COLUMNS, [
        [
            a.rank_in_type,
            a.agency.code,
            a.agency.name_th,
            a.agency.get_agency_type_display(),
            a.agency.parent.name_th if a.agency.parent else "",
            two_places(a.overall),
            a.level,
            two_places(a.iit),
            two_places(a.eit),
            two_places(a.oit),
            two_places(a.previous_overall),
            two_places(a.change),
            a.mismatch_count,
            gettext("mismatch") if a.level_mismatch else "",
        ]
        for a in assessments
    ]
