"""Publishing the agency's own documents as OIT evidence: the measures plan and the 6- and
12-month progress reports, once the executive has acknowledged them, frozen as PDF files under
the o item they answer (oit.DocumentSnapshot). The public ITA page shows each one's latest version."""

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils.translation import gettext_lazy as _

from oit.models import DocumentSnapshot, SnapshotKind
from reports.files import render
from reports.models import Acknowledgement
from reports.plan_document import plan_document_for
from reports.progress_document import progress_document_for

# (kind, round kind) of the documents that can be published, as the form offers them.
PUBLISHABLE = {
    "plan": (SnapshotKind.PLAN, ""),
    "progress-6m": (SnapshotKind.PROGRESS, "6m"),
    "progress-12m": (SnapshotKind.PROGRESS, "12m"),
}
PUBLISHABLE_LABELS = {
    "plan": _("Measures plan"),
    "progress-6m": _("6-month progress report"),
    "progress-12m": _("12-month progress report"),
}


def frozen_pdf(agency, year, kind, round_kind, user):
    if kind == SnapshotKind.PLAN:
        document = plan_document_for(agency, year, user)
    else:
        document = progress_document_for(agency, year, round_kind, user=user)
    content, _type, filename = render(document, "pdf", landscape=True)
    return content, filename


def do_publish_snapshot(*, agency, year, item, choice, user):
    """Freeze the document as its next version under `item`. Refused (ValidationError) until the
    agency's executive has acknowledged the document: only an approved document is published."""
    kind, round_kind = PUBLISHABLE[choice]
    if not Acknowledgement.objects.of_document(agency, year, kind, round_kind).exists():
        raise ValidationError(
            _("The executive has not acknowledged this document yet: it can be published once they have.")
        )
    content, filename = frozen_pdf(agency, year, kind, round_kind, user)
    for _attempt in range(3):
        try:
            with transaction.atomic():
                versions = DocumentSnapshot.objects.filter(
                    agency=agency, fiscal_year=year, kind=kind, round_kind=round_kind
                ).aggregate(last=Max("version"))
                version = (versions["last"] or 0) + 1
                snapshot = DocumentSnapshot(
                    agency=agency,
                    fiscal_year=year,
                    item=item,
                    kind=kind,
                    round_kind=round_kind,
                    version=version,
                    published_by=user,
                )
                snapshot.file.save(filename.replace(".pdf", f"-v{version}.pdf"), ContentFile(content), save=False)
                snapshot.save()
                return snapshot
        except IntegrityError:
            continue  # someone published the same version at the same moment: take the next one
    raise ValidationError(_("The document could not be published: please try again."))
