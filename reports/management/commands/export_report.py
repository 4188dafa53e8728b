from django.core.management.base import BaseCommand, CommandError

from assessments.models import Assessment
from reports.documents import analysis_document_for
from reports.pdf import render_pdf
from reports.xlsx import render_xlsx

KINDS = ("analysis", "plan", "progress", "improvement")
AVAILABLE = ("analysis",)


class Command(BaseCommand):
    help = "Write an agency's report for a fiscal year as PDF or XLSX. Only the analysis report is available so far."

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=KINDS, help="Which document: analysis (available), plan, progress, improvement (not yet)")
        parser.add_argument("--agency", required=True, help="Agency code")
        parser.add_argument("--year", required=True, type=int, help="Fiscal year (Buddhist Era)")
        parser.add_argument("--round", type=int, help="Reporting round, for the progress report (not yet available)")
        parser.add_argument("--format", dest="file_format", choices=("pdf", "xlsx"), default="pdf")
        parser.add_argument("-o", "--output", required=True, help="File to write")
        parser.add_argument("--thai-digits", action="store_true", help="Print numbers and dates in Thai digits (PDF)")
        parser.add_argument("--landscape", action="store_true", help="A4 landscape (PDF)")

    def handle(self, *args, kind, agency, year, file_format, output, thai_digits, landscape, **options):
        if kind not in AVAILABLE:
            raise CommandError(f"The {kind} report is not available yet; only the analysis report can be exported.")
        assessment = Assessment.objects.filter(agency__code=agency, fiscal_year=year).select_related("agency", "version").first()
        if assessment is None:
            raise CommandError(f"No results for agency {agency} in fiscal year {year}.")
        document = analysis_document_for(assessment)
        if file_format == "pdf":
            content = render_pdf(document, landscape=landscape, thai_digits=thai_digits)
        else:
            content = render_xlsx(document)
        with open(output, "wb") as file:
            file.write(content)
        self.stdout.write(f"Wrote {output} ({len(content)} bytes).")
