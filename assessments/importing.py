"""The results template: read, check and write official figures, all rows or none.

One row per figure, columns `agency, fiscal_year, code, part, score` (CSV or XLSX). Rows are
numbered as a spreadsheet shows them (header = row 1). Rows whose `source` is `computed`
(from `export_results`) are figures the engine made, not published ones: they are skipped.
"""

import csv
import io
import re
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from simple_history.utils import bulk_create_with_history, bulk_update_with_history
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from assessments.text import in_thai_and_english, interpolate

from assessments.codes import CodeError, check_part, normalise_code, parse_part, thai_to_arabic
from assessments.models import Agency, AgencyType, Assessment, FrameworkVersion, Score
from ita_tracker.database import let_others_write, lock_table

RESULT_COLUMNS = ("agency", "fiscal_year", "code", "part", "score")
AGENCY_COLUMNS = ("code", "name_th", "short_name", "agency_type", "parent")


class TemplateError(Exception):
    """A file that cannot be read as a template at all (wrong format, missing columns)."""


@dataclass(frozen=True)
class Problem:
    row: int
    message: str  # lazy: rendered in Thai and in English

    def text(self, language):
        with translation.override(language):
            return str(self.line)

    @property
    def line(self):
        return interpolate(_("Row %(row)s: %(message)s"), {"row": self.row, "message": self.message})

    def __str__(self):
        return in_thai_and_english(self.line)


@dataclass(frozen=True)
class Figure:
    row: int
    agency: str
    fiscal_year: int
    code: str
    part: int
    score: Decimal

    def key(self):
        return (self.agency, self.fiscal_year, self.code, self.part)


def read_rows(content, filename, required):
    """Return [(row number, {column: text})] from CSV or XLSX bytes."""
    if filename.lower().endswith(".xlsx"):
        table = xlsx_table(content)
    elif filename.lower().endswith(".csv") or not filename:
        table = csv_table(content)
    else:
        raise TemplateError(_("Upload a .csv or .xlsx file."))
    if not table:
        raise TemplateError(_("The file is empty."))
    header = [str(h or "").strip().lower() for h in table[0]]
    missing = [column for column in required if column not in header]
    if missing:
        raise TemplateError(interpolate(_("Missing columns: %(columns)s."), {"columns": ", ".join(missing)}))
    rows = []
    for number, values in enumerate(table[1:], start=2):
        cells = {name: cell_text(values[i]) if i < len(values) else "" for i, name in enumerate(header)}
        if any(cells.values()):
            rows.append((number, cells))
    if not rows:
        raise TemplateError(_("The file has no rows below the header."))
    return rows


def cell_text(value):
    if value is None:
        return ""
    if isinstance(value, float):
        # openpyxl gives 95.05 as a float, and a formula's 95.05000000000001; nine decimals
        # keep every digit a person typed and drop the binary noise.
        value = repr(round(value, 9))
        return value[:-2] if value.endswith(".0") else value
    return str(value).strip()


def csv_table(content):
    for encoding in ("utf-8-sig", "cp874"):
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise TemplateError(_("The file is not UTF-8 or Thai Windows (cp874) text."))
    try:
        return [row for row in csv.reader(io.StringIO(text))]
    except csv.Error:  # e.g. a quote left open swallows the rest of the file into one oversized field
        raise TemplateError(_("The file is not a readable CSV file."))


def xlsx_table(content):
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a file that is not a workbook
        raise TemplateError(_("The file is not a readable .xlsx workbook."))
    sheet = workbook.worksheets[0]
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def parse_score(text):
    text = thai_to_arabic(text).strip()
    if not text:
        raise ValueError(_("the score is empty"))
    if not re.fullmatch(r"-?\d+(\.\d+)?", text):
        raise ValueError(interpolate(_("score '%(score)s' is not a number"), {"score": text}))
    score = Decimal(text)
    if not Decimal(0) <= score <= Decimal(100):
        raise ValueError(interpolate(_("score %(score)s is outside 0–100"), {"score": text}))
    if score != score.quantize(Decimal("0.01")):
        raise ValueError(interpolate(_("score %(score)s has more than two decimals"), {"score": text}))
    return score.quantize(Decimal("0.01"))


def parse_year(text):
    text = thai_to_arabic(text).strip()
    if not text.isdigit():
        raise ValueError(interpolate(_("fiscal year '%(year)s' is not a year"), {"year": text}))
    year = int(text)
    if 1900 <= year < 2400:
        raise ValueError(
            interpolate(_("fiscal year %(year)s looks like a Christian-era year; use the Buddhist Era (%(be)s)"), {"year": year, "be": year + 543})
        )
    return year


def check_results(rows, user=None):
    """Check every row; return (figures, problems). Nothing is written."""
    # Codes match whatever their case; an officer sees the same refusal for an agency that does
    # not exist and one that is not theirs, so the file cannot be used to probe agency codes.
    allowed = Agency.objects.all()
    if user is not None and not user.is_superuser:
        allowed = Agency.objects.editable_by(user)
    agencies = {code.upper(): code for code in allowed.values_list("code", flat=True)}
    versions = {}
    figures, problems, first_row = [], [], {}
    for number, cells in rows:
        if cells.get("source", "").strip().lower() == "computed":
            continue
        try:
            agency = agencies.get(cells.get("agency", "").strip().upper())
            if agency is None:
                message = _("unknown agency '%(agency)s'") if user is None or user.is_superuser else _(
                    "unknown agency '%(agency)s', or not one you may enter results for"
                )
                raise ValueError(interpolate(message, {"agency": cells.get("agency", "").strip()}))
            year = parse_year(cells.get("fiscal_year", ""))
            if year not in versions:
                versions[year] = FrameworkVersion.objects.for_year(year)
            version = versions[year]
            if version is None:
                raise ValueError(interpolate(_("no assessment framework covers fiscal year %(year)s"), {"year": year}))
            code = normalise_code(cells.get("code", ""), version.spec)
            part = parse_part(cells.get("part", ""))
            check_part(code, part, version.spec)
            score = parse_score(cells.get("score", ""))
        except (ValueError, CodeError) as exc:
            problems.append(Problem(number, exc.args[0]))
            continue
        figure = Figure(number, agency, year, code, part, score)
        if figure.key() in first_row:
            problems.append(
                Problem(number, interpolate(_("duplicate of row %(row)s (same agency, year, code and part)"), {"row": first_row[figure.key()]}))
            )
            continue
        first_row[figure.key()] = number
        figures.append(figure)
    return figures, problems


def figure_changes(figures):
    """Label each figure new, changed or unchanged against the database (for the preview)."""
    existing = {}
    for score in Score.objects.filter(
        assessment__agency__code__in={f.agency for f in figures},
        assessment__fiscal_year__in={f.fiscal_year for f in figures},
    ).select_related("assessment__agency"):
        existing[(score.assessment.agency.code, score.assessment.fiscal_year, score.code, score.part)] = score.score
    labels = {}
    for figure in figures:
        old = existing.get(figure.key())
        labels[figure.key()] = "new" if old is None else ("unchanged" if old == figure.score else "changed")
    return labels


# Figures per transaction. On SQLite every other save waits while a batch is written, so a batch
# must stay far below the busy timeout (SQLITE_TIMEOUT, 20 s): one of this size holds the write
# lock for about a tenth of a second (README, "Large imports").
RESULTS_BATCH = 500
AGENCIES_BATCH = 500
# What the commands say about it.
RERUN_NOTE = (
    "Writing %(count)s %(what)s in batches. If the import stops, run the same command again to "
    "complete it: what is already saved is left as it is."
)
STOPPED_NOTE = (
    "Stopped after %(written)s of %(count)s %(what)s were written (%(error)s). Run the same command "
    "again to complete the import: what is already saved is left as it is. / การนำเข้าหยุดลงกลางทาง "
    "โปรดสั่งคำสั่งเดิมอีกครั้งเพื่อนำเข้าให้ครบ ข้อมูลที่บันทึกแล้วจะไม่ถูกเปลี่ยน"
)


def save_results(figures, *, batch_size=RESULTS_BATCH, progress=None):
    """Write checked figures; return counts of created, updated and unchanged scores.

    Written a few assessments at a time, each batch in its own short transaction, so that other
    saves wait for one batch, not for the whole file. Each batch compares the file with what is
    saved under a lock on its agencies: importing a file twice, or twice at once, writes its
    figures once, and an import that stopped halfway is completed by running it again.
    `progress(written)` is called after each batch with the number of figures written so far.
    """
    specs = FrameworkVersion.objects.specs()
    versions = {year: FrameworkVersion.objects.filter(first_year__lte=year, last_year__gte=year).first() for year in {f.fiscal_year for f in figures}}
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    written = 0
    for batch in assessment_batches(figures, batch_size):
        for key, count in save_results_batch(batch, versions, specs).items():
            counts[key] += count
        written += len(batch)
        if progress:
            progress(written)
        let_others_write()
    return counts


def assessment_batches(figures, size):
    """Lists of about `size` figures, each assessment's figures whole in one of them, so that no
    page ever shows half of an assessment or a summary computed from half of it."""
    by_assessment = {}
    for figure in figures:
        by_assessment.setdefault((figure.agency, figure.fiscal_year), []).append(figure)
    batch = []
    for key in sorted(by_assessment):
        batch.extend(by_assessment[key])
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


@transaction.atomic
def save_results_batch(figures, versions, specs):
    # An import of the same agencies waits here until this batch commits, then finds its figures
    # saved (PostgreSQL: locked in one order, so two imports cannot deadlock). SQLite's IMMEDIATE
    # transaction already holds the database's write lock.
    agencies = {
        a.code: a for a in Agency.objects.select_for_update().filter(code__in={f.agency for f in figures}).order_by("pk")
    }
    assessments = {}
    for agency_code, year in sorted({(f.agency, f.fiscal_year) for f in figures}):
        assessment, _created = Assessment.objects.get_or_create(
            agency=agencies[agency_code], fiscal_year=year, defaults={"version": versions[year]}
        )
        assessments[(agency_code, year)] = assessment
    existing = {
        (s.assessment_id, s.code, s.part): s
        for s in Score.objects.filter(assessment__in=assessments.values())
    }
    created, updated, unchanged = [], [], 0
    for figure in figures:
        assessment = assessments[(figure.agency, figure.fiscal_year)]
        score = existing.get((assessment.pk, figure.code, figure.part))
        if score is None:
            created.append(Score(assessment=assessment, code=figure.code, part=figure.part, score=figure.score))
        elif score.score != figure.score:
            score.score = figure.score
            updated.append(score)
        else:
            unchanged += 1
    # The *_with_history helpers keep the audit trail that plain bulk writes would skip.
    bulk_create_with_history(created, Score)
    bulk_update_with_history(updated, Score, ["score"])
    touched = {score.assessment_id for score in created + updated}
    Assessment.objects.filter(pk__in=touched).refresh_summaries(specs)
    return {"created": len(created), "updated": len(updated), "unchanged": unchanged}


def agency_type_from(text):
    """The agency type for its value or its label in Thai or English, whatever language is active."""
    text = text.strip()
    for value, label in AgencyType.choices:
        names = {value}
        for language in ("th", "en"):
            with translation.override(language):
                names.add(str(label).lower())
        if text.lower() in names:
            return value
    raise ValueError(interpolate(_("unknown agency type '%(type)s'"), {"type": text}))


def check_agencies(rows):
    """Check agency rows; return (agency dicts, problems). A parent may be any row of the file or an existing agency."""
    parents = dict(Agency.objects.filter(parent__isnull=False).values_list("code", "parent__code"))
    known = set(Agency.objects.values_list("code", flat=True))
    for _number, cells in rows:
        code, parent = cells.get("code", "").strip(), cells.get("parent", "").strip()
        if code:
            known.add(code)
            parents[code] = parent
    in_file, agencies, problems = {}, [], []
    for number, cells in rows:
        try:
            code = cells.get("code", "").strip()
            if not code:
                raise ValueError(_("the agency code is empty"))
            if code in in_file:
                raise ValueError(interpolate(_("duplicate of row %(row)s"), {"row": in_file[code]}))
            if not cells.get("name_th", "").strip():
                raise ValueError(_("the Thai name is empty"))
            agency_type = agency_type_from(cells.get("agency_type", ""))
            parent = cells.get("parent", "").strip()
            if parent and parent not in known:
                raise ValueError(interpolate(_("unknown parent agency '%(parent)s'"), {"parent": parent}))
            if in_cycle(code, parents):
                raise ValueError(_("an agency cannot be above itself in the line of parents"))
        except ValueError as exc:
            problems.append(Problem(number, exc.args[0]))
            continue
        in_file[code] = number
        agencies.append(
            {
                "code": code,
                "name_th": cells["name_th"].strip(),
                "short_name": cells.get("short_name", "").strip(),
                "agency_type": agency_type,
                "parent": parent,
            }
        )
    return agencies, problems


def in_cycle(code, parents):
    seen = set()
    while code and code not in seen:
        seen.add(code)
        code = parents.get(code)
    return bool(code)


def save_agencies(agencies, *, batch_size=AGENCIES_BATCH, progress=None):
    """Write checked agencies, parents before the agencies under them, in short transactions as
    `save_results` does (and as safe to repeat); return counts of created, updated and unchanged
    agencies. An empty parent in the file leaves a saved agency's parent as it is."""
    ordered = parents_first(agencies)
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    for start in range(0, len(ordered), batch_size):
        for key, count in save_agencies_batch(ordered[start : start + batch_size]).items():
            counts[key] += count
        if progress:
            progress(min(start + batch_size, len(ordered)))
        let_others_write()
    return counts


def parents_first(agencies):
    """The agencies ordered so that a parent named in the file comes before its children (the
    file has no cycles: `check_agencies` refuses them)."""
    parents = {a["code"]: a["parent"] for a in agencies}

    def depth(code):
        level = 0
        while parents.get(code):
            code = parents[code]
            level += 1
        return level

    return sorted(agencies, key=lambda a: depth(a["code"]))


@transaction.atomic
def save_agencies_batch(agencies):
    # Another agency import waits here until this batch commits, then finds these agencies saved.
    lock_table(Agency)
    codes = {a["code"] for a in agencies} | {a["parent"] for a in agencies if a["parent"]}
    saved = {agency.code: agency for agency in Agency.objects.filter(code__in=codes)}
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    for data in agencies:
        values = {key: data[key] for key in ("name_th", "short_name", "agency_type")}
        if data["parent"]:
            values["parent_id"] = saved[data["parent"]].pk
        agency = saved.get(data["code"])
        if agency is None:
            saved[data["code"]] = Agency.objects.create(code=data["code"], **values)
            counts["created"] += 1
        elif any(getattr(agency, key) != value for key, value in values.items()):
            for key, value in values.items():
                setattr(agency, key, value)
            agency.save(update_fields=list(values))
            counts["updated"] += 1
        else:
            counts["unchanged"] += 1
    return counts
