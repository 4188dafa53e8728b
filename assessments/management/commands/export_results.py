import csv

from django.core.management.base import BaseCommand, CommandError

from assessments.exporting import EXPORT_COLUMNS, result_rows
from assessments.models import Assessment


class Command(BaseCommand):
    help = "Write an agency's results for a fiscal year as CSV: official and computed figures, levels and flags."

    def add_arguments(self, parser):
        parser.add_argument("--agency", required=True, help="Agency code")
        parser.add_argument("--year", required=True, type=int, help="Fiscal year (Buddhist Era)")

    def handle(self, *args, agency, year, **options):
        assessment = (
            Assessment.objects.filter(agency__code=agency, fiscal_year=year)
            .select_related("agency", "version")
            .prefetch_related("scores")
            .first()
        )
        if assessment is None:
            raise CommandError(f"No results for agency {agency} in fiscal year {year}.")
        writer = csv.DictWriter(self.stdout, fieldnames=EXPORT_COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(result_rows(assessment))
