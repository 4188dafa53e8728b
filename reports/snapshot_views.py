"""Publishing the agency's own documents as OIT evidence, from an o item's page (reports.snapshots)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from assessments import access
from oit.checklist import o_items, version_for
from reports.snapshots import PUBLISHABLE, do_publish_snapshot


@require_POST
def publish_document(request, code, year, item_code):
    """Publish the plan or a 6- or 12-month progress report as a frozen PDF under an o item (editors)."""
    agency, rights = access.checklist_for(request.user, code)
    item = next((i for i in o_items(version_for(agency, year)) if i.code == item_code), None)
    if item is None:
        raise Http404
    access.require(rights.can_edit)
    choice = request.POST.get("document")
    if choice not in PUBLISHABLE:
        messages.error(request, _("Choose the document to publish."))
        return redirect("checklist_item", agency.code, year, item.code)
    try:
        snapshot = do_publish_snapshot(agency=agency, year=year, item=item, choice=choice, user=request.user)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(
            request,
            _("Version %(version)s was published; earlier versions stay as they were.") % {"version": snapshot.version},
        )
    return redirect("checklist_item", agency.code, year, item.code)
