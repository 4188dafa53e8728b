"""The year-end bundle: every document of the agencies under an organisation, as one ZIP.

For each agency and fiscal year N: the analysis of the results of N − 1 (on which the plan of N
rests) and of N (when they have arrived), then the measures plan, the improvement plan and the 6-
and 12-month progress reports of N (when N has measures), each as PDF, XLSX and DOCX, in a folder named
after the agency's code. `index.txt` lists what is in the bundle and why an agency has fewer
documents, so nobody has to guess.
"""

import zipfile
from dataclasses import dataclass

from django.utils import timezone, translation

from assessments.models import Agency, Assessment
from assessments.thai import thai_date
from measures.models import Measure, RoundKind
from reports.analysis_document import analysis_document_for
from reports.files import FORMATS, render
from reports.improvement_document import IMPROVEMENT_TITLE, improvement_document_for
from reports.plan_document import PLAN_TITLE, plan_document_for
from reports.progress_document import progress_document_for

DOCUMENT_NAMES = {
    "analysis": "รายงานผลการวิเคราะห์ผลการประเมิน ITA ปี {year}",
    "plan": PLAN_TITLE,
    "improvement": IMPROVEMENT_TITLE,
}
PROGRESS_NAME = "รายงานผลการดำเนินงานตามมาตรการ {round}"
# Which file to use for what: offices publish the PDF and adapt and sign the Word file.
FORMATS_NOTE = "เอกสารแต่ละฉบับมี 3 แบบ: PDF สำหรับเผยแพร่ Excel (.xlsx) สำหรับใช้ตัวเลข และ Word (.docx) สำหรับแก้ไขและลงนาม"


@dataclass
class Entry:
    """One document of one agency in the bundle."""

    agency: Agency
    kind: str  # a key of DOCUMENT_NAMES, or the round of a progress report ("6m", "12m")
    assessment: Assessment | None = None

    @property
    def name(self):
        if self.kind in DOCUMENT_NAMES:
            return DOCUMENT_NAMES[self.kind].format(year=self.assessment and self.assessment.fiscal_year)
        return PROGRESS_NAME.format(round=RoundKind(self.kind).short_label)

    def document(self, year):
        if self.kind == "analysis":
            return analysis_document_for(self.assessment)
        if self.kind == "plan":
            return plan_document_for(self.agency, year)
        if self.kind == "improvement":
            return improvement_document_for(self.agency, year)
        return progress_document_for(self.agency, year, self.kind)


def bundle_entries(agencies, year):
    """The documents the agencies have for the year, and a note for each agency missing some."""
    assessments = {
        (a.agency_id, a.fiscal_year): a
        for a in Assessment.objects.filter(agency__in=agencies, fiscal_year__in=(year - 1, year)).select_related(
            "agency"
        )
    }
    current = Measure.objects.current().filter(agency__in=agencies, fiscal_year=year)
    planned = set(current.values_list("agency_id", flat=True))
    entries, notes = [], {}
    for agency in agencies:
        missing = []
        for assessed in (year - 1, year):
            if (agency.pk, assessed) in assessments:
                entries.append(Entry(agency, "analysis", assessments[agency.pk, assessed]))
            else:
                missing.append(f"ยังไม่มีผลการประเมินปี {assessed} จึงไม่มีรายงานผลการวิเคราะห์ของปีนั้น")
        if agency.pk in planned:
            entries.extend(Entry(agency, kind) for kind in ("plan", "improvement", "6m", "12m"))
        else:
            missing.append(f"ยังไม่มีมาตรการปีงบประมาณ {year} จึงไม่มีแผนและรายงานผลการดำเนินงาน")
        notes[agency.pk] = missing
    return entries, notes


def write_bundle(bundle, out, on_start=lambda total: None, on_file=lambda: None):
    """Write the bundle's ZIP to the file object `out`, calling `on_start` with the number of
    files it will write and `on_file` after each."""
    year, root = bundle.fiscal_year, f"{bundle.organisation.code}-{bundle.fiscal_year}"
    agencies = list(bundle.agencies.order_by("code"))
    entries, notes = bundle_entries(agencies, year)
    on_start(len(entries) * len(FORMATS))
    written = {agency.pk: [] for agency in agencies}
    with translation.override("th"), zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for entry in entries:
            document = entry.document(year)
            written[entry.agency.pk].append(entry.name)
            for file_format in FORMATS:
                content, _type, filename = render(document, file_format, landscape=entry.kind != "analysis")
                archive.writestr(f"{root}/{entry.agency.code}/{filename}", content)
                written[entry.agency.pk].append(f"    {entry.agency.code}/{filename}")
                on_file()
        archive.writestr(f"{root}/index.txt", index_text(bundle, agencies, written, notes))


def index_text(bundle, agencies, written, notes):
    lines = [
        f"ชุดเอกสาร ITA ปีงบประมาณ พ.ศ. {bundle.fiscal_year}",
        f"{bundle.organisation.name_th} และหน่วยงานในกำกับ ({len(agencies)} หน่วยงาน)",
        f"จัดทำเมื่อ {thai_date(timezone.localdate())} โดย {bundle.requested_by.get_full_name() or bundle.requested_by}",
        FORMATS_NOTE,
        "",
    ]
    for agency in agencies:
        lines.append(f"{agency.name_th} ({agency.code})")
        lines.extend(f"  {line}" for line in written[agency.pk])  # a name, then its files
        lines.extend(f"  - {note}" for note in notes[agency.pk])
        lines.append("")
    return "\r\n".join(lines)  # Windows Notepad is where most offices open it
