from datetime import timedelta
from functools import cached_property

from django.conf import settings
from django.db import models, transaction
from django.db.models import Q
from django.db.models.signals import post_delete
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy as _, ngettext

from assessments import access
from assessments.models import Agency


class BundleStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting to start")
    RUNNING = "running", _("Being built")
    DONE = "done", _("Ready")
    FAILED = "failed", _("Failed")


BUILDING = (BundleStatus.QUEUED, BundleStatus.RUNNING)


def stall_cutoff(now=None):
    """A running bundle whose worker has not stamped it since this moment has lost its worker."""
    return (now or timezone.now()) - timedelta(seconds=settings.BUNDLE_STALL_SECONDS)


class BundleQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The bundles the user asked for and may still have (`access.bundles_visible`)."""
        return self.filter(access.bundles_visible(user))

    def building(self):
        """Bundles waiting for a worker or being built (a stalled one included, until it is given up)."""
        return self.filter(status__in=BUILDING)

    def stalled(self, now=None):
        """Running bundles whose worker stopped stamping them: killed, out of memory, rebooted."""
        return self.filter(status=BundleStatus.RUNNING, heartbeat_at__lt=stall_cutoff(now))


class Bundle(models.Model):
    """A year-end ZIP of every document of the agencies under an organisation, built by a worker.

    The worker counts the files it has written in `done`, so the page shows true progress
    whichever instance serves it and after any reload, and stamps `heartbeat_at` with each, so a
    worker that died is seen as such.
    """

    organisation = models.ForeignKey(Agency, models.CASCADE, related_name="bundles", verbose_name=_("organisation"))
    fiscal_year = models.PositiveSmallIntegerField(_("fiscal year"))
    agencies = models.ManyToManyField(Agency, related_name="+", verbose_name=_("agencies"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.CASCADE, related_name="bundles", verbose_name=_("requested by")
    )
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=BundleStatus.choices, default=BundleStatus.QUEUED)
    task_id = models.CharField(_("task id"), max_length=64, blank=True)
    done = models.PositiveIntegerField(_("files written"), default=0)
    total = models.PositiveIntegerField(_("files to write"), default=0)
    # Set when asked for, then by the worker when it starts and after every file.
    heartbeat_at = models.DateTimeField(_("last sign of the worker"), default=timezone.now)
    failure = models.TextField(_("why it failed"), blank=True)
    file = models.FileField(_("file"), upload_to="bundles/", blank=True)

    objects = BundleQuerySet.as_manager()

    class Meta:
        ordering = ["-requested_at", "-pk"]
        verbose_name = _("year-end bundle")
        verbose_name_plural = _("year-end bundles")
        constraints = [
            # Two quick requests for the same bundle queue one: the second one's insert fails
            # inside its transaction, whatever it read before.
            models.UniqueConstraint(
                fields=["requested_by", "organisation", "fiscal_year"],
                condition=Q(status__in=BUILDING),
                name="one_bundle_building_per_request",
            ),
        ]

    def __str__(self):
        return f"{self.organisation.code} {self.fiscal_year} ({self.get_status_display()})"

    @cached_property
    def stalled(self):
        """Its worker stopped while building it; read from the heartbeat, nothing is written."""
        return self.status == BundleStatus.RUNNING and self.heartbeat_at < stall_cutoff()

    @property
    def finished(self):
        return self.status in (BundleStatus.DONE, BundleStatus.FAILED) or self.stalled

    @property
    def shown_status(self):
        return BundleStatus.FAILED if self.stalled else self.status

    @property
    def percent(self):
        if self.status == BundleStatus.DONE:
            return 100
        return self.done * 100 // self.total if self.total else 0

    @property
    def progress_label(self):
        """What the page and its polling show beside the bar, in the request's language."""
        if self.stalled:
            return gettext("The worker stopped while building this bundle. Please ask for it again.")
        if self.status == BundleStatus.RUNNING and self.total:
            return ngettext("%(done)s of %(total)s file written", "%(done)s of %(total)s files written", self.total) % {
                "done": self.done,
                "total": self.total,
            }
        return self.get_status_display()

    @cached_property
    def file_size(self):
        """The size of the ZIP, or None when it is no longer on the server (a database restored
        without its media folder, a file removed by hand)."""
        if not self.file:
            return None
        try:
            return self.file.size
        except OSError:
            return None

    @property
    def filename(self):
        return f"ita-{self.organisation.code}-{self.fiscal_year}.zip"


@receiver(post_delete, sender=Bundle)
def delete_bundle_file(sender, instance, **kwargs):
    # A bundle can be tens of megabytes; its file goes with it, from the admin or a newer request,
    # but only once the deletion is committed: a rolled-back request keeps the row and its file.
    if instance.file:
        storage, name = instance.file.storage, instance.file.name
        transaction.on_commit(lambda: storage.delete(name))


# --- What an agency publishes its documents with (issue 12) ---------------------------------------


class DocumentKind(models.TextChoices):
    """The documents an agency publishes each year; a progress report also names its round."""

    ANALYSIS = "analysis", _("Analysis of the results")
    PLAN = "plan", _("Measures plan")
    IMPROVEMENT = "improvement", _("Improvement plan")
    PROGRESS = "progress", _("Progress report")
    COMBINED = "combined", _("Combined document")


class ProgressLayout(models.TextChoices):
    """How the agency's progress reports lay out their columns (the period reports)."""

    FIO = "fio", _("Forest Industry Organization's columns")
    NSM = "nsm", _("National Science Museum's columns")


# A logo prints about 2.5–3 cm high; a megabyte is far more than such a picture needs.
LOGO_MAX_BYTES = 1024 * 1024


class AgencyProfile(models.Model):
    """The agency's own letterhead: its full name, address, telephone, website and logo.

    The logo's bytes live in the database (re-encoded as PNG when uploaded), so every instance of
    the app prints it without a shared media folder."""

    agency = models.OneToOneField(Agency, models.CASCADE, related_name="profile", verbose_name=_("agency"))
    full_name = models.CharField(_("full name"), max_length=255, blank=True)
    address = models.TextField(_("address"), blank=True)
    telephone = models.CharField(_("telephone"), max_length=100, blank=True)
    website = models.CharField(_("website"), max_length=200, blank=True)
    logo = models.BinaryField(_("logo"), null=True, blank=True, editable=False)
    logo_type = models.CharField(_("logo type"), max_length=20, blank=True, editable=False)
    progress_layout = models.CharField(
        _("progress report layout"), max_length=3, choices=ProgressLayout.choices, default=ProgressLayout.FIO
    )
    updated = models.DateTimeField(_("updated"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("updated by")
    )

    class Meta:
        verbose_name = _("agency profile")
        verbose_name_plural = _("agency profiles")

    def __str__(self):
        return self.full_name or str(self.agency)


class SignOff(models.Model):
    """Which signature blocks a document prints, and the names and positions chosen for them.

    A blank name takes the default from the steps recorded in the app (see reports.signoff)."""

    agency = models.ForeignKey(Agency, models.CASCADE, related_name="sign_offs", verbose_name=_("agency"))
    fiscal_year = models.PositiveSmallIntegerField(_("fiscal year"))
    kind = models.CharField(_("document"), max_length=12, choices=DocumentKind.choices)
    round_kind = models.CharField(_("round"), max_length=3, blank=True)
    prepared = models.BooleanField(_("print “prepared by”"), default=True)
    prepared_name = models.CharField(_("prepared by"), max_length=200, blank=True)
    prepared_position = models.CharField(_("position of who prepared it"), max_length=200, blank=True)
    checked = models.BooleanField(_("print “checked by”"), default=True)
    checked_name = models.CharField(_("checked by"), max_length=200, blank=True)
    checked_position = models.CharField(_("position of who checked it"), max_length=200, blank=True)
    approved = models.BooleanField(_("print “approved by”"), default=True)
    approved_name = models.CharField(_("approved by"), max_length=200, blank=True)
    approved_position = models.CharField(_("position of who approved it"), max_length=200, blank=True)
    acknowledgement = models.BooleanField(_("print the executive's acknowledgement"), default=True)
    updated = models.DateTimeField(_("updated"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("updated by")
    )

    class Meta:
        verbose_name = _("sign-off")
        verbose_name_plural = _("sign-offs")
        constraints = [
            models.UniqueConstraint(fields=["agency", "fiscal_year", "kind", "round_kind"], name="one_sign_off_each")
        ]

    def __str__(self):
        return f"{self.agency.code} {self.fiscal_year} {self.kind} {self.round_kind}".strip()


class AcknowledgementQuerySet(models.QuerySet):
    def of_document(self, agency, fiscal_year, kind, round_kind=""):
        return self.filter(agency=agency, fiscal_year=fiscal_year, kind=kind, round_kind=round_kind)


class Acknowledgement(models.Model):
    """An executive or the agency's administrator acknowledging a plan or a report in the app
    ("รับทราบ", "เห็นชอบ" or a short instruction): the evidence the NACC asks to see. Rows are only
    added; the newest of a document is the one it prints."""

    agency = models.ForeignKey(Agency, models.CASCADE, related_name="acknowledgements", verbose_name=_("agency"))
    fiscal_year = models.PositiveSmallIntegerField(_("fiscal year"))
    kind = models.CharField(_("document"), max_length=12, choices=DocumentKind.choices)
    round_kind = models.CharField(_("round"), max_length=3, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+", verbose_name=_("user")
    )
    name = models.CharField(_("name"), max_length=200)
    position = models.CharField(_("position"), max_length=200, blank=True)
    text = models.CharField(_("acknowledgement"), max_length=300)
    acknowledged_on = models.DateField(_("acknowledged on"))
    created = models.DateTimeField(_("recorded"), auto_now_add=True)

    objects = AcknowledgementQuerySet.as_manager()

    class Meta:
        ordering = ["-acknowledged_on", "-created", "-pk"]
        verbose_name = _("acknowledgement")
        verbose_name_plural = _("acknowledgements")
        indexes = [models.Index(fields=["agency", "fiscal_year"], name="acknowledgement_year")]

    def __str__(self):
        return f"{self.name}: {self.text} ({self.acknowledged_on})"
