from django.core.management.base import BaseCommand, CommandError

from oit.links import check_evidence_links
from oit.models import ChecklistEvidence


class Command(BaseCommand):
    help = (
        "Request every link of the agencies' OIT evidence (a short timeout, a few at a time), follow "
        "redirects and record each answer beside its link, which the checklist shows. Run daily (cron)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--agency", help="Only this agency's links (its code).")
        parser.add_argument("--year", type=int, help="Only this fiscal year's checklist (Buddhist era, e.g. 2570).")
        parser.add_argument("--timeout", type=float, default=10.0, help="Seconds to wait for each answer (default 10).")
        parser.add_argument("--workers", type=int, default=8, help="Links requested at once (default 8).")

    def handle(self, *args, agency, year, timeout, workers, **options):
        if timeout <= 0 or workers < 1:
            raise CommandError("--timeout must be above 0 and --workers at least 1.")
        evidence = ChecklistEvidence.objects.select_related("checklist_item__agency")
        if agency:
            evidence = evidence.filter(checklist_item__agency__code=agency)
        if year:
            evidence = evidence.filter(checklist_item__fiscal_year=year)
        broken, moved = check_evidence_links(evidence, timeout=timeout, workers=workers)
        for piece in broken:
            item = piece.checklist_item
            answer = piece.check_status or piece.check_error
            self.stdout.write(f"broken: {item.agency.code} {item.fiscal_year} {piece.url} ({answer})")
        for piece in moved:
            item = piece.checklist_item
            self.stdout.write(f"moved: {item.agency.code} {item.fiscal_year} {piece.url} -> {piece.final_url}")
        checked = evidence.exclude(url="").count()
        self.stdout.write(f"{checked} links checked: {len(broken)} broken, {len(moved)} moved.")
