from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from assessments.importing import (
    RESULT_COLUMNS,
    RESULT_OPTIONAL,
    RESULTS_BATCH,
    TemplateError,
    check_results,
    problem_lines,
    read_file,
    read_rows,
    save_results,
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
        path = Path(file)
        try:
            rows = read_rows(read_file(path), path.name, RESULT_COLUMNS, optional=RESULT_OPTIONAL)
        except FileNotFoundError as exc:
            raise CommandError(f"No such file: {file}") from exc
        except TemplateError as exc:
            raise CommandError(in_thai_and_english(exc.args[0])) from exc
        figures, problems = check_results(rows)
        if problems:
            raise CommandError(
                f"Nothing imported: {len(problems):,} bad rows. / ไม่ได้นำเข้าข้อมูล: มี {len(problems):,} แถวที่ไม่ถูกต้อง\n"
                + problem_lines(problems)
            )
        if dry_run:
            self.stdout.write(self.style.SUCCESS(f"Dry run: {len(figures)} figures are valid; nothing written."))
            return
        counts = save_in_batches(save_results, figures, batch=RESULTS_BATCH, what="figures", stdout=self.stdout)
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported {len(figures)} figures: {counts['created']} new, "
                f"{counts['updated']} changed, {counts['unchanged']} unchanged."
            )
        )
