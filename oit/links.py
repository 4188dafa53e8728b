"""Recording the link check of the agencies' OIT evidence (the daily command and the checklist's
button): each link's last answer is kept beside it, so the checklist shows what is broken before
an assessor finds it; a link that broke or moved since the last check is told to the item's unit
(a "links to check" step, which notifies as review steps do)."""

from django.db import transaction
from django.utils import timezone

from assessments.thai import thai_date
from oit.linkcheck import check_links
from oit.models import ChecklistEvidence, ChecklistStepEvent, Step


def check_evidence_links(evidence, *, timeout=10.0, workers=8):
    """Check the links of `evidence` (a ChecklistEvidence queryset) and record each answer;
    returns the pieces whose link is broken and those whose link has moved. Links that broke or
    moved since the last check are told to their items' units."""
    pieces = list(evidence.exclude(url="").select_related("checklist_item"))
    results = check_links([piece.url for piece in pieces], timeout=timeout, workers=workers)
    now = timezone.now()
    broken, moved, news = [], [], {}
    for piece in pieces:
        was_broken, was_moved_to = piece.link_broken, piece.final_url
        result = results[piece.url]
        piece.checked, piece.check_status, piece.check_error = now, result.status, result.error
        piece.final_url = result.final_url if result.moved else ""
        if not result.ok:
            broken.append(piece)
            if not was_broken:
                news.setdefault(piece.checklist_item, []).append(f"{piece.url} ({result.status or result.error})")
        elif result.moved:
            moved.append(piece)
            if piece.final_url != was_moved_to:
                news.setdefault(piece.checklist_item, []).append(f"{piece.url} → {piece.final_url}")
    with transaction.atomic():
        fields = ["checked", "check_status", "check_error", "final_url"]
        ChecklistEvidence.objects.bulk_update(pieces, fields, batch_size=500)
        for row, lines in news.items():
            heading = f"ตรวจลิงก์เมื่อ {thai_date(timezone.localdate(now))}"
            ChecklistStepEvent.objects.create(checklist_item=row, step=Step.LINKS, comment="\n".join([heading, *lines]))
    return broken, moved
