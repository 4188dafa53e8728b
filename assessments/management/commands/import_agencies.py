from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from assessments.agency_import import AGENCIES_BATCH, AGENCY_COLUMNS, check_agencies, save_agencies
from assessments.importing import TemplateError, problem_lines, read_file, read_rows
from assessments.management.batches import save_in_batches
from assessments.text import in_thai_and_english


class Command(BaseCommand):
    help = (
        "Import agencies from CSV or XLSX (columns code, name_th, short_name, agency_type, parent, size_class; "
        "the last two optional). The type may be its code, Thai or English name or a short form such as อบต. "
        "All rows or none; a large file is written in batches, and running it again completes one that stopped."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")

    def handle(self, *args, file, **options):
        path = Path(file)
        try:
            rows = read_rows(read_file(path), path.name, AGENCY_COLUMNS[:4], optional=AGENCY_COLUMNS[4:])
        except FileNotFoundError as exc:
            raise CommandError(f"No such file: {file}") from exc
        except TemplateError as exc:
            raise CommandError(in_thai_and_english(exc.args[0])) from exc
        agencies, problems = check_agencies(rows)
        if problems:
            raise CommandError("Nothing imported.\n" + problem_lines(problems))
        save_in_batches(save_agencies, agencies, batch=AGENCIES_BATCH, what="agencies", stdout=self.stdout)
        self.stdout.write(self.style.SUCCESS(f"Imported {len(agencies)} agencies."))
