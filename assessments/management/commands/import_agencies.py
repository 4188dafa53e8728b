from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from assessments.importing import (
    AGENCIES_BATCH,
    AGENCY_COLUMNS,
    RERUN_NOTE,
    STOPPED_NOTE,
    TemplateError,
    check_agencies,
    problem_lines,
    read_file,
    read_rows,
    save_agencies,
)
from assessments.text import in_thai_and_english


class Command(BaseCommand):
    help = "Import agencies from CSV or XLSX (columns code, name_th, short_name, agency_type, parent). All rows or none; a large file is written in batches, and running it again completes one that stopped."

    def add_arguments(self, parser):
        parser.add_argument("file")

    def handle(self, *args, file, **options):
        path = Path(file)
        try:
            rows = read_rows(read_file(path), path.name, AGENCY_COLUMNS[:4], optional=AGENCY_COLUMNS[4:])
        except FileNotFoundError:
            raise CommandError(f"No such file: {file}")
        except TemplateError as exc:
            raise CommandError(in_thai_and_english(exc.args[0]))
        agencies, problems = check_agencies(rows)
        if problems:
            raise CommandError("Nothing imported.\n" + problem_lines(problems))
        if len(agencies) > AGENCIES_BATCH:
            self.stdout.write(RERUN_NOTE % {"count": len(agencies), "what": "agencies"})
        written = 0

        def progress(count):
            nonlocal written
            written = count

        try:
            save_agencies(agencies, progress=progress)
        except (DatabaseError, KeyboardInterrupt) as exc:
            raise CommandError(STOPPED_NOTE % {"written": written, "count": len(agencies), "what": "agencies", "error": exc}) from exc
        self.stdout.write(self.style.SUCCESS(f"Imported {len(agencies)} agencies."))
