"""The review queue (ตรวจรายงาน): the reports of the agencies a user reviews, waiting for the
integrity office, oldest round first and in each round the longest waiting first.

The queue's filter travels as a query string: on the queue page itself, and as `?queue=…` on an
entry opened from it, so that after a review step the reviewer lands on the next report of the
same queue (`next_in_queue`).
"""

import django_filters
from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db.models import F, Min, OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from assessments.choosers import SEARCH_MAX_LENGTH, agency_choice
from assessments.models import Agency
from measures.models import REPORTED_STATES, Action, ProgressEntry, ReviewEvent, RoundKind, State, Unit, UnitRoundCount
from measures.plans import FIRST_YEAR, LAST_YEAR

QUEUE_PARAMETER = "queue"  # the entry page's parameter holding the queue's filter
PAGE_SIZE = 50
# How far "Next report" looks: the queue's ids in order, read in one query. Past this many, the
# next report is the queue's first.
LONGEST_QUEUE = 5000


def queue_entries(user):
    """The user's reviewable entries that a unit has sent, in queue order, with what the queue
    shows of each: `submitted_at` (the latest submit step, or the last change of an entry sent
    before steps were recorded) and `submitted_by_id` (who took that step)."""
    submits = ReviewEvent.objects.filter(entry=OuterRef("pk"), action=Action.SUBMIT).order_by("-created", "-pk")
    return (
        ProgressEntry.objects.reviewable_by(user)
        .current()
        .filter(state__in=REPORTED_STATES)
        .select_related("measure", "round__agency", "unit")
        .annotate(
            submitted_at=Coalesce(Subquery(submits.values("created")[:1]), F("updated")),
            submitted_by_id=Subquery(submits.values("user")[:1]),
        )
        # Grouped by round, the oldest round first; in each round, the longest waiting first.
        .order_by("round__due_date", "round__agency__code", "round_id", "submitted_at", "pk")
    )


class QueueFilterForm(forms.Form):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")  # labels stand above their fields
        super().__init__(*args, **kwargs)


class QueueFilter(django_filters.FilterSet):
    """The queue's filters; the agency and unit choices are those the user reviews."""

    state = django_filters.ChoiceFilter(
        label=_("Review state"),
        choices=[(state, State(state).label) for state in REPORTED_STATES],
        empty_label=None,
    )
    agency = django_filters.ChoiceFilter(
        field_name="measure__agency__code", label=_("Agency"), choices=(), empty_label=_("All")
    )
    year = django_filters.NumberFilter(
        field_name="round__fiscal_year",
        label=_("Fiscal year"),
        validators=[MinValueValidator(FIRST_YEAR), MaxValueValidator(LAST_YEAR)],
        widget=forms.NumberInput(attrs={"min": FIRST_YEAR, "max": LAST_YEAR}),
    )
    round = django_filters.ChoiceFilter(
        field_name="round__kind", label=_("Round"), choices=RoundKind.choices, empty_label=_("All")
    )
    unit = django_filters.ChoiceFilter(field_name="unit_id", label=_("Unit"), choices=(), empty_label=_("All"))
    measure = django_filters.CharFilter(
        field_name="measure__name",
        lookup_expr="icontains",
        label=_("Measure"),
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search"}),
    )

    class Meta:
        form = QueueFilterForm

    def __init__(self, data, queryset, *, agencies, units):
        super().__init__(data, queryset)
        self.agency_typed = agencies is None
        if agencies is None:
            # Too many to list (a system administrator reviews every agency): the agency is typed.
            self.filters["agency"] = django_filters.CharFilter(
                label=_("Agency (code or part of the name)"),
                method="filter_agency_text",
                max_length=SEARCH_MAX_LENGTH,
                widget=forms.TextInput(attrs={"type": "search"}),
            )
            self.filters["agency"].parent = self
            agencies = ()
        else:
            self.filters["agency"].extra["choices"] = [(a.code, a.short_name or a.name_th) for a in agencies]
        several = len({unit.agency_id for unit in units}) > 1
        self.filters["unit"].extra["choices"] = [
            (str(u.pk), f"{u.name} ({u.agency.short_name or u.agency.code})" if several else u.name) for u in units
        ]
        if isinstance(self.filters["agency"], django_filters.ChoiceFilter) and len(agencies) < 2:
            # Nothing to choose between; a link may still name the one agency.
            del self.filters["agency"]

    def filter_agency_text(self, queryset, name, value):
        """The reports of the agency whose code is `value` (as links from other pages name it);
        else of the agencies whose code or name holds it."""
        named = Agency.objects.filter(code__iexact=value.strip())
        agencies = named if named.exists() else Agency.objects.matching(value)
        return queryset.filter(measure__agency__in=agencies.values("pk"))


def queue_data(data):
    """The queue's filter from a query string (a QueryDict): submitted reports unless another state is asked for."""
    data = data.copy()
    data.pop("page", None)
    if not data.get("state"):
        data["state"] = State.SUBMITTED
    return data


def queue_filter(user, data):
    """The queue's FilterSet for `data` (a QueryDict), in a fixed number of queries: the agencies
    and units the user reviews (two), which its form's choices show."""
    editable = Agency.objects.editable_by(user).order_by("code")
    agencies = agency_choice(editable).few
    if agencies is not None:
        units = Unit.objects.filter(agency__in=[a.pk for a in agencies])
    else:
        # Units are offered once one agency is named by its code: tens, not the country's thousands.
        units = Unit.objects.filter(agency__in=editable.values("pk")) if data.get("agency") else Unit.objects.none()
    if data.get("agency"):
        units = units.filter(agency__code=data["agency"])
    units = list(units.select_related("agency").order_by("agency__code", "name"))
    return QueueFilter(data, queue_entries(user), agencies=agencies, units=units)


def waiting_by_agency(user):
    """The agencies the user reviews that have reports waiting, the oldest round due first, then by
    code: per agency its `pk`, `code`, `waiting` reports and `oldest` due date. One query over the
    stored counts per unit and round (UnitRoundCount), not the country's hundred thousand reports,
    grouped by agency alone: sorted here and named a page at a time (`named`), it takes a quarter
    of the time of a grouping by every column shown, counted again for the paginator."""
    rows = (
        UnitRoundCount.objects.filter(waiting__gt=0, round__agency__in=Agency.objects.editable_by(user).values("pk"))
        .values_list("round__agency", "round__agency__code")
        .annotate(waiting=Sum("waiting"), oldest=Min("round__due_date"))
        .order_by()
    )
    waiting = [{"pk": pk, "code": code, "waiting": count, "oldest": oldest} for pk, code, count, oldest in rows]
    return sorted(waiting, key=lambda row: (row["oldest"], row["code"]))


def named(rows):
    """`rows` of `waiting_by_agency` with each agency's `name` and `short_name` (one query)."""
    agencies = Agency.objects.only("name_th", "short_name").in_bulk([row["pk"] for row in rows])
    return [{**row, "name": agencies[row["pk"]].name_th, "short_name": agencies[row["pk"]].short_name} for row in rows]


def queue_of(request):
    """The queue's filter (a QueryDict) an entry was opened from, or None when it was not."""
    token = request.GET.get(QUEUE_PARAMETER)
    return queue_data(QueryDict(token)) if token else None


def next_in_queue(user, queue, entry):
    """The id of the report after `entry` in the queue of filter `queue` (a QueryDict); the
    queue's first when `entry` is not in it; None when no other report is in it. Three queries:
    the filter's choices and the queue's ids."""
    ids = list(queue_filter(user, queue).qs.values_list("pk", flat=True)[:LONGEST_QUEUE])
    position = ids.index(entry.pk) + 1 if entry.pk in ids else 0
    following = [pk for pk in ids[position:] if pk != entry.pk]
    return following[0] if following else None


MAX_ID = 2**31 - 1  # the largest id or revision a database column holds


class EntryVersionsField(forms.Field):
    """Reports ticked on the queue page, each with the version of it the page showed, as
    "id:revision" tokens; cleaned to {id: revision}."""

    widget = forms.MultipleHiddenInput
    default_error_messages = {
        "required": _("Tick the reports to approve first."),
        "invalid": _("The list of reports is damaged; reload the queue and try again."),
    }

    def to_python(self, value):
        chosen = {}
        for token in value or []:
            pk, _sep, revision = str(token).partition(":")
            if not (pk.isdigit() and revision.isdigit()) or max(int(pk), int(revision)) > MAX_ID:
                raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
            chosen[int(pk)] = int(revision)
        if len(chosen) > LONGEST_QUEUE:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return chosen


class ApproveSelectedForm(forms.Form):
    """ "Approve selected" on the queue page: the ticked reports and the queue's filter, to go back to."""

    entries = EntryVersionsField()
    queue = forms.CharField(required=False, max_length=2000)

    def clean_queue(self):
        return queue_data(QueryDict(self.cleaned_data["queue"]))
