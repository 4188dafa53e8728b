"""Background tasks, run by `manage.py db_worker` (django-tasks-db): checking an agency's links
takes as long as its slowest sites, which no request should wait for."""

from django.tasks import task

from oit.links import check_evidence_links
from oit.models import ChecklistEvidence


@task
def check_agency_links(agency_id, year):
    """The link check of one agency's checklist of `year` (the checklist's button)."""
    check_evidence_links(
        ChecklistEvidence.objects.filter(checklist_item__agency=agency_id, checklist_item__fiscal_year=year)
    )
