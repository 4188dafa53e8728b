import csv

from django.core.management.base import BaseCommand, CommandError

from assessments.analysis import TierRule
from assessments.downloads import csv_safe
from assessments.exporting import EXPORT_COLUMNS, result_rows
from assessments.models import Assessment
from assessments.text import in_thai_and_english


class Command(BaseCommand):
    help = "Write an agency's results for a fiscal year as CSV: official and computed figures, levels, tiers and flags."

    def add_arguments(self, parser):
        parser.add_argument("--agency", required=True, help="Agency code")
        parser.add_argument("--year", required=True, type=int, help="Fiscal year (Buddhist Era)")
        tiers = parser.add_mutually_exclusive_group()
        tiers.add_argument(
            "--target", type=float, help="Tier items and indicators as weakness/strength against this target"
        )
        tiers.add_argument("--tiers", help="Tier items and indicators as urgent/improve/keep with bounds LOWER,UPPER")

    def handle(self, *args, agency, year, target, tiers, **options):
        assessment = (
            Assessment.objects.filter(agency__code=agency, fiscal_year=year)
            .select_related("agency", "version")
            .prefetch_related("scores")
            .first()
        )
        if assessment is None:
            raise CommandError(f"No results for agency {agency} in fiscal year {year}.")
        rule = assessment.tier_rule
        if target is not None:
            if not 0 <= target <= 100:
                raise CommandError("--target must be within 0–100.")
            rule = TierRule.from_target(target)
        elif tiers:
            try:
                rule = TierRule.from_bounds(tiers)
            except ValueError as exc:
                raise CommandError(in_thai_and_english(exc.args[0])) from exc
        writer = csv.DictWriter(self.stdout, fieldnames=EXPORT_COLUMNS, lineterminator="\n")
        writer.writeheader()
        # The same escaping as the downloads; importing the file takes the apostrophe off again.
        writer.writerows(
            {column: csv_safe(value) for column, value in row.items()} for row in result_rows(assessment, rule=rule)
        )
