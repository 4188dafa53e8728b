"""Responsible units, the measures plan, reporting rounds and quarterly progress.

Words follow the integrity office's documents: a measure (มาตรการ) answers weak indicators and
items of the ITA results; units (หน่วยงานผู้รับผิดชอบ) report progress (ผลการดำเนินงาน) on it in
each reporting round (รอบการรายงาน); the integrity office reviews each report.
"""

import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from assessments import access
from assessments.models import Agency, Indicator, Item
from assessments.thai import FISCAL_MONTHS, fiscal_year_of, to_christian_era


class UnitQuerySet(models.QuerySet):
    def of_member(self, user):
        """The units the user belongs to (see `unit_memberships`)."""
        return self.filter(access.units_of_member(user))


class Unit(models.Model):
    """A unit inside an agency that carries out measures and reports on them (e.g. ส.บก., ผอ.กท.)."""

    agency = models.ForeignKey(Agency, models.CASCADE, related_name="units")
    name = models.CharField(_("name"), max_length=255)
    abbreviation = models.CharField(_("abbreviation"), max_length=64, blank=True)
    parent = models.ForeignKey(
        "self", models.SET_NULL, null=True, blank=True, related_name="children", verbose_name=_("parent unit")
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="units", verbose_name=_("members")
    )

    objects = UnitQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["agency", "name"]
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        constraints = [models.UniqueConstraint(fields=["agency", "name"], name="unit_name_unique_in_agency")]

    def __str__(self):
        return self.abbreviation or self.name


def unit_memberships():
    """The rows of Unit.members that count: those whose person is still a member of the unit's
    agency (`access.counted_unit_membership`)."""
    return Unit.members.through.objects.filter(access.counted_unit_membership())


class Period(models.TextChoices):
    QUARTERS = "quarters", _("Quarters")
    MONTHS = "months", _("Months")
    DATES = "dates", _("Dates")


class Frequency(models.TextChoices):
    MONTHLY = "monthly", _("Monthly")
    QUARTERLY = "quarterly", _("Quarterly")
    SIX_MONTHLY = "six_monthly", _("Every 6 months")
    YEARLY = "yearly", _("Yearly")


class Confidence(models.TextChoices):
    HIGHEST = "highest", _("Highest (>90%)")
    HIGH = "high", _("High (>80%)")
    MEDIUM = "medium", _("Medium (≥70%)")
    LOW = "low", _("Low (<70%)")
    LOWEST = "lowest", _("Lowest (<60%)")


def reported_percent(entries):
    """The progress rule (README, "One rule for progress"): a measure's percent complete in a round
    is the mean of the percents its units reported in that round; a draft is still the unit's own
    and does not count, so a measure nobody has sent a report on has no percent (None). `entries`
    are one measure's entries of one round (a queryset on OuterRef("pk")); the result is a
    subquery expression, shown everywhere through `whole_percent`."""
    return models.Subquery(
        entries.filter(state__in=REPORTED_STATES)
        .order_by()
        .values("measure")
        .annotate(mean=models.Avg("percent"))
        .values("mean"),
        output_field=models.FloatField(),
    )


def whole_percent(value):
    """A percent as every page and document shows it: a whole number, halves rounded up; None stays None."""
    if value is None:
        return None
    return int(Decimal(str(value)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


class MeasureQuerySet(models.QuerySet):
    def current(self):
        """Measures not withdrawn: the only ones plans, counts, reminders and documents include."""
        return self.filter(withdrawn__isnull=True)

    def withdrawn_ones(self):
        return self.filter(withdrawn__isnull=False)

    def for_plan(self, agency, fiscal_year):
        """The plan's current measures (withdrawn ones are listed apart, see `withdrawn_ones`)."""
        return self.current().filter(agency=agency, fiscal_year=fiscal_year)

    def still_to_review(self):
        """Measures copied from last year that no editor has confirmed or edited yet."""
        return self.filter(to_review=True)

    def visible_to(self, user):
        """Measures the user may see: all of an agency they read whole (`Agency.read_whole_by`), and
        those in which one of their units leads or supports (`access.measures_visible`)."""
        return self.filter(access.measures_visible(user))

    def with_progress(self, round_):
        """`progress`: each measure's percent complete in `round_` (the rule of `reported_percent`)."""
        return self.annotate(
            progress=reported_percent(ProgressEntry.objects.filter(measure=models.OuterRef("pk"), round=round_))
        )

    def of_current_plans(self, fiscal_year):
        """Each agency's plan for the fiscal year closest to `fiscal_year`: this year's plan, or
        when the agency has none, the nearest year that has one (on a tie, the earlier year,
        whose progress is in)."""
        closest = (
            Measure.objects.current()
            .filter(agency=models.OuterRef("agency"))
            .annotate(distance=models.functions.Abs(models.F("fiscal_year") - fiscal_year))
            .order_by("distance", "fiscal_year")
            .values("fiscal_year")[:1]
        )
        return self.current().filter(fiscal_year=models.Subquery(closest))

    def with_completion(self):
        """Where each measure stands, from its units' reports (the dashboard's figures):

        - `latest_round`: the latest round (by due date) in which any of its units sent a report
          (submitted, returned or approved); None while nobody has;
        - `done`: every entry of the measure in that round is approved with status done. A
          measure nobody has reported on is not done;
        - `latest_percent`: its percent complete in that round (the rule of `reported_percent`);
        - `kpi_result`: the KPI result of its latest approved entry that gives one;
        - `off_target`: that result is below the measure's target (percent).
        """
        entries = ProgressEntry.objects.filter(measure=models.OuterRef("pk"))
        latest_round = entries.filter(state__in=REPORTED_STATES).order_by("-round__due_date", "-round_id")
        in_latest = ProgressEntry.objects.filter(measure=models.OuterRef("pk"), round=models.OuterRef("latest_round"))
        latest_approved = entries.filter(state=State.APPROVED, kpi_actual__isnull=False).order_by(
            "-round__due_date", "-updated"
        )
        return self.annotate(
            latest_round=models.Subquery(latest_round.values("round_id")[:1]),
            done=models.ExpressionWrapper(
                Q(latest_round__isnull=False)
                & ~models.Exists(in_latest.exclude(state=State.APPROVED, status=Status.DONE)),
                output_field=models.BooleanField(),
            ),
            latest_percent=reported_percent(in_latest),
            kpi_result=models.Subquery(latest_approved.values("kpi_actual")[:1]),
            off_target=models.ExpressionWrapper(
                Q(kpi_result__lt=models.F("target_percent")), output_field=models.BooleanField()
            ),
        )

    def completion_by_agency(self):
        """One row per agency and plan year: `total` measures and how many are `done_count`
        (the rule of `with_completion`)."""
        return (
            self.with_completion()
            .values("agency", "agency__code", "agency__name_th", "agency__short_name", "fiscal_year")
            .annotate(total=models.Count("pk"), done_count=models.Count("pk", filter=Q(done=True)))
            .order_by("agency__name_th", "fiscal_year")
        )

    def progress_by_indicator(self):
        """One row per indicator the measures answer: how many `measures` answer it, how many of
        them were `reported` on, and `percent`, the mean of those measures' `latest_percent`
        (each measure counts once, however many units report on it)."""
        return (
            self.with_completion()
            .filter(indicators__isnull=False)
            .values("indicators__number")
            .annotate(
                name=models.Min("indicators__name_th"),
                measures=models.Count("pk", distinct=True),
                reported=models.Count("pk", filter=Q(latest_round__isnull=False), distinct=True),
                percent=models.Avg("latest_percent"),
            )
            .order_by("indicators__number")
        )

    def plan_table(self):
        """In plan order, with what the plan's page and documents print of each measure: its
        lead and supporting units and its indicators (in number order), in a fixed number of queries."""
        return (
            self.select_related("lead_unit")
            .prefetch_related(
                models.Prefetch("supporting_units", Unit.objects.order_by("name")),
                models.Prefetch("indicators", Indicator.objects.order_by("number")),
            )
            .order_by("order", "pk")
        )


class Measure(models.Model):
    """One measure (มาตรการ/โครงการ/กิจกรรม) of an agency's plan for a fiscal year."""

    agency = models.ForeignKey(Agency, models.CASCADE, related_name="measures")
    fiscal_year = models.PositiveSmallIntegerField(_("fiscal year"))
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    name = models.CharField(_("measure"), max_length=500)
    indicators = models.ManyToManyField(Indicator, blank=True, related_name="measures", verbose_name=_("indicators"))
    items = models.ManyToManyField(Item, blank=True, related_name="measures", verbose_name=_("items answered"))
    analysis = models.TextField(_("analysis"), blank=True)
    steps = models.TextField(_("steps"), blank=True, help_text=_("One step per line, in order."))
    period = models.CharField(_("period"), max_length=10, choices=Period.choices, default=Period.QUARTERS)
    months = models.JSONField(
        _("months"),
        default=list,
        blank=True,
        help_text=_("Calendar months (10 = October … 9 = September) the measure runs in."),
    )
    start_date = models.DateField(_("start date"), null=True, blank=True)
    end_date = models.DateField(_("end date"), null=True, blank=True)
    lead_unit = models.ForeignKey(
        Unit, models.PROTECT, null=True, blank=True, related_name="led_measures", verbose_name=_("lead unit")
    )
    supporting_units = models.ManyToManyField(
        Unit, blank=True, related_name="supported_measures", verbose_name=_("supporting units")
    )
    monitoring = models.TextField(_("monitoring approach"), blank=True)
    report_to = models.CharField(_("report to"), max_length=255, blank=True)
    report_frequency = models.CharField(
        _("reporting frequency"), max_length=12, choices=Frequency.choices, default=Frequency.QUARTERLY
    )
    kpi = models.TextField(_("KPI"), blank=True)
    target = models.CharField(
        _("target"), max_length=255, blank=True, help_text=_("As written, e.g. ไม่น้อยกว่าร้อยละ 90.")
    )
    target_percent = models.DecimalField(
        _("target (percent)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text=_("The target as a number, to flag measures whose KPI is off target."),
    )
    confidence = models.CharField(_("confidence"), max_length=10, choices=Confidence.choices, blank=True)
    risks = models.TextField(_("risks"), blank=True)
    strategy = models.CharField(_("strategy link"), max_length=100, blank=True, help_text=_("e.g. SO-5"))
    notes = models.TextField(_("notes"), blank=True)
    copied_from = models.ForeignKey(
        "self", models.SET_NULL, null=True, blank=True, related_name="copies", verbose_name=_("copied from")
    )
    # Set on copies of last year's measures until an editor saves or confirms them.
    to_review = models.BooleanField(_("to review"), default=False)
    # A withdrawn measure stays (with its history and reports) but drops out of counts and documents.
    withdrawn = models.DateTimeField(_("withdrawn"), null=True, blank=True)
    withdrawn_reason = models.TextField(_("reason for withdrawal"), blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("withdrawn by"),
    )
    # Incremented on every save through a form, so that a second, stale save is refused.
    revision = models.PositiveIntegerField(default=0, editable=False)

    objects = MeasureQuerySet.as_manager()
    history = HistoricalRecords(m2m_fields=[indicators, items, supporting_units])

    class Meta:
        ordering = ["agency", "fiscal_year", "order", "pk"]
        verbose_name = _("measure")
        verbose_name_plural = _("measures")
        # The plan page lists one agency's measures for one year.
        indexes = [models.Index(fields=["agency", "fiscal_year"], name="measure_plan")]

    def __str__(self):
        return self.name

    def step_list(self):
        return [line.strip() for line in self.steps.splitlines() if line.strip()]

    def quarters(self):
        """Quarters 1–4 of the fiscal year in which the measure runs (Q1 = Oct–Dec)."""
        return sorted({FISCAL_MONTHS.index(month) // 3 + 1 for month in self.months if month in FISCAL_MONTHS})

    def responsible_units(self):
        units = [self.lead_unit] if self.lead_unit else []
        return units + [u for u in self.supporting_units.all() if u != self.lead_unit]

    def withdraw(self, *, user, reason):
        """Take the measure out of the plan's counts and documents, keeping it and its reports."""
        self.withdrawn, self.withdrawn_by, self.withdrawn_reason = timezone.now(), user, reason
        self.revision += 1
        self.save(update_fields=["withdrawn", "withdrawn_by", "withdrawn_reason", "revision"])

    def restore(self):
        self.withdrawn, self.withdrawn_by, self.withdrawn_reason = None, None, ""
        self.revision += 1
        self.save(update_fields=["withdrawn", "withdrawn_by", "withdrawn_reason", "revision"])

    def confirm(self):
        """An editor has looked at a measure copied from last year and keeps it as it is."""
        self.to_review = False
        self.save(update_fields=["to_review"])


class RoundKind(models.TextChoices):
    Q1 = "q1", _("Quarter 1 (Oct–Dec)")
    Q2 = "q2", _("Quarter 2 (Jan–Mar)")
    Q3 = "q3", _("Quarter 3 (Apr–Jun)")
    Q4 = "q4", _("Quarter 4 (Jul–Sep)")
    SIX_MONTHS = "6m", _("6 months (Oct–Mar)")
    TWELVE_MONTHS = "12m", _("12 months (Oct–Sep)")

    @property
    def short_label(self) -> str:
        """The label without the months, as reports title a round: "ไตรมาสที่ 1", "รอบ 6 เดือน"."""
        return str(self.label).partition(" (")[0]


# The rounds whose reports a progress report prints: a quarter report its own quarter; the 6-
# and 12-month reports every round inside their period, so an agency reporting quarterly gets its
# quarters and one reporting in 6- and 12-month rounds gets those (12 months = both rounds).
REPORT_COVERS: dict[str, tuple[str, ...]] = {
    "q1": ("q1",),
    "q2": ("q2",),
    "q3": ("q3",),
    "q4": ("q4",),
    "6m": ("q1", "q2", "6m"),
    "12m": ("q1", "q2", "q3", "q4", "6m", "12m"),
}


def offered_reports(rounds) -> set[str]:
    """The kinds of progress report worth offering for a year's `rounds` (ReportingRound.of_year):
    a quarter's once it is saved and units report in it; the 6- and 12-month reports once any
    round inside their period is. A report of a round the agency does not use would be empty."""
    used = {r.kind for r in rounds if r.pk is not None and r.active}
    return {kind for kind, covered in REPORT_COVERS.items() if used & set(covered)}


def round_period(kind, fiscal_year):
    """(first day, last day) of a round in fiscal year `fiscal_year` (Buddhist Era)."""
    year = to_christian_era(fiscal_year)  # the fiscal year ends in September of this year
    quarters = {
        "q1": (datetime.date(year - 1, 10, 1), datetime.date(year - 1, 12, 31)),
        "q2": (datetime.date(year, 1, 1), datetime.date(year, 3, 31)),
        "q3": (datetime.date(year, 4, 1), datetime.date(year, 6, 30)),
        "q4": (datetime.date(year, 7, 1), datetime.date(year, 9, 30)),
        "6m": (datetime.date(year - 1, 10, 1), datetime.date(year, 3, 31)),
        "12m": (datetime.date(year - 1, 10, 1), datetime.date(year, 9, 30)),
    }
    return quarters[kind]


class ReportingRoundQuerySet(models.QuerySet):
    def for_report(self, kind: str) -> list["ReportingRound"]:
        """The rounds whose reports a progress report of `kind` prints, among these rounds, in
        due-date order: those of REPORT_COVERS[kind] that units report in."""
        covered = REPORT_COVERS[kind]
        rounds = [r for r in self if r.kind in covered and r.active]
        return sorted(rounds, key=lambda r: (r.due_date, r.kind))


class ReportingRound(models.Model):
    """A reporting round of an agency's year: a quarter, or the 6- or 12-month report."""

    agency = models.ForeignKey(Agency, models.CASCADE, related_name="reporting_rounds")
    fiscal_year = models.PositiveSmallIntegerField(_("fiscal year"))
    kind = models.CharField(_("round"), max_length=3, choices=RoundKind.choices)
    due_date = models.DateField(_("due date"))
    active = models.BooleanField(_("units report in this round"), default=True)

    objects = ReportingRoundQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["agency", "fiscal_year", "due_date", "kind"]
        verbose_name = _("reporting round")
        verbose_name_plural = _("reporting rounds")
        constraints = [models.UniqueConstraint(fields=["agency", "fiscal_year", "kind"], name="one_round_per_kind")]

    def __str__(self):
        return f"{self.get_kind_display()} {self.fiscal_year}"

    @property
    def period(self):
        return round_period(self.kind, self.fiscal_year)

    @classmethod
    def default(cls, agency, fiscal_year, kind):
        """The round as a year starts with, unsaved: due on the last day of its period, the four
        quarters reporting and the 6- and 12-month rounds ready to switch on."""
        quarter = kind in (RoundKind.Q1, RoundKind.Q2, RoundKind.Q3, RoundKind.Q4)
        return cls(
            agency=agency,
            fiscal_year=fiscal_year,
            kind=kind,
            due_date=round_period(kind, fiscal_year)[1],
            active=quarter,
        )

    @classmethod
    def of_year(cls, agency, fiscal_year):
        """The year's six rounds in due-date order: those saved, and the default of each kind not
        saved yet, so that showing a year writes nothing."""
        return cls.of_years([agency], fiscal_year)[agency.pk]

    @classmethod
    def of_years(cls, agencies, fiscal_year):
        """{agency id: its six rounds of `fiscal_year`, as `of_year` gives them} for many agencies, in one query."""
        saved = {(r.agency_id, r.kind): r for r in cls.objects.filter(agency__in=agencies, fiscal_year=fiscal_year)}
        return {
            agency.pk: sorted(
                (saved.get((agency.pk, kind)) or cls.default(agency, fiscal_year, kind) for kind in RoundKind),
                key=lambda r: (r.due_date, r.kind),
            )
            for agency in agencies
        }


def current_round(rounds, today):
    """The round units work on `today` among `rounds`, of those units report in: the first to fall
    due whose period has begun and whose due date has not passed, else the next to fall due;
    None when every one is past."""
    reported = sorted((r for r in rounds if r.active), key=lambda r: (r.due_date, r.kind))
    running = [r for r in reported if r.period[0] <= today <= r.due_date]
    upcoming = [r for r in reported if r.due_date >= today]
    return (running or upcoming or [None])[0]


class Status(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    ON_TRACK = "on_track", _("On track")
    DELAYED = "delayed", _("Delayed")
    DONE = "done", _("Done")


class State(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    RETURNED = "returned", _("Returned for changes")
    APPROVED = "approved", _("Approved")


# A unit has sent these; a draft is still the unit's own.
REPORTED_STATES = (State.SUBMITTED, State.RETURNED, State.APPROVED)
# Nobody changes the report in these (ProgressEntry.locked).
LOCKED_STATES = (State.SUBMITTED, State.APPROVED)


# The unit still has to send these: not yet submitted, or returned.
OPEN = Q(state__in=[State.DRAFT, State.RETURNED])


def chased_years(today):
    """Open entries of these rounds are still worth chasing: this fiscal year's and last year's.
    Older plans are closed in practice, and reminding about them every day for years helps nobody."""
    return Q(round__fiscal_year__gte=fiscal_year_of(today) - 1)


class ProgressEntryQuerySet(models.QuerySet):
    def current(self):
        """Entries of measures not withdrawn."""
        return self.filter(measure__withdrawn__isnull=True)

    def open(self):
        """Entries the unit still has to send: not yet submitted, or returned, of a measure not withdrawn."""
        return self.current().filter(OPEN)

    def chased(self, today):
        """Open entries still worth chasing (`chased_years`)."""
        return self.open().filter(chased_years(today))

    def overdue(self, today):
        return self.chased(today).filter(round__due_date__lt=today)

    def due_within(self, today, days):
        return self.chased(today).filter(round__due_date__lte=today + datetime.timedelta(days=days))

    def visible_to(self, user):
        """Entries the user may see: all of an agency they read whole (`Agency.read_whole_by`), and
        their own units' entries (`access.entries_visible`)."""
        return self.filter(access.entries_visible(user))

    def reviewable_by(self, user):
        """Entries whose review steps the user takes: of the agencies they edit (`access.entries_reviewable`)."""
        return self.filter(access.entries_reviewable(user))

    def awaiting_review(self):
        """Entries sent to the integrity office and not yet approved or returned, of measures not withdrawn."""
        return self.current().filter(state=State.SUBMITTED)

    def count_by_round_kind(self):
        """{round kind: how many of these entries}, for one agency's year of rounds."""
        return dict(self.order_by().values_list("round__kind").annotate(count=models.Count("pk")))

    def for_unit_member(self, user):
        """The entries the user's units report (see `unit_memberships`), withdrawn measures' left out."""
        return self.current().filter(unit__in=Unit.objects.of_member(user))

    def count_by_unit(self):
        """One row per unit: `count` entries and the `oldest` due date among them."""
        return (
            self.values(
                "unit",
                "unit__name",
                "unit__abbreviation",
                "unit__agency__code",
                "unit__agency__short_name",
                "unit__agency__name_th",
            )
            .annotate(count=models.Count("pk"), oldest=models.Min("round__due_date"))
            .order_by("oldest", "unit__agency__code", "unit__name")
        )

    def counts_by_agency(self, today, current_rounds):
        """One row per agency (`round__agency`) with its reports: `due`, open in its current round
        (`current_rounds`, round ids) and not yet late; `overdue`, open, still chased and past their
        due date, in rounds units report in (as the dashboard counts them); `waiting`, sent and
        waiting for review."""
        return (
            self.current()
            .values("round__agency")
            .annotate(
                due=models.Count("pk", filter=OPEN & Q(round__in=current_rounds, round__due_date__gte=today)),
                overdue=models.Count(
                    "pk", filter=OPEN & chased_years(today) & Q(round__due_date__lt=today, round__active=True)
                ),
                waiting=models.Count("pk", filter=Q(state=State.SUBMITTED)),
            )
            .order_by()
        )

    def needing_reminder(self, today, days):
        """Open entries of rounds the units report in, due within `days` days of `today` or overdue."""
        return self.due_within(today, days).filter(round__active=True)

    def with_return_comment(self):
        """`return_comment`: the reason the integrity office gave when it last returned or reopened the entry."""
        reasons = ReviewEvent.objects.filter(entry=models.OuterRef("pk"), action__in=[Action.RETURN, Action.REOPEN])
        return self.annotate(return_comment=models.Subquery(reasons.order_by("-created", "-pk").values("comment")[:1]))


class ProgressEntry(models.Model):
    """A unit's progress report on a measure for one reporting round."""

    measure = models.ForeignKey(Measure, models.CASCADE, related_name="entries")
    round = models.ForeignKey(ReportingRound, models.CASCADE, related_name="entries")
    unit = models.ForeignKey(Unit, models.CASCADE, related_name="entries")
    result = models.TextField(_("results"), blank=True)
    obstacles = models.TextField(_("problems and obstacles"), blank=True)
    suggestions = models.TextField(_("suggestions"), blank=True)
    percent = models.PositiveSmallIntegerField(_("percent complete"), default=0, validators=[MaxValueValidator(100)])
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.NOT_STARTED)
    kpi_actual = models.DecimalField(
        _("KPI result (percent)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    links = models.TextField(_("evidence links"), blank=True, help_text=_("One address per line."))
    state = models.CharField(_("review state"), max_length=10, choices=State.choices, default=State.DRAFT)
    updated = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reported by"),
    )
    revision = models.PositiveIntegerField(default=0, editable=False)

    objects = ProgressEntryQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["round__due_date", "measure__order", "unit__name"]
        verbose_name = _("progress entry")
        verbose_name_plural = _("progress entries")
        constraints = [
            models.UniqueConstraint(fields=["measure", "round", "unit"], name="one_entry_per_measure_round_unit"),
            models.CheckConstraint(condition=Q(percent__lte=100), name="percent_at_most_100"),
        ]

    def __str__(self):
        return f"{self.measure} – {self.round} – {self.unit}"

    @property
    def locked(self):
        """Whether the report's text, activities and evidence are fixed: while the integrity office
        reviews it (the unit may withdraw it first), once approved (the office may reopen it), and
        while its measure is withdrawn from the plan (nobody is asked for it)."""
        return self.state in LOCKED_STATES or self.measure.withdrawn is not None

    def link_list(self):
        return [line.strip() for line in self.links.splitlines() if line.strip()]


class Activity(models.Model):
    """A dated activity reported in an entry ("วันที่ 22 ธ.ค. 65 …")."""

    entry = models.ForeignKey(ProgressEntry, models.CASCADE, related_name="activities")
    date = models.DateField(_("date"))
    text = models.TextField(_("activity"))

    history = HistoricalRecords()

    class Meta:
        ordering = ["entry", "date", "pk"]
        verbose_name = _("activity")
        verbose_name_plural = _("activities")

    def __str__(self):
        return f"{self.date} {self.text[:60]}"


def evidence_path(evidence, filename):
    entry = evidence.entry
    return f"evidence/{entry.measure.agency.code}/{entry.measure.fiscal_year}/{entry.pk}/{filename}"


class Evidence(models.Model):
    """A file attached to a progress entry: minutes, photos, posters, documents."""

    entry = models.ForeignKey(ProgressEntry, models.CASCADE, related_name="evidence")
    file = models.FileField(_("file"), upload_to=evidence_path)
    name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveIntegerField(_("size"))
    description = models.CharField(_("description"), max_length=255, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+")
    uploaded = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["entry", "uploaded"]
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")

    def __str__(self):
        return self.name


class Action(models.TextChoices):
    SUBMIT = "submit", _("Submitted")
    RETURN = "return", _("Returned")
    APPROVE = "approve", _("Approved")
    REOPEN = "reopen", _("Reopened")
    WITHDRAW = "withdraw", _("Withdrawn")  # by the unit, back to draft before the office reviews it


class ReviewEvent(models.Model):
    """One step of the review workflow, with who took it and why."""

    entry = models.ForeignKey(ProgressEntry, models.CASCADE, related_name="events")
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+")
    comment = models.TextField(_("comment"), blank=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["entry", "created", "pk"]
        verbose_name = _("review step")
        verbose_name_plural = _("review steps")

    def __str__(self):
        return f"{self.get_action_display()} {self.created:%Y-%m-%d}"


class ReminderLog(models.Model):
    """A reminder e-mailed to a unit member about an entry; nobody gets the same one twice a day."""

    entry = models.ForeignKey(ProgressEntry, models.CASCADE, related_name="reminders")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="+")
    sent_on = models.DateField(_("sent on"))

    class Meta:
        ordering = ["-sent_on", "entry"]
        verbose_name = _("reminder sent")
        verbose_name_plural = _("reminders sent")
        # The unique index also serves send_reminders' look-up of what was already sent today.
        constraints = [
            models.UniqueConstraint(fields=["entry", "user", "sent_on"], name="one_reminder_per_entry_user_day")
        ]

    def __str__(self):
        return f"{self.sent_on} {self.user} – {self.entry}"


class MeasureTemplate(models.Model):
    """A starting point for a measure, per indicator and optionally per item, kept by administrators."""

    indicator_number = models.PositiveSmallIntegerField(
        _("indicator"), validators=[MinValueValidator(1), MaxValueValidator(10)]
    )
    item_code = models.CharField(
        _("item code"), max_length=10, blank=True, help_text=_("e.g. I20 or o12; empty for the whole indicator")
    )
    name = models.CharField(_("measure"), max_length=500)
    analysis = models.TextField(_("analysis"), blank=True)
    steps = models.TextField(_("steps"), blank=True)
    kpi = models.TextField(_("KPI"), blank=True)
    target = models.CharField(_("target"), max_length=255, blank=True)
    source = models.CharField(_("source"), max_length=255, blank=True)

    class Meta:
        ordering = ["indicator_number", "item_code", "pk"]
        verbose_name = _("measure template")
        verbose_name_plural = _("measure templates")

    def __str__(self):
        return self.name


class ImprovementHeader(models.Model):
    """What the integrity office wrote in the header block of a year's improvement plan
    (แผนปรับปรุง/แผนพัฒนา, as MWA prints it). Only what the office chose is stored: an empty field
    prints the value computed from the plan's measures (`measures.improvement.computed_header`)."""

    agency = models.ForeignKey(Agency, models.CASCADE, related_name="improvement_headers")
    fiscal_year = models.PositiveSmallIntegerField(_("fiscal year"))
    plan_name = models.CharField(_("plan name"), max_length=500, blank=True)
    objective = models.TextField(_("objective"), blank=True)
    target = models.CharField(_("target"), max_length=500, blank=True)
    lead_unit = models.ForeignKey(
        Unit, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("lead unit")
    )
    strategy = models.CharField(_("strategy link"), max_length=255, blank=True)
    period = models.CharField(_("period"), max_length=100, blank=True)
    plan_type = models.CharField(_("plan type"), max_length=255, blank=True)
    confidence = models.CharField(_("confidence"), max_length=10, choices=Confidence.choices, blank=True)
    risks = models.TextField(_("risks"), blank=True)
    updated = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("saved by")
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["agency", "fiscal_year"]
        verbose_name = _("improvement plan header")
        verbose_name_plural = _("improvement plan headers")
        constraints = [
            models.UniqueConstraint(fields=["agency", "fiscal_year"], name="one_improvement_header_per_plan")
        ]

    def __str__(self):
        return f"{self.agency} {self.fiscal_year}"


class PlanSummary(models.Model):
    """Where one agency's plan of a fiscal year stands, kept for pages that show many agencies (the
    dashboard): its current `measures`, how many are `done` and how many were `reported` on, as
    `MeasureQuerySet.with_completion` counts them. Refreshed by `measures.counts.refresh_progress`
    whenever an action changes a measure or an entry, so no page recounts 330,000 entries."""

    agency = models.ForeignKey(Agency, models.CASCADE, related_name="plan_summaries")
    fiscal_year = models.PositiveSmallIntegerField(_("fiscal year"))
    measures = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    reported = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["agency", "fiscal_year"]
        constraints = [models.UniqueConstraint(fields=["agency", "fiscal_year"], name="one_summary_per_plan")]
        # The unique index also serves the dashboard's "closest plan year of each agency".
        indexes = [
            # The dashboard's plans needing attention first: the least done first.
            models.Index(fields=["done", "measures"], name="plan_summary_attention"),
        ]

    def __str__(self):
        return f"{self.agency_id} {self.fiscal_year}: {self.done}/{self.measures}"


class MeasureStanding(models.Model):
    """A measure's figures of `MeasureQuerySet.with_completion`, stored (one row per measure) so
    that the dashboard sums and ranks them over every agency without a subquery per measure."""

    measure = models.OneToOneField(Measure, models.CASCADE, primary_key=True, related_name="standing")
    plan = models.ForeignKey(PlanSummary, models.CASCADE, related_name="standings")
    current = models.BooleanField(default=True)  # not withdrawn
    latest_round = models.ForeignKey(ReportingRound, models.SET_NULL, null=True, related_name="+")
    done = models.BooleanField(default=False)
    latest_percent = models.FloatField(null=True)
    kpi_result = models.DecimalField(max_digits=5, decimal_places=2, null=True)
    off_target = models.BooleanField(default=False)

    class Meta:
        indexes = [
            # The dashboard's measures whose KPI is off target, over the current plans.
            models.Index(fields=["plan", "off_target"], name="standing_off_target"),
        ]

    def __str__(self):
        return f"{self.measure_id}: {'done' if self.done else 'not done'}"


class UnitRoundCount(models.Model):
    """How many of a unit's reports of a round are `open` (not yet sent, or returned) and
    `waiting` for review, counting measures not withdrawn: the dashboard's overdue reports per
    unit read these (66,000 rows at national size) instead of every entry. Refreshed with
    `PlanSummary`."""

    round = models.ForeignKey(ReportingRound, models.CASCADE, related_name="unit_counts")
    unit = models.ForeignKey(Unit, models.CASCADE, related_name="round_counts")
    open = models.PositiveIntegerField(default=0)
    waiting = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["round", "unit"], name="one_count_per_round_unit")]
        indexes = [
            # The dashboard's overdue reports per unit: open counts of rounds past due.
            models.Index(fields=["unit", "open"], name="unit_round_open"),
            # The menu's badge of a system administrator: the country's reports waiting
            # (measures_extras.reports_waiting), 1 ms from this index against 3 ms from the table.
            models.Index(fields=["waiting"], condition=models.Q(waiting__gt=0), name="unit_round_waiting"),
        ]

    def __str__(self):
        return f"{self.unit_id} {self.round_id}: {self.open} open, {self.waiting} waiting"


class PlanIndicatorCount(models.Model):
    """Per plan and indicator number: how many current `measures` answer the indicator, how many
    were `reported` on, and `percent_total`, the sum of their latest percents (the dashboard's
    progress per indicator is percent_total / reported, the mean of `MeasureQuerySet.progress_by_indicator`).
    Refreshed with `PlanSummary`."""

    plan = models.ForeignKey(PlanSummary, models.CASCADE, related_name="indicator_counts")
    number = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=500)
    measures = models.PositiveIntegerField(default=0)
    reported = models.PositiveIntegerField(default=0)
    percent_total = models.FloatField(default=0)

    class Meta:
        # The unique index also serves the dashboard's progress per indicator over the current plans.
        constraints = [models.UniqueConstraint(fields=["plan", "number"], name="one_count_per_plan_indicator")]

    def __str__(self):
        return f"{self.plan_id} {self.number}: {self.reported}/{self.measures}"
