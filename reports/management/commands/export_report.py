from django.core.management.base import BaseCommand, CommandError

from assessments.models import Agency, Assessment
from measures.models import Measure, RoundKind
from reports.analysis_document import analysis_document_for
from reports.files import FORMATS, render
from reports.improvement_document import improvement_document_for
from reports.plan_document import plan_document_for
from reports.progress_document import progress_document_for

KINDS = ("analysis", "plan", "progress", "improvement")


class Command(BaseCommand):
    help = (
        "Write an agency's report for a fiscal year as PDF, XLSX or DOCX: the analysis, plan, progress or improvement "
        "report."
    )

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=KINDS, help="Which document: analysis, plan, progress or improvement")
        parser.add_argument("--agency", required=True, help="Agency code")
        parser.add_argument("--year", required=True, type=int, help="Fiscal year (Buddhist Era)")
        parser.add_argument(
            "--round",
            dest="round_kind",
            choices=RoundKind.values,
            help="Reporting round of the progress report: q1, q2, q3, q4, 6m or 12m",
        )
        parser.add_argument("--format", dest="file_format", choices=FORMATS, default="pdf")
        parser.add_argument("-o", "--output", required=True, help="File to write")
        parser.add_argument("--thai-digits", action="store_true", help="Print numbers and dates in Thai digits (PDF)")
        parser.add_argument("--landscape", action="store_true", help="A4 landscape (PDF, DOCX)")

    def handle(self, *args, kind, agency, year, file_format, output, thai_digits, landscape, **options):
        if kind == "progress":
            return self.write_progress(agency, year, options.get("round_kind"), file_format, output, thai_digits)
        if kind in ("plan", "improvement"):
            return self.write_plan(agency, year, file_format, output, thai_digits, improvement=kind == "improvement")
        assessment = (
            Assessment.objects.filter(agency__code=agency, fiscal_year=year).select_related("agency", "version").first()
        )
        if assessment is None:
            raise CommandError(f"No results for agency {agency} in fiscal year {year}.")
        self.write(analysis_document_for(assessment), file_format, output, thai_digits, landscape=landscape)

    def write(self, document, file_format, output, thai_digits, landscape=True):
        content, _content_type, _filename = render(document, file_format, landscape=landscape, thai_digits=thai_digits)
        with open(output, "wb") as file:
            file.write(content)
        self.stdout.write(f"Wrote {output} ({len(content)} bytes).")

    def write_progress(self, code, year, round_kind, file_format, output, thai_digits):
        if not round_kind:
            raise CommandError("The progress report needs --round: q1, q2, q3, q4, 6m or 12m.")
        agency = Agency.objects.filter(code=code).first()
        if agency is None:
            raise CommandError(f"No agency with the code {code}.")
        self.write(progress_document_for(agency, year, round_kind), file_format, output, thai_digits)

    def write_plan(self, code, year, file_format, output, thai_digits, improvement=False):
        """The measures plan or the improvement plan, always A4 landscape; a year without
        measures has no plan to write."""
        agency = Agency.objects.filter(code=code).first()
        if agency is None:
            raise CommandError(f"No agency with code {code}.")
        if not Measure.objects.for_plan(agency, year).exists():
            raise CommandError(f"The plan of {code} for fiscal year {year} has no measures: it is not available yet.")
        document = (improvement_document_for if improvement else plan_document_for)(agency, year)
        self.write(document, file_format, output, thai_digits)
