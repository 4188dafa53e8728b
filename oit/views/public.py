"""The agency's public ITA page: the approved evidence of its o items, for anyone, without
signing in, at an address that stays the same (/p/<code>/<year>/), once the agency publishes it.

Only approved items appear, each with its labels and links, and uploaded files only when marked
public; nothing else of the checklist (statuses, comments, names of staff, drafts) is read into the
page. The same page for everyone, in Thai: proxies may keep it for a few minutes."""

from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.shortcuts import get_object_or_404, render
from django.utils import timezone, translation
from django.views.decorators.cache import cache_control
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import require_GET

from oit.checklist import checklist_groups, file_response, o_items, version_for
from oit.models import ChecklistEvidence, ChecklistItem, DocumentSnapshot, PublicPage, Status

KEPT_BY_PROXIES = 300  # seconds: an approval shows within five minutes


def published_page(code, year):
    """The agency's page of the year, 404 while it is not published."""
    return get_object_or_404(
        PublicPage.objects.select_related("agency").filter(published__isnull=False), agency__code=code, fiscal_year=year
    )


@dataclass
class PublicItem:
    """What the public page shows of an o item: its approved evidence and its published documents."""

    shown: list = field(default_factory=list)
    documents: list = field(default_factory=list)


def public_items(agency, year):
    """{item id: PublicItem}: the public evidence of approved items, and the latest version of each
    document published under an item (three queries)."""
    approved = ChecklistItem.objects.filter(agency=agency, fiscal_year=year, status=Status.APPROVED)
    shown = ChecklistEvidence.objects.filter(checklist_item__in=approved).exclude(url="", public=False)
    public = {}
    for piece in shown.select_related("checklist_item").order_by("order", "pk"):
        public.setdefault(piece.checklist_item.item_id, PublicItem()).shown.append(piece)
    for row in approved.values_list("item_id", flat=True):
        public.setdefault(row, PublicItem())
    latest = {}
    for snapshot in DocumentSnapshot.objects.filter(agency=agency, fiscal_year=year).order_by("version"):
        latest[snapshot.kind, snapshot.round_kind] = snapshot
    for snapshot in sorted(latest.values(), key=lambda s: (s.kind, s.round_kind)):
        public.setdefault(snapshot.item_id, PublicItem()).documents.append(snapshot)
    return public


def public_groups(page):
    """The checklist's groups with the items that have something to show."""
    items = o_items(version_for(page.agency, page.fiscal_year))
    return checklist_groups(items, public_items(page.agency, page.fiscal_year), whole=False)


def render_public(request, page, *, embedded):
    with translation.override("th"):
        return render(
            request,
            "oit/public_page.html",
            {
                "page": page,
                "agency": page.agency,
                "year": page.fiscal_year,
                "published_on": timezone.localdate(page.published),
                "groups": public_groups(page),
                "embedded": embedded,
            },
        )


@login_not_required
@require_GET
@cache_control(public=True, max_age=KEPT_BY_PROXIES)
def public_page(request, code, year):
    return render_public(request, published_page(code, year), embedded=False)


@login_not_required
@require_GET
@cache_control(public=True, max_age=KEPT_BY_PROXIES)
@xframe_options_exempt
def public_embed(request, code, year):
    """The page without its header, for an <iframe> on the agency's own sites (and only those)."""
    page = published_page(code, year)
    response = render_public(request, page, embedded=True)
    sites = page.frame_ancestors.split() or ["'none'"]
    response._csp_config = {**settings.SECURE_CSP, "frame-ancestors": sites}
    return response


@login_not_required
@require_GET
@cache_control(public=True, max_age=KEPT_BY_PROXIES)
def public_file(request, code, year, pk):
    """A file marked public of an approved item of a published page."""
    page = published_page(code, year)
    evidence = get_object_or_404(
        ChecklistEvidence.objects.exclude(file=""),
        pk=pk,
        public=True,
        checklist_item__status=Status.APPROVED,
        checklist_item__agency=page.agency,
        checklist_item__fiscal_year=year,
    )
    return file_response(
        evidence.file, filename=evidence.file_name, content_type=evidence.content_type, as_attachment=False
    )


@login_not_required
@require_GET
@cache_control(public=True, max_age=KEPT_BY_PROXIES)
def public_document(request, code, year, pk):
    """A published version of the agency's plan or progress report, as it was frozen."""
    page = published_page(code, year)
    snapshot = get_object_or_404(DocumentSnapshot, pk=pk, agency=page.agency, fiscal_year=year)
    name = snapshot.file.name.rsplit("/", 1)[-1]
    return file_response(snapshot.file, filename=name, content_type="application/pdf", as_attachment=False)
