"""The OIT checklist: for every o item of a year's framework, what the agency publishes on its
website to answer it, who in the agency prepares it, and whether the integrity office has
approved it; and the agency's public ITA page, which shows the approved evidence.

An item's row is made the first time someone assigns it or adds evidence; until then the
checklist shows it as not started, so opening the checklist writes nothing.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from assessments import access
from assessments.models import Agency, Item
from measures.models import Unit


class Guidance(models.Model):
    """The longer explanation of what an o item asks for, beside the framework's own short text;
    written by an administrator for one framework version's item."""

    item = models.OneToOneField(Item, models.CASCADE, related_name="guidance")
    text = models.TextField(_("guidance"))

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("OIT guidance")
        verbose_name_plural = _("OIT guidance")

    def __str__(self):
        return str(self.item)


class Status(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    IN_PROGRESS = "in_progress", _("In progress")
    READY = "ready", _("Ready for review")
    APPROVED = "approved", _("Approved")


class Step(models.TextChoices):
    SUBMIT = "submit", _("Sent for review")
    RETURN = "return", _("Returned")
    APPROVE = "approve", _("Approved")
    REOPEN = "reopen", _("Reopened")
    # Not a review step: the link check found links that broke or moved since it last looked.
    LINKS = "links", _("Links to check")


class ChecklistItemQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(access.checklist_items_visible(user))


class ChecklistItem(models.Model):
    """One o item of an agency's year: who answers it, by when, and where it stands."""

    agency = models.ForeignKey(Agency, models.CASCADE, related_name="checklist_items")
    fiscal_year = models.PositiveSmallIntegerField(_("fiscal year"))
    item = models.ForeignKey(Item, models.PROTECT, related_name="+")
    unit = models.ForeignKey(
        Unit, models.SET_NULL, null=True, blank=True, related_name="checklist_items", verbose_name=_("responsible unit")
    )
    person = models.CharField(_("responsible person"), max_length=255, blank=True)
    due_date = models.DateField(_("due date"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.NOT_STARTED)
    # Copied from last year's checklist: the links may have moved since.
    to_check = models.BooleanField(_("to check"), default=False)
    revision = models.PositiveIntegerField(default=0, editable=False)
    updated = models.DateTimeField(auto_now=True)

    objects = ChecklistItemQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["agency", "fiscal_year", "item__order"]
        verbose_name = _("OIT checklist item")
        verbose_name_plural = _("OIT checklist items")
        constraints = [
            models.UniqueConstraint(fields=["agency", "fiscal_year", "item"], name="one_checklist_item_per_year")
        ]

    def __str__(self):
        return f"{self.item.code} {self.agency.code} {self.fiscal_year}"

    @property
    def locked(self):
        """Nobody changes evidence the office is reviewing or has approved (it may reopen it)."""
        return self.status in (Status.READY, Status.APPROVED)


def evidence_path(evidence, filename):
    item = evidence.checklist_item
    return f"oit/{item.agency.code}/{item.fiscal_year}/{item.pk}/{filename}"


class ChecklistEvidence(models.Model):
    """A link on the agency's website, an uploaded file, or both, with a short label. A file is
    shown on the public page only when marked public; a link always is, once the item is approved."""

    checklist_item = models.ForeignKey(ChecklistItem, models.CASCADE, related_name="evidence")
    label = models.CharField(_("label"), max_length=255)
    url = models.URLField(_("address"), max_length=1000, blank=True)
    file = models.FileField(_("file"), upload_to=evidence_path, blank=True)
    file_name = models.CharField(_("file name"), max_length=255, blank=True)
    content_type = models.CharField(_("type"), max_length=100, blank=True)
    public = models.BooleanField(_("file shown on the public page"), default=False)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    # The last link check (check_evidence_links).
    checked = models.DateTimeField(_("last checked"), null=True, blank=True)
    check_status = models.PositiveSmallIntegerField(_("answer"), null=True, blank=True)
    check_error = models.CharField(_("problem"), max_length=100, blank=True)
    final_url = models.URLField(_("moved to"), max_length=1000, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["checklist_item", "order", "pk"]
        verbose_name = _("OIT evidence")
        verbose_name_plural = _("OIT evidence")
        constraints = [
            models.CheckConstraint(condition=~models.Q(url="", file=""), name="evidence_has_link_or_file"),
        ]

    def __str__(self):
        return self.label

    @property
    def link_broken(self):
        return self.checked is not None and (self.check_error != "" or (self.check_status or 0) >= 400)


class ChecklistStepEvent(models.Model):
    """One step of an item's review, with who took it and why."""

    checklist_item = models.ForeignKey(ChecklistItem, models.CASCADE, related_name="steps")
    step = models.CharField(_("step"), max_length=10, choices=Step.choices)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+")
    comment = models.TextField(_("comment"), blank=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["checklist_item", "created", "pk"]
        verbose_name = _("OIT review step")
        verbose_name_plural = _("OIT review steps")

    def __str__(self):
        return f"{self.get_step_display()} {self.created:%Y-%m-%d}"


class PublicPage(models.Model):
    """Whether an agency's ITA page of a year is published at /p/<code>/<year>/, and which sites
    may show it in a frame."""

    agency = models.ForeignKey(Agency, models.CASCADE, related_name="public_pages")
    fiscal_year = models.PositiveSmallIntegerField(_("fiscal year"))
    published = models.DateTimeField(_("published"), null=True, blank=True)
    frame_ancestors = models.CharField(
        _("sites that may embed the page"),
        max_length=500,
        blank=True,
        help_text=_("Addresses of the agency's own sites, separated by spaces, e.g. https://www.example.go.th"),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("public ITA page")
        verbose_name_plural = _("public ITA pages")
        constraints = [models.UniqueConstraint(fields=["agency", "fiscal_year"], name="one_public_page_per_year")]

    def __str__(self):
        return f"{self.agency.code} {self.fiscal_year}"


def snapshot_path(snapshot, filename):
    return f"oit/{snapshot.agency.code}/{snapshot.fiscal_year}/documents/{filename}"


class SnapshotKind(models.TextChoices):
    PLAN = "plan", _("Measures plan")
    PROGRESS = "progress", _("Progress report")


class DocumentSnapshot(models.Model):
    """The measures plan or a 6- or 12-month progress report as it was published, as evidence of an
    o item: a PDF frozen at that moment. Publishing again after a change makes the next version;
    a published version is never rewritten."""

    agency = models.ForeignKey(Agency, models.CASCADE, related_name="document_snapshots")
    fiscal_year = models.PositiveSmallIntegerField(_("fiscal year"))
    item = models.ForeignKey(Item, models.PROTECT, related_name="+", verbose_name=_("o item"))
    kind = models.CharField(_("document"), max_length=10, choices=SnapshotKind.choices)
    round_kind = models.CharField(_("round"), max_length=3, blank=True)
    version = models.PositiveSmallIntegerField(_("version"))
    file = models.FileField(_("file"), upload_to=snapshot_path)
    published = models.DateTimeField(_("published"), auto_now_add=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+")

    class Meta:
        ordering = ["agency", "fiscal_year", "kind", "round_kind", "-version"]
        verbose_name = _("published document")
        verbose_name_plural = _("published documents")
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "fiscal_year", "kind", "round_kind", "version"], name="one_snapshot_per_version"
            )
        ]

    def __str__(self):
        return f"{self.agency.code} {self.fiscal_year} {self.kind} {self.round_kind} v{self.version}"

    @property
    def title_th(self):
        """The document's name as the public page and the NACC's list print it (always Thai)."""
        return SNAPSHOT_TITLES[self.kind, self.round_kind]


SNAPSHOT_TITLES = {
    (SnapshotKind.PLAN, ""): "แผนปฏิบัติการส่งเสริมคุณธรรมและความโปร่งใส",
    (SnapshotKind.PROGRESS, "6m"): "รายงานผลการดำเนินการ รอบ 6 เดือน",
    (SnapshotKind.PROGRESS, "12m"): "รายงานผลการดำเนินการ รอบ 12 เดือน",
}
