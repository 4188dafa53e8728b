from decimal import Decimal
from typing import NamedTuple

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Case, Q, Value, When, prefetch_related_objects
from django.utils import timezone, translation
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from assessments import scoring
from assessments.analysis import (
    DEFAULT_LOWER,
    DEFAULT_TARGET,
    DEFAULT_UPPER,
    TierRule,
    TierScheme,
    dashboard_figures,
)
from assessments.bulk import insert_rows, update_rows
from assessments.stamp import figures_changed
from assessments.text import interpolate
from ita_tracker.converters import AGENCY_CODE

SCORE_VALIDATORS = [MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))]


class LevelScheme(models.TextChoices):
    LETTERS = "letters", _("Letter levels AA–F")
    PASS = "pass", _("Pass levels (ผ่านดีเยี่ยม … ต้องปรับปรุงโดยด่วน)")


class ToolCode(models.TextChoices):
    IIT = "IIT", "IIT"
    EIT = "EIT", "EIT"
    OIT = "OIT", "OIT"


class FrameworkVersionQuerySet(models.QuerySet):
    def for_year(self, fiscal_year):
        return self.with_spec_data().filter(first_year__lte=fiscal_year, last_year__gte=fiscal_year).first()

    def with_spec_data(self):
        """Everything `spec` reads, in a fixed number of queries however many versions."""
        return self.prefetch_related(
            "tools__parts",
            "levels",
            models.Prefetch("indicators", queryset=Indicator.objects.select_related("tool")),
            models.Prefetch(
                "items",
                queryset=Item.objects.select_related("indicator__tool", "sub_topic").prefetch_related("sub_questions"),
            ),
            models.Prefetch(
                "sub_topics", queryset=SubTopic.objects.select_related("indicator").prefetch_related("items")
            ),
        )

    def fiscal_years(self):
        """Every fiscal year a version covers, oldest first (one query)."""
        return [year for first, last in self.values_list("first_year", "last_year") for year in range(first, last + 1)]

    def specs(self):
        """{version id: spec} for every version, for pages that score many assessments."""
        return {version.pk: version.spec for version in self.with_spec_data()}

    def by_id(self):
        """{version id: version} for every version, loaded as `with_spec_data` loads them."""
        return {version.pk: version for version in self.with_spec_data()}


class FrameworkVersion(models.Model):
    """One NACC assessment framework, valid for a range of fiscal years (Buddhist Era)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    first_year = models.PositiveSmallIntegerField(_("first fiscal year"))
    last_year = models.PositiveSmallIntegerField(_("last fiscal year"))
    level_scheme = models.CharField(_("level scheme"), max_length=10, choices=LevelScheme.choices)
    weight_iit = models.DecimalField(_("IIT weight"), max_digits=4, decimal_places=3, default=Decimal("0.3"))
    weight_eit = models.DecimalField(_("EIT weight"), max_digits=4, decimal_places=3, default=Decimal("0.3"))
    weight_oit = models.DecimalField(_("OIT weight"), max_digits=4, decimal_places=3, default=Decimal("0.4"))
    items_known = models.BooleanField(_("item list known"), default=True)
    notes = models.TextField(_("notes"), blank=True)

    objects = FrameworkVersionQuerySet.as_manager()

    class Meta:
        ordering = ["first_year"]
        verbose_name = _("framework version")
        verbose_name_plural = _("framework versions")
        constraints = [
            models.CheckConstraint(condition=Q(first_year__lte=models.F("last_year")), name="framework_years_in_order"),
        ]

    def __str__(self):
        return f"ITA {self.first_year}–{self.last_year} ({self.code})"

    @property
    def fiscal_years(self):
        return range(self.first_year, self.last_year + 1)

    @cached_property
    def spec(self):
        """The framework as the scoring engine sees it; prefetch with `with_spec_data()` to share queries."""
        return framework_spec(self)


def framework_spec(version):
    """The framework version as the scoring engine sees it. A plain function of the version's
    related rows, so that a data migration can score with its historical models too."""
    tools = list(version.tools.all())
    indicators = list(version.indicators.all())
    items_by_indicator = {}
    for item in version.items.all():
        items_by_indicator.setdefault(item.indicator.number, []).append(item.code)
    topics_by_indicator = {}
    for topic in version.sub_topics.all():
        codes = tuple(item.code for item in sorted(topic.items.all(), key=lambda i: i.order))
        topics_by_indicator.setdefault(topic.indicator.number, []).append((topic.code, codes))
    return scoring.FrameworkSpec(
        weights={"IIT": version.weight_iit, "EIT": version.weight_eit, "OIT": version.weight_oit},
        tool_indicators={tool.code: tuple(i.number for i in indicators if i.tool_id == tool.pk) for tool in tools},
        tool_parts={tool.code: tuple(p.number for p in tool.parts.all()) for tool in tools if tool.parts.all()},
        indicators={
            ind.number: scoring.IndicatorSpec(
                number=ind.number,
                tool=ind.tool.code,
                items=tuple(items_by_indicator.get(ind.number, ())),
                sub_topics=tuple(topics_by_indicator.get(ind.number, ())),
            )
            for ind in indicators
        },
        items={
            item.code: scoring.ItemSpec(
                code=item.code,
                indicator=item.indicator.number,
                sub_questions=len(item.sub_questions.all()),
                in_parts=item.scored_in_parts,
            )
            for item in version.items.all()
        },
        level_scheme=version.level_scheme,
        levels=tuple(
            scoring.LevelSpec(
                code=level.code,
                name=level.name_th or level.code,
                min_score=level.min_score,
                every_tool_min=level.every_tool_min,
            )
            for level in version.levels.all()
        ),
        last_year=version.last_year,
    )


class Tool(models.Model):
    version = models.ForeignKey(FrameworkVersion, models.CASCADE, related_name="tools")
    code = models.CharField(_("code"), max_length=3, choices=ToolCode.choices)
    name_th = models.CharField(_("Thai name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["version", "order"]
        verbose_name = _("tool")
        verbose_name_plural = _("tools")
        constraints = [models.UniqueConstraint(fields=["version", "code"], name="tool_code_unique_in_version")]

    def __str__(self):
        return self.code


class ToolPart(models.Model):
    """A separately scored part of a tool: EIT ส่วนที่ 1 (Public) and ส่วนที่ 2 (Survey) from 2566."""

    tool = models.ForeignKey(Tool, models.CASCADE, related_name="parts")
    number = models.PositiveSmallIntegerField(_("number"), validators=[MinValueValidator(1), MaxValueValidator(2)])
    label_th = models.CharField(_("Thai label"), max_length=100)
    name = models.CharField(_("name"), max_length=100, blank=True)

    class Meta:
        ordering = ["tool", "number"]
        verbose_name = _("tool part")
        verbose_name_plural = _("tool parts")
        constraints = [models.UniqueConstraint(fields=["tool", "number"], name="tool_part_unique")]

    def __str__(self):
        return f"{self.tool.code} {self.label_th}" + (f" ({self.name})" if self.name else "")


class Indicator(models.Model):
    version = models.ForeignKey(FrameworkVersion, models.CASCADE, related_name="indicators")
    number = models.PositiveSmallIntegerField(_("number"))
    tool = models.ForeignKey(Tool, models.CASCADE, related_name="indicators")
    name_th = models.CharField(_("Thai name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)

    class Meta:
        ordering = ["version", "number"]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        constraints = [models.UniqueConstraint(fields=["version", "number"], name="indicator_number_unique_in_version")]

    def __str__(self):
        return f"{self.number} {self.name_th}"


class SubTopic(models.Model):
    """A group of OIT items whose mean counts once in its indicator (ข้อมูลพื้นฐาน, การจัดซื้อจัดจ้าง …)."""

    version = models.ForeignKey(FrameworkVersion, models.CASCADE, related_name="sub_topics")
    indicator = models.ForeignKey(Indicator, models.CASCADE, related_name="sub_topics")
    code = models.CharField(_("code"), max_length=10)
    name_th = models.CharField(_("Thai name"), max_length=200)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["version", "order"]
        verbose_name = _("sub-topic")
        verbose_name_plural = _("sub-topics")
        constraints = [models.UniqueConstraint(fields=["version", "code"], name="sub_topic_code_unique_in_version")]

    def __str__(self):
        return f"{self.code} {self.name_th}"


class Item(models.Model):
    version = models.ForeignKey(FrameworkVersion, models.CASCADE, related_name="items")
    code = models.CharField(_("code"), max_length=10)
    indicator = models.ForeignKey(Indicator, models.CASCADE, related_name="items")
    sub_topic = models.ForeignKey(
        SubTopic, models.SET_NULL, null=True, blank=True, related_name="items", verbose_name=_("sub-topic")
    )
    text_th = models.TextField(_("Thai text"))
    note_th = models.TextField(_("Thai note"), blank=True)
    scored_in_parts = models.BooleanField(
        _("scored in parts"), default=False, help_text=_("Scored once per tool part (EIT Public and Survey).")
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["version", "order"]
        verbose_name = _("item")
        verbose_name_plural = _("items")
        constraints = [models.UniqueConstraint(fields=["version", "code"], name="item_code_unique_in_version")]

    def __str__(self):
        return f"{self.code} {self.text_th[:60]}"


class SubQuestion(models.Model):
    item = models.ForeignKey(Item, models.CASCADE, related_name="sub_questions")
    number = models.PositiveSmallIntegerField(_("number"))
    text_th = models.TextField(_("Thai text"))

    class Meta:
        ordering = ["item", "number"]
        verbose_name = _("sub-question")
        verbose_name_plural = _("sub-questions")
        constraints = [models.UniqueConstraint(fields=["item", "number"], name="sub_question_unique")]

    def __str__(self):
        return f"{self.item.code}.{self.number} {self.text_th[:60]}"


class Level(models.Model):
    """A result level; evaluated from the highest `min_score` down, the first that holds applies."""

    version = models.ForeignKey(FrameworkVersion, models.CASCADE, related_name="levels")
    code = models.CharField(_("code"), max_length=20)
    name_th = models.CharField(_("Thai name"), max_length=100, blank=True)
    name_en = models.CharField(_("English name"), max_length=100, blank=True)
    min_score = models.DecimalField(_("minimum score"), max_digits=5, decimal_places=2)
    every_tool_min = models.DecimalField(
        _("minimum for every tool"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("IIT, each EIT part and OIT must also reach this score."),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["version", "order"]
        verbose_name = _("level")
        verbose_name_plural = _("levels")
        constraints = [models.UniqueConstraint(fields=["version", "code"], name="level_code_unique_in_version")]

    def __str__(self):
        return self.name_th or self.code


def type_key(text):
    """A type's name as imports compare it: without spaces, case or a final "." ("อบต." = "อบต" = "อ บ ต")."""
    return "".join(str(text).split()).casefold().removesuffix(".")


class AgencyTypeQuerySet(models.QuerySet):
    def by_name(self):
        """{type_key(name): type} for every code, Thai name, English name and short form, in one query."""
        return {type_key(name): agency_type for agency_type in self for name in agency_type.names()}


class AgencyType(models.Model):
    """A type of agency as the NACC groups them for ranking (ศาล, ส่วนราชการระดับกรม, เทศบาลตำบล, …).

    Data, not code: the NACC has regrouped agencies before, and an administrator adds or renames a type in
    the admin. Imports accept the code, either name or any of the short forms.
    """

    code = models.SlugField(_("code"), max_length=32, unique=True)
    name_th = models.CharField(_("Thai name"), max_length=128, unique=True)
    name_en = models.CharField(_("English name"), max_length=128, blank=True)
    short_names = models.CharField(
        _("short forms"),
        max_length=255,
        blank=True,
        help_text=_("Other names and short forms that imports accept, separated by commas, e.g. อบต., อบต"),
    )
    is_local_government = models.BooleanField(
        _("local government"), default=False, help_text=_("Only local governments have a size class (L, M, S).")
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    history = HistoricalRecords()

    objects = AgencyTypeQuerySet.as_manager()

    class Meta:
        ordering = ["order", "name_th"]
        verbose_name = _("agency type")
        verbose_name_plural = _("agency types")

    def __str__(self):
        return self.name

    @property
    def name(self):
        """The name in the active language (Thai unless English is active and there is an English name)."""
        if self.name_en and (translation.get_language() or "th").startswith("en"):
            return self.name_en
        return self.name_th

    def short_forms(self):
        return [form.strip() for form in self.short_names.split(",") if form.strip()]

    def names(self):
        """Every name an import accepts for this type."""
        return [name for name in (self.code, self.name_th, self.name_en, *self.short_forms()) if name]

    def clean(self):
        # An import must know which type a name means: no name may belong to two types.
        taken = AgencyType.objects.exclude(pk=self.pk).by_name()
        clashes = [name for name in self.names() if type_key(name) in taken]
        if clashes:
            raise ValidationError(
                interpolate(
                    _("%(names)s already names the agency type '%(type)s'; each name and short form names one type"),
                    {"names": ", ".join(clashes), "type": taken[type_key(clashes[0])].name_th},
                )
            )
        if not self.is_local_government and self.pk and self.agencies.exclude(size_class="").exists():
            raise ValidationError(
                {"is_local_government": _("agencies of this type have a size class: remove their size class first")}
            )


class SizeClass(models.TextChoices):
    """The NACC's size classes of local governments, used from 2568 to rank them among their peers."""

    LARGE = "L", _("L (large)")
    MEDIUM = "M", _("M (medium)")
    SMALL = "S", _("S (small)")


def size_class_not_local(agency_type):
    return interpolate(
        _("a size class (L, M, S) is only for local governments, not for agency type '%(type)s'"),
        {"type": agency_type.name_th},
    )


class AgencyQuerySet(models.QuerySet):
    """The rules are in `assessments.access`."""

    def visible_to(self, user):
        """Agencies the user may read: their own, those under an agency they oversee, or all for superusers."""
        return self.filter(access.agencies_visible(user))

    def read_whole_by(self, user):
        """Agencies whose every measure and progress entry the user may read (unit staff read only their
        units' share)."""
        return self.filter(access.agencies_read_whole(user))

    def editable_by(self, user):
        """Agencies whose results and plans the user may change."""
        return self.filter(access.agencies_editable(user))

    def matching(self, text):
        """Agencies whose code, Thai name or short name holds `text` (any case), those whose code
        it is first: what a person types to find one agency among thousands."""
        text = text.strip()
        found = self.filter(Q(code__icontains=text) | Q(name_th__icontains=text) | Q(short_name__icontains=text))
        exact = Case(When(code__iexact=text, then=Value(0)), default=Value(1))
        return found.annotate(exact_code=exact).order_by("exact_code", "code")


class Agency(models.Model):
    code = models.CharField(
        _("code"),
        max_length=32,
        unique=True,
        validators=[RegexValidator(rf"\A{AGENCY_CODE}\Z", _("Use letters a–z, digits, '-' or '_'."))],
    )
    name_th = models.CharField(_("Thai name"), max_length=255)
    short_name = models.CharField(_("short name"), max_length=64, blank=True)
    agency_type = models.ForeignKey(AgencyType, models.PROTECT, related_name="agencies", verbose_name=_("agency type"))
    size_class = models.CharField(
        _("size class"),
        max_length=1,
        choices=SizeClass.choices,
        blank=True,
        help_text=_("For local governments only, as the NACC classes them from 2568."),
    )
    parent = models.ForeignKey(
        "self", models.PROTECT, null=True, blank=True, related_name="children", verbose_name=_("parent agency")
    )

    objects = AgencyQuerySet.as_manager()

    class Meta:
        ordering = ["name_th"]
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")

    def __str__(self):
        return f"{self.name_th} ({self.short_name})" if self.short_name else self.name_th

    def get_agency_type_display(self):
        """The type's name in the active language, as the old choices field displayed it."""
        return self.agency_type.name

    def clean(self):
        if self.size_class and self.agency_type_id and not self.agency_type.is_local_government:
            raise ValidationError({"size_class": size_class_not_local(self.agency_type)})
        # A loop of parents would make an agency oversee itself; the import checks the same.
        above, seen = self.parent, set()
        while above is not None and above.pk not in seen:
            if self.pk is not None and above.pk == self.pk:
                raise ValidationError({"parent": _("an agency cannot be above itself in the line of parents")})
            seen.add(above.pk)
            above = above.parent


class Role(models.TextChoices):
    AGENCY_ADMIN = "agency_admin", _("Agency administrator")
    OFFICER = "officer", _("Integrity officer")
    UNIT_STAFF = "unit_staff", _("Unit staff")
    EXECUTIVE = "executive", _("Executive")


EDITOR_ROLES = (Role.AGENCY_ADMIN, Role.OFFICER)


class Membership(models.Model):
    """A user's role in an agency; with `oversight`, also read access to the agencies under it."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="memberships")
    agency = models.ForeignKey(Agency, models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    oversight = models.BooleanField(_("oversees agencies under this one"), default=False)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [models.UniqueConstraint(fields=["user", "agency"], name="membership_unique")]

    def __str__(self):
        return f"{self.user} – {self.agency} ({self.get_role_display()})"


# The NACC passes an agency whose ITA score is 85.00 or more (A and above; ผ่าน and above from 2566).
PASS_SCORE = Decimal("85")


def competition_ranks(entries):
    """{key: rank} for (key, group, score) entries: rank by score, highest first, within each group;
    equal scores share a rank and the next one skips (1, 2, 2, 4); a None score has no rank."""
    groups: dict = {}
    for key, group, score in entries:
        if score is not None:
            groups.setdefault(group, []).append((score, key))
    ranks = {}
    for members in groups.values():
        members.sort(key=lambda member: member[0], reverse=True)
        place_of_score: dict = {}
        for place, (score, key) in enumerate(members, start=1):
            ranks[key] = place_of_score.setdefault(score, place)
    return ranks


YEARS_BEFORE_FIELDS = ["is_latest", "previous_year", "previous_score", "score_change"]


class AssessmentQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(access.assessments_visible(user))

    def refresh_summaries(self, specs=None, ranks=True, scores_of=None, in_hand=None):
        """refresh_summary for each of these, the summaries and figures written together, the
        agencies' latest year and years before once, and with `ranks` the years' ranks once.
        `scores_of`: {assessment id: its scores} when the caller has them (an import), else read;
        `in_hand`: these assessments as the caller holds them, as saved, else read."""
        specs = specs or FrameworkVersion.objects.specs()
        if in_hand is not None:
            assessments = in_hand
            prefetch_related_objects(assessments, "figures")
        else:
            assessments = self.prefetch_related("figures") if scores_of else self.prefetch_related("scores", "figures")
        summarised, new, changed, gone = [], [], [], []
        for assessment in assessments:
            spec = specs[assessment.version_id]
            result = assessment.result(spec, scores_of[assessment.pk] if scores_of else None)
            if assessment.take_summary(result):
                summarised.append(assessment)
            more_new, more_changed, more_gone = assessment.figure_changes(spec, result)
            new += more_new
            changed += more_changed
            gone += more_gone
        # A bulk write keeps no history: derived figures are not an edit (see store_summary).
        now = timezone.now()
        for assessment in summarised:
            assessment.updated = now
        update_rows(Assessment, summarised, [*Assessment.SUMMARY_FIELDS, "updated"])
        Figure.objects.write_changes(new, changed, gone)
        if ranks:
            self.refresh_ranks()  # once for the years, not once an assessment
        self.refresh_years_before()

    def latest(self):
        """Each agency's newest assessment among these (kept by `refresh_years_before`)."""
        return self.filter(is_latest=True)

    def refresh_years_before(self):
        """Store, for every assessment of these assessments' agencies, whether it is the agency's
        newest and the year and overall score of the agency's assessment just before it (an
        earlier year, not always the year before: agencies miss years).

        Kept on the row, not found per request: the dashboard of 8,323 agencies ran three
        correlated subqueries for each of them. Only rows that differ are written.
        """
        figures_changed()
        rows = list(
            Assessment.objects.filter(agency__in=self.values("agency"))
            .order_by("agency", "fiscal_year")
            .values_list("pk", "agency", "fiscal_year", "overall", *YEARS_BEFORE_FIELDS)
        )
        changed = []
        for index, (pk, agency, _year, overall, *stored) in enumerate(rows):
            before = rows[index - 1] if index and rows[index - 1][1] == agency else None
            is_latest = index + 1 == len(rows) or rows[index + 1][1] != agency
            previous_year, previous_score = (before[2], before[3]) if before else (None, None)
            change = overall - previous_score if overall is not None and previous_score is not None else None
            wanted = [is_latest, previous_year, previous_score, change]
            if wanted != stored:
                changed.append(Assessment(pk=pk, **dict(zip(YEARS_BEFORE_FIELDS, wanted, strict=True))))
        update_rows(Assessment, changed, YEARS_BEFORE_FIELDS)

    def latest_per_agency(self):
        newer = Assessment.objects.filter(
            agency=models.OuterRef("agency"), fiscal_year__gt=models.OuterRef("fiscal_year")
        )
        return self.exclude(models.Exists(newer))

    def fiscal_years(self):
        """The fiscal years these assessments cover, newest first."""
        return self.order_by("-fiscal_year").values_list("fiscal_year", flat=True).distinct()

    def history_of(self, agency):
        """The agency's years, oldest first, with their scores: what an analysis compares."""
        return self.filter(agency=agency).order_by("fiscal_year").prefetch_related("scores")

    def for_overview(self, year):
        """One fiscal year's assessments as the multi-agency overview lists them."""
        return self.filter(fiscal_year=year).select_related("agency__parent", "agency__agency_type").with_change()

    def peer_group(self, assessment):
        """The year's assessments of agencies of the same type and size class as `assessment`'s,
        its own included: whom the NACC ranks it among (as `refresh_ranks` does)."""
        agency = assessment.agency
        return self.filter(
            fiscal_year=assessment.fiscal_year,
            agency__agency_type=agency.agency_type_id,
            agency__size_class=agency.size_class,
        )

    def refresh_ranks(self):
        """Store `rank_in_type` for every assessment of the fiscal years these cover: the national
        rank by overall score among the year's agencies of the same type and size class (the NACC
        ranks an L sub-district administration against other L ones only).

        Kept on the row, not counted per request: the overview of 8,323 agencies took a minute
        with a correlated count per row. Ties share a rank (1, 2, 2, 4); no overall, no rank.
        """
        figures_changed()
        for year in set(self.values_list("fiscal_year", flat=True)):
            rows = Assessment.objects.filter(fiscal_year=year).values_list(
                "pk", "agency__agency_type_id", "agency__size_class", "overall", "rank_in_type"
            )
            ranks = competition_ranks((pk, (kind, size), overall) for pk, kind, size, overall, _rank in rows)
            changed = [
                Assessment(pk=pk, rank_in_type=ranks.get(pk)) for pk, *_rest, rank in rows if ranks.get(pk) != rank
            ]
            update_rows(Assessment, changed, ["rank_in_type"])

    def with_change(self):
        """`previous_overall`: the agency's overall score the fiscal year before; `change`: this year's minus it."""
        previous = (
            Assessment.objects.filter(agency=models.OuterRef("agency"), fiscal_year=models.OuterRef("fiscal_year") - 1)
            .order_by()
            .values("overall")[:1]
        )
        return self.annotate(
            previous_overall=models.Subquery(
                previous, output_field=models.DecimalField(max_digits=5, decimal_places=2)
            ),
            change=models.ExpressionWrapper(
                models.F("overall") - models.F("previous_overall"),
                output_field=models.DecimalField(max_digits=6, decimal_places=2),
            ),
        )

    def count_by_level(self):
        """{level name: number of assessments} in one query; "" counts those without a level."""
        return dict(self.order_by().values("level").annotate(count=models.Count("pk")).values_list("level", "count"))

    def needing_attention_first(self):
        """Lowest ITA score first; assessments without one (incomplete results) last."""
        return self.order_by(models.F("overall").asc(nulls_last=True), "agency__name_th", "-fiscal_year")

    def biggest_falls(self):
        return self.filter(score_change__lt=0).order_by("score_change", "agency__name_th")

    def biggest_rises(self):
        return self.filter(score_change__gt=0).order_by("-score_change", "agency__name_th")

    def latest_year_summary(self, pass_score=PASS_SCORE):
        """For the latest fiscal year among these: the year, how many assessments it has, their
        average ITA score and how many pass (ITA score at or above `pass_score`)."""
        latest = self.order_by("-fiscal_year").values("fiscal_year")[:1]
        return self.filter(fiscal_year=models.Subquery(latest)).aggregate(
            year=models.Max("fiscal_year"),
            with_results=models.Count("pk"),
            average=models.Avg("overall"),
            passing=models.Count("pk", filter=Q(overall__gte=pass_score)),
        )


class Assessment(models.Model):
    """An agency's official ITA result for one fiscal year, as published by the NACC."""

    agency = models.ForeignKey(Agency, models.CASCADE, related_name="assessments")
    fiscal_year = models.PositiveSmallIntegerField(_("fiscal year"))
    version = models.ForeignKey(FrameworkVersion, models.PROTECT, related_name="assessments")
    suggestions = models.TextField(_("NACC suggestions"), blank=True)
    tier_scheme = models.CharField(
        _("tier scheme"), max_length=10, choices=TierScheme.choices, default=TierScheme.TARGET
    )
    tier_target = models.DecimalField(
        _("target score"), max_digits=5, decimal_places=2, default=DEFAULT_TARGET, validators=SCORE_VALIDATORS
    )
    tier_lower = models.DecimalField(
        _("lower tier bound"), max_digits=5, decimal_places=2, default=DEFAULT_LOWER, validators=SCORE_VALIDATORS
    )
    tier_upper = models.DecimalField(
        _("upper tier bound"), max_digits=5, decimal_places=2, default=DEFAULT_UPPER, validators=SCORE_VALIDATORS
    )

    # The headline figures as the engine gives them, kept in step with the scores by
    # refresh_summary() so that lists of many agencies can filter and sort in the database.
    overall = models.DecimalField(_("ITA score"), max_digits=5, decimal_places=2, null=True, editable=False)
    iit = models.DecimalField("IIT", max_digits=5, decimal_places=2, null=True, editable=False)
    eit = models.DecimalField("EIT", max_digits=5, decimal_places=2, null=True, editable=False)
    oit = models.DecimalField("OIT", max_digits=5, decimal_places=2, null=True, editable=False)
    level = models.CharField(_("level"), max_length=100, blank=True, editable=False)
    mismatch_count = models.PositiveSmallIntegerField(_("mismatches"), default=0, editable=False)
    rank_in_type = models.PositiveIntegerField(_("rank within type"), null=True, editable=False)
    # The agency's years in order, kept by refresh_years_before() (see YEARS_BEFORE_FIELDS).
    is_latest = models.BooleanField(_("latest of the agency"), default=False, editable=False)
    previous_year = models.PositiveSmallIntegerField(_("previous assessed year"), null=True, editable=False)
    previous_score = models.DecimalField(
        _("previous ITA score"), max_digits=5, decimal_places=2, null=True, editable=False
    )
    score_change = models.DecimalField(
        _("change from the previous year"), max_digits=6, decimal_places=2, null=True, editable=False
    )
    level_mismatch = models.BooleanField(
        _("published level differs"),
        default=False,
        editable=False,
        help_text=_("The published level differs from the level computed from the published tool scores."),
    )

    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    objects = AssessmentQuerySet.as_manager()
    history = HistoricalRecords(
        excluded_fields=[
            "overall",
            "iit",
            "eit",
            "oit",
            "level",
            "mismatch_count",
            "level_mismatch",
            "rank_in_type",
            *YEARS_BEFORE_FIELDS,
            "updated",
        ]
    )

    class Meta:
        ordering = ["agency", "-fiscal_year"]
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")
        constraints = [
            models.UniqueConstraint(fields=["agency", "fiscal_year"], name="one_assessment_per_agency_and_year"),
            models.CheckConstraint(condition=Q(tier_lower__lt=models.F("tier_upper")), name="tier_bounds_in_order"),
        ]
        # The overview lists one fiscal year, ordered by the overall score.
        indexes = [
            models.Index(fields=["fiscal_year", "overall"], name="assessment_year_overall"),
            # The overview sorted by rank within type (?sort=rank_in_type).
            models.Index(fields=["fiscal_year", "rank_in_type"], name="assessment_year_rank"),
            # The dashboard's latest results, lowest score first (latest().needing_attention_first()).
            models.Index(fields=["is_latest", "overall"], name="assessment_latest_overall"),
            # The dashboard's biggest falls and rises (latest().biggest_falls(), biggest_rises()).
            models.Index(fields=["is_latest", "score_change"], name="assessment_latest_change"),
        ]

    def __str__(self):
        return f"{self.agency} {self.fiscal_year}"

    def official_figures(self):
        return {(s.code, s.part): s.score for s in self.scores.all()}

    def placed_items(self):
        """{item code: indicator} of the items this result placed itself, in a version without an item list."""
        return {s.code: s.indicator for s in self.scores.all() if s.indicator is not None}

    def placed_spec(self, spec=None):
        """The version's framework with this result's placed items in their indicators."""
        return scoring.with_placed_items(spec or self.version.spec, self.placed_items())

    def result(self, spec=None, scores=None):
        """Official and computed figures, mismatch flags and the level: the published one where
        there is one, else the computed one (see scoring.compute). `scores`: the assessment's
        scores when the caller has them already, else they are read (one query unless prefetched)."""
        return result_of(spec or self.version.spec, self.scores.all() if scores is None else scores)

    @property
    def tier_rule(self):
        return TierRule(self.tier_scheme, self.tier_target, self.tier_lower, self.tier_upper)

    # The headline figures stored from the scores (store_summary).
    SUMMARY_FIELDS = ("overall", "iit", "eit", "oit", "level", "mismatch_count", "level_mismatch")

    def refresh_summary(self, spec=None, ranks=True):
        """Store the headline figures the engine gives and the figures the dashboard ranks; with
        `ranks`, the year's ranks too when the overall score changed, and the agency's latest
        year and years before (`refresh_summaries` does those once for many)."""
        spec = spec or self.version.spec
        result = self.result(spec)
        Figure.objects.write_changes(*self.figure_changes(spec, result))
        if self.store_summary(result) and ranks:
            Assessment.objects.filter(pk=self.pk).refresh_ranks()
        if ranks:
            Assessment.objects.filter(pk=self.pk).refresh_years_before()

    def store_summary(self, result):
        """Save the headline figures of `result` where they differ from the stored ones; whether they did."""
        if not self.take_summary(result):
            return False
        # Derived figures are not an edit: the audit trail records the scores themselves.
        self.skip_history_when_saving = True
        try:
            self.save(update_fields=[*self.SUMMARY_FIELDS, "updated"])
        finally:
            del self.skip_history_when_saving
        return True

    def take_summary(self, result):
        """Set the headline figures of `result` without saving; whether any changed."""
        summary = {
            "overall": result.shown("ITA"),
            "iit": result.shown("IIT"),
            "eit": result.shown("EIT"),
            "oit": result.shown("OIT"),
            "level": result.level.name if result.level else "",
            "mismatch_count": len(result.mismatches),
            "level_mismatch": result.level_mismatch,
        }
        if all(getattr(self, field) == value for field, value in summary.items()):
            return False
        for field, value in summary.items():
            setattr(self, field, value)
        return True

    def figure_changes(self, spec, result):
        """(new NewFigure rows, changed Figures, ids of gone Figures) that bring the stored figures in
        step with `result`: only rows that differ are written (prefetch `figures` to read them in one query)."""
        score = result.shown("ITA")
        score = NO_SCORE_LAST if score is None else score
        wanted = {
            (kind, code, part): (shown, score, place)
            for kind, code, part, shown, place in dashboard_figures(spec, result)
        }
        stored = {(f.kind, f.code, f.part): f for f in self.figures.all()}
        new = [
            NewFigure(self.pk, kind, code, part, shown, score, place)
            for (kind, code, part), (shown, score, place) in wanted.items()
            if (kind, code, part) not in stored
        ]
        changed = []
        for key, figure in stored.items():
            if key in wanted and (figure.shown, figure.assessment_score, figure.position) != wanted[key]:
                figure.shown, figure.assessment_score, figure.position = wanted[key]
                changed.append(figure)
        gone = [figure.pk for key, figure in stored.items() if key not in wanted]
        return new, changed, gone


def result_of(spec, scores):
    """The scoring result of an assessment's official scores (Score rows) under the version's spec,
    with the items the results placed themselves. A plain function, for data migrations too."""
    scores = list(scores)
    placed = {s.code: s.indicator for s in scores if s.indicator is not None}
    return scoring.compute(
        scoring.with_placed_items(spec, placed),
        {(s.code, s.part): s.score for s in scores},
        {(s.code, s.part): s.level for s in scores if s.level},
    )


# Above every ITA score: assessments without one rank after those with one.
NO_SCORE_LAST = Decimal("1000")


class NewFigure(NamedTuple):
    """A Figure row to insert (write_changes): a national import inserts a few hundred thousand, and
    building a model instance for each took longer than writing it."""

    assessment_id: int
    kind: str
    code: str
    part: int
    shown: Decimal
    assessment_score: Decimal
    position: int


class FigureKind(models.TextChoices):
    INDICATOR = "indicator", _("indicator")
    ITEM = "item", _("item")


class FigureQuerySet(models.QuerySet):
    def write_changes(self, new, changed, gone):
        """Write what `Assessment.figure_changes` found, in a few statements for many assessments."""
        if gone:
            Figure.objects.filter(pk__in=gone).delete()
        insert_rows(Figure, new, ["assessment", "kind", "code", "part", "shown", "assessment_score", "position"])
        update_rows(Figure, changed, ["shown", "assessment_score", "position"])

    def weakest(self, kind, assessments, limit, *, few=False):
        """The `limit` lowest figures of `kind` among `assessments`, lowest first; equal scores in
        the dashboard's order of the assessments (lowest ITA score first), then the framework's.

        Many assessments: the figures are read in score order from their index until `limit` are
        found (a national overseer's ten weakest are among the first rows). With `few` (an
        agency's or a province's), each assessment's own figures are read and sorted instead:
        walking all 80,000 indicators of the country in score order to find one agency's took
        0.8 s. Adding 0 to the score keeps SQLite from choosing the score-order index.
        """
        shown = models.F("shown") + 0 if few else models.F("shown")
        return (
            self.filter(kind=kind, assessment__in=assessments)
            .select_related("assessment__agency")
            .order_by(
                shown.asc(),
                "assessment_score",
                "assessment__agency__name_th",
                "-assessment__fiscal_year",
                "position",
            )[:limit]
        )


class Figure(models.Model):
    """One figure of an assessment as the dashboard ranks them across agencies: each indicator and
    the assessment's ten weakest items, as shown (official, else computed, two decimals).

    Derived from the scores and kept in step by `Assessment.refresh_summary`: the dashboard of
    8,323 agencies scored every one of them from a million score rows on each request.
    """

    assessment = models.ForeignKey(Assessment, models.CASCADE, related_name="figures")
    kind = models.CharField(_("kind"), max_length=10, choices=FigureKind.choices)
    code = models.CharField(_("code"), max_length=16)
    part = models.PositiveSmallIntegerField(_("part"), default=0)
    shown = models.DecimalField(_("score"), max_digits=5, decimal_places=2)
    # The assessment's ITA score, or NO_SCORE_LAST without one: equal figures are ranked lowest
    # ITA score first, and with it in the index a national dashboard does not sort the thousands
    # of OIT items at 0.00 by their assessments to find ten.
    assessment_score = models.DecimalField(_("ITA score of the assessment"), max_digits=6, decimal_places=2)
    position = models.PositiveSmallIntegerField(_("position"), help_text=_("The figure's place in its framework."))

    objects = FigureQuerySet.as_manager()

    class Meta:
        verbose_name = _("dashboard figure")
        verbose_name_plural = _("dashboard figures")
        constraints = [
            models.UniqueConstraint(fields=["assessment", "kind", "code", "part"], name="one_figure_per_assessment"),
        ]
        indexes = [
            # The dashboard's weakest indicators and items: FigureQuerySet.weakest, ORDER BY shown … LIMIT 10.
            models.Index(fields=["kind", "shown", "assessment_score"], name="figure_kind_shown"),
        ]

    def __str__(self):
        return f"{self.assessment} {self.code}{'/' + str(self.part) if self.part else ''} = {self.shown}"


class Score(models.Model):
    """One official figure: an item, sub-question, sub-topic, indicator, tool (part) or the overall score."""

    assessment = models.ForeignKey(Assessment, models.CASCADE, related_name="scores")
    code = models.CharField(_("code"), max_length=16)
    part = models.PositiveSmallIntegerField(
        _("part"), default=0, help_text=_("0 for a figure not split into parts; 1 or 2 for EIT ส่วนที่ 1 / ส่วนที่ 2.")
    )
    score = models.DecimalField(_("score"), max_digits=5, decimal_places=2, validators=SCORE_VALIDATORS)
    indicator = models.PositiveSmallIntegerField(
        _("indicator"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(10)],
        help_text=_(
            "Only for an item of a framework version without an item list: the indicator the results place it in."
        ),
    )
    level = models.CharField(
        _("published level"),
        max_length=100,
        blank=True,
        help_text=_(
            "The level printed beside the figure, as the year's levels name it: the overall level on the "
            "ITA row, the letter (AA–F) of an item or indicator in 2562–2565. Empty when none was published."
        ),
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["assessment", "code", "part"]
        verbose_name = _("official score")
        verbose_name_plural = _("official scores")
        constraints = [
            models.UniqueConstraint(fields=["assessment", "code", "part"], name="one_score_per_figure"),
            models.CheckConstraint(condition=Q(score__gte=0, score__lte=100), name="score_between_0_and_100"),
            models.CheckConstraint(condition=Q(part__in=[0, 1, 2]), name="score_part_0_1_or_2"),
        ]

    def __str__(self):
        return f"{self.code}{'/' + str(self.part) if self.part else ''} = {self.score}"


# At the end, not the top: the access module reads the models above, and these QuerySets call it.
from assessments import access  # noqa: E402
