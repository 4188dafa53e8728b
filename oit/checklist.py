"""Reading the OIT checklist: the year's o items in the framework's order and groups, each with
its row (None while nobody has touched it), and the counts the checklist and the dashboard show."""

from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Count, Max, Prefetch, Q
from django.http import FileResponse, Http404

from assessments.models import Assessment, FrameworkVersion, Item, ToolCode
from oit.models import ChecklistEvidence, ChecklistItem, Status


def version_for(agency, year):
    """The framework the agency is assessed by in `year`: its results' version once loaded, else
    the year's (an agency's variant, such as the schools', comes with its results)."""
    assessment = Assessment.objects.filter(agency=agency, fiscal_year=year).select_related("version").first()
    if assessment:
        return assessment.version
    return FrameworkVersion.objects.filter(first_year__lte=year, last_year__gte=year).order_by("pk").first()


def o_items(version):
    """The version's OIT items in order, with their indicator, sub-topic and guidance (one query)."""
    if version is None:
        return []
    return list(
        Item.objects.filter(version=version, indicator__tool__code=ToolCode.OIT)
        .select_related("indicator", "sub_topic", "guidance")
        .order_by("order", "pk")
    )


@dataclass
class Line:
    item: Item
    row: ChecklistItem | None

    @property
    def status(self):
        return self.row.status if self.row else Status.NOT_STARTED

    def get_status_display(self):
        return Status(self.status).label


@dataclass
class Group:
    """An indicator, or a sub-topic of one, with its lines and how many stand in each status."""

    code: str
    name: str
    lines: list = field(default_factory=list)

    @property
    def counts(self):
        counted = Counter(line.status for line in self.lines)
        return [(status, label, counted.get(status, 0)) for status, label in Status.choices]


def rows_of(agency, year, user):
    """{item id: row} of the agency's year that the user may see, with their unit and evidence."""
    rows = (
        ChecklistItem.objects.visible_to(user)
        .filter(agency=agency, fiscal_year=year)
        .select_related("unit")
        .prefetch_related(Prefetch("evidence", ChecklistEvidence.objects.order_by("order", "pk")))
    )
    return {row.item_id: row for row in rows}


def checklist_groups(items, rows, *, whole=True):
    """[(indicator group, [sub-topic groups])]: every item when the user reads the checklist whole,
    else only the items they have a row of (their units')."""
    indicators = {}
    for item in items:
        row = rows.get(item.pk)
        if not whole and row is None:
            continue
        indicator = item.indicator
        group, subs = indicators.setdefault(indicator.pk, (Group(str(indicator.number), indicator.name_th), {}))
        sub_topic = item.sub_topic
        key = sub_topic.pk if sub_topic else None
        if key not in subs:
            subs[key] = Group(sub_topic.code if sub_topic else "", sub_topic.name_th if sub_topic else "")
        line = Line(item, row)
        group.lines.append(line)
        subs[key].lines.append(line)
    return [(group, list(subs.values())) for group, subs in indicators.values()]


def overdue(lines, today):
    """Lines not yet approved whose due date has passed."""
    return [
        line
        for line in lines
        if line.row and line.row.due_date and line.row.due_date < today and line.status != Status.APPROVED
    ]


def file_response(file, *, filename, content_type, as_attachment):
    """A stored file (evidence, a published document) that never runs as a page, whatever it holds
    and whatever a browser would guess from it; 404 when the storage has lost it."""
    try:
        stored = file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(stored, as_attachment=as_attachment, filename=filename, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    return response


def checklist_figures(user, today, overdue_shown=5):
    """The dashboard's OIT part: for the latest fiscal year with a checklist among the agencies the
    user sees, how many items stand in each status per indicator and sub-topic, how many are
    overdue, and the first few overdue (three queries, however many agencies)."""
    rows = ChecklistItem.objects.visible_to(user)
    year = rows.aggregate(latest=Max("fiscal_year"))["latest"]
    if year is None:
        return None
    of_year = rows.filter(fiscal_year=year)
    late = Q(due_date__lt=today) & ~Q(status=Status.APPROVED)
    counts = {status: Count("pk", filter=Q(status=status)) for status in Status.values}
    groups = (
        of_year.values("item__indicator__number", "item__sub_topic__code", "item__sub_topic__name_th")
        .annotate(**counts, overdue=Count("pk", filter=late))
        .order_by("item__indicator__number", "item__sub_topic__code")
    )
    overdue = of_year.filter(late).select_related("agency", "item", "unit")
    overdue = overdue.order_by("due_date", "agency__code", "item__order", "pk")
    groups = list(groups)
    return {
        "year": year,
        "groups": groups,
        "overdue_count": sum(group["overdue"] for group in groups),
        "overdue": list(overdue[:overdue_shown]),
        "statuses": Status.choices,
    }
