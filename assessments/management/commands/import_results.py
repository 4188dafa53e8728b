from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from assessments.importing import (
    RESULTS_BATCH,
    ResultsFile,
    TemplateError,
    check_results_file,
    problem_lines,
    save_results_file,
)
from assessments.management.batches import save_in_batches
from assessments.text import in_thai_and_english


class Command(BaseCommand):
    help = (
        "Import official ITA results from the results template (CSV or XLSX, columns "
        "agency, fiscal_year, code, part, score, and optionally level: the published level). "
        "A file with any bad row is refused whole. "
        "A large file is written in batches; if it stops halfway, run it again: it completes the import."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--dry-run", action="store_true", help="Check the file and report; write nothing.")

    def handle(self, *args, file, dry_run, **options):
        # The file is read as a stream and its checked figures spooled to a temporary file, read
        # back to save: a national year (half a million rows) is never in memory whole.
        rows = ResultsFile(Path(file))
        try:
            check = check_results_file(rows)
        except FileNotFoundError as exc:
            raise CommandError(f"No such file: {file}") from exc
        except TemplateError as exc:
            raise CommandError(in_thai_and_english(exc.args[0])) from exc
        problems = check.problems
        if problems or dry_run:
            check.spool.close()
        if problems:
            raise CommandError(
                f"Nothing imported: {len(problems):,} bad rows. / ไม่ได้นำเข้าข้อมูล: มี {len(problems):,} แถวที่ไม่ถูกต้อง\n"
                + problem_lines(problems)
            )
        if dry_run:
            self.stdout.write(self.style.SUCCESS(f"Dry run: {check.figures} figures are valid; nothing written."))
            return

        def save(_count, progress):
            return save_results_file(check, progress=progress)

        counts = save_in_batches(save, check.figures, batch=RESULTS_BATCH, what="figures", stdout=self.stdout)
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported {check.figures} figures: {counts['created']} new, "
                f"{counts['updated']} changed, {counts['unchanged']} unchanged."
            )
        )
