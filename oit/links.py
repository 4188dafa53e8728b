"""Recording the link check of the agencies' OIT evidence (the daily command and the checklist's
button): each link's last answer is kept beside it, so the checklist shows what is broken before
an assessor finds it."""

from django.utils import timezone

from oit.linkcheck import check_links
from oit.models import ChecklistEvidence


def check_evidence_links(evidence, *, timeout=10.0, workers=8):
    """Check the links of `evidence` (a ChecklistEvidence queryset) and record each answer;
    returns the pieces whose link is broken and those whose link has moved."""
    pieces = list(evidence.exclude(url=""))
    results = check_links([piece.url for piece in pieces], timeout=timeout, workers=workers)
    now = timezone.now()
    broken, moved = [], []
    for piece in pieces:
        result = results[piece.url]
        piece.checked, piece.check_status, piece.check_error = now, result.status, result.error
        piece.final_url = result.final_url if result.moved else ""
        if not result.ok:
            broken.append(piece)
        elif result.moved:
            moved.append(piece)
    ChecklistEvidence.objects.bulk_update(
        pieces, ["checked", "check_status", "check_error", "final_url"], batch_size=500
    )
    return broken, moved
