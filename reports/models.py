from django.conf import settings
from django.db import models
from django.db.models.signals import post_delete
from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from assessments.models import Agency


class BundleStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting to start")
    RUNNING = "running", _("Being built")
    DONE = "done", _("Ready")
    FAILED = "failed", _("Failed")


class Bundle(models.Model):
    """A year-end ZIP of every document of the agencies under an organisation, built by a worker.

    The worker counts the files it has written in `done`, so the page shows true progress
    whichever instance serves it and after any reload.
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
    file = models.FileField(_("file"), upload_to="bundles/", blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        verbose_name = _("year-end bundle")
        verbose_name_plural = _("year-end bundles")

    def __str__(self):
        return f"{self.organisation.code} {self.fiscal_year} ({self.get_status_display()})"

    @property
    def finished(self):
        return self.status in (BundleStatus.DONE, BundleStatus.FAILED)

    @property
    def percent(self):
        if self.status == BundleStatus.DONE:
            return 100
        return self.done * 100 // self.total if self.total else 0

    @property
    def progress_label(self):
        """What the page and its polling show beside the bar, in the request's language."""
        if self.status == BundleStatus.RUNNING and self.total:
            return ngettext(
                "%(done)s of %(total)s file written", "%(done)s of %(total)s files written", self.total
            ) % {"done": self.done, "total": self.total}
        return self.get_status_display()

    @property
    def filename(self):
        return f"ita-{self.organisation.code}-{self.fiscal_year}.zip"


@receiver(post_delete, sender=Bundle)
def delete_bundle_file(sender, instance, **kwargs):
    # A bundle can be tens of megabytes; its file goes with it, from the admin or a newer request.
    if instance.file:
        instance.file.delete(save=False)
