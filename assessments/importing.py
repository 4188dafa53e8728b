"""The results template: read, check and write official figures, all rows or none.

One row per figure, columns `agency, fiscal_year, code, part, score` (CSV or XLSX). Rows are
numbered as a spreadsheet shows them (header = row 1). Rows whose `source` is `computed`
(from `export_results`) are figures the engine made, not published ones: they are skipped.
"""

import csv
import io
import posixpath
import re
import zipfile
import zlib
from dataclasses import dataclass
from decimal import Decimal
from xml.parsers import expat

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext_lazy as _, ngettext_lazy
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from assessments import access
from assessments.codes import (
    CodeError,
    check_part,
    normalise_code,
    parse_indicator,
    parse_part,
    place_item,
    thai_to_arabic,
)
from assessments.downloads import FORMULA_STARTS
from assessments.models import (
    Agency,
    Assessment,
    FrameworkVersion,
    Score,
)
from assessments.scoring import OVERALL, find_level
from assessments.text import in_thai_and_english, interpolate
from assessments.thai import to_buddhist_era
from ita_tracker.database import let_others_write

RESULT_COLUMNS = ("agency", "fiscal_year", "code", "part", "score")
# Read when present: `source` and `level_source` mark what an export computed (skipped), `level`
# is a level published beside the figure, `indicator` places an item of a version without an item list.
RESULT_OPTIONAL = ("source", "level", "level_source", "indicator")

NOT_A_WORKBOOK = _("The file is not a readable .xlsx workbook.")
MAX_SHEETS = 1000  # Excel opens about 250 comfortably; more is not a workbook someone typed


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


def problems_to_show(problems):
    """The first IMPORT_PROBLEMS_SHOWN problems, and a line counting the others (None if
    there are none): every bad row of a 100,000-row file would be a page of megabytes."""
    shown = problems[: settings.IMPORT_PROBLEMS_SHOWN]
    more = len(problems) - len(shown)
    if not more:
        return shown, None
    message = ngettext_lazy(
        "and %(more)s more row with problems; %(total)s in all",
        "and %(more)s more rows with problems; %(total)s in all",
        more,
    )
    return shown, interpolate(message, {"more": f"{more:,}", "total": f"{len(problems):,}"})


def problem_lines(problems):
    """Command output: the problems to show, one a line, and the count of the others."""
    shown, more = problems_to_show(problems)
    return "\n".join([str(p) for p in shown] + ([in_thai_and_english(more)] if more else []))


def read_file(path):
    """The bytes of a file to import, read no further than one byte over the size limit."""
    with open(path, "rb") as file:
        return file.read(settings.IMPORT_MAX_FILE_BYTES + 1)


@dataclass(frozen=True)
class Figure:
    row: int
    agency: str
    fiscal_year: int
    code: str
    part: int
    score: Decimal
    indicator: int | None = None  # where the file placed an item the framework does not list
    level: str | None = None  # the published level; "" clears one, None (no level column) keeps it

    def key(self):
        return (self.agency, self.fiscal_year, self.code, self.part)


def read_rows(content, filename, required, optional=()):
    """Return [(row number, {column: text})] from CSV or XLSX bytes, for the columns asked for.

    Raise TemplateError for a file that cannot be read, or that is larger than the import
    limits (settings IMPORT_MAX_*) allow: the limits are checked while reading, so a file
    that would unpack or parse to gigabytes is refused before it uses much memory or time.
    """
    if len(content) > settings.IMPORT_MAX_FILE_BYTES:
        raise TemplateError(too_large_message())
    name = filename.lower()
    if name.endswith(".xlsx"):
        table = xlsx_table(content)
    elif name.endswith(".csv") or not filename:
        table = csv_table(content)
    else:
        raise TemplateError(_("Upload a .csv or .xlsx file."))
    _number, header = next(table, (None, None))
    if header is None:
        raise TemplateError(_("The file is empty."))
    header = [str(h or "").strip().lower() for h in header]
    missing = [column for column in required if column not in header]
    if missing:
        raise TemplateError(interpolate(_("Missing columns: %(columns)s."), {"columns": ", ".join(missing)}))
    # Only the columns the caller reads are kept: 100,000 rows of fifty columns would be
    # a quarter of a gigabyte of dictionaries.
    wanted = {i: name for i, name in enumerate(header) if name in required or name in optional}
    max_row, max_column, max_chars = (
        settings.IMPORT_MAX_ROWS + 1,
        settings.IMPORT_MAX_COLUMNS,
        settings.IMPORT_MAX_CELL_CHARS,
    )
    rows = []
    for number, values in table:
        if number > max_row:
            raise TemplateError(too_many_rows_message())
        if len(values) > max_column:
            raise TemplateError(too_many_columns_message(number))
        cells = {name: cell_text(values[i]) if i < len(values) else "" for i, name in wanted.items()}
        for name, text in cells.items():
            if len(text) > max_chars:
                raise TemplateError(
                    interpolate(
                        _("Row %(row)s: the %(column)s cell is longer than %(limit)s characters."),
                        {"row": number, "column": name, "limit": f"{max_chars:,}"},
                    )
                )
        if any(cells.values()):
            rows.append((number, cells))
    if not rows:
        raise TemplateError(_("The file has no rows below the header."))
    return rows


def too_large_message():
    return interpolate(
        _("The file is larger than %(size)s MB; a results file is much smaller."),
        {"size": f"{settings.IMPORT_MAX_FILE_BYTES / (1024 * 1024):g}"},
    )


def too_many_rows_message():
    return interpolate(
        _("The file has more than %(limit)s rows below the header; split it into smaller files."),
        {"limit": f"{settings.IMPORT_MAX_ROWS:,}"},
    )


def too_many_columns_message(row):
    return interpolate(
        _("Row %(row)s has more than %(limit)s columns; remove the columns the import does not use."),
        {"row": row, "limit": settings.IMPORT_MAX_COLUMNS},
    )


def cell_text(value):
    if value is None:
        return ""
    if isinstance(value, float):
        # A spreadsheet stores 95.05 as a float, and a formula's 95.05000000000001; nine
        # decimals keep every digit a person typed and drop the binary noise.
        value = repr(round(value, 9))
        return value[:-2] if value.endswith(".0") else value
    text = str(value).strip()
    if text[:1] == "'" and text[1:2] in FORMULA_STARTS:
        # How our CSV exports keep a spreadsheet from reading "-X" as a formula (csv_safe).
        text = text[1:].strip()
    return text


def csv_table(content):
    """Yield (row number, values) of CSV bytes in UTF-8 or Thai Windows encoding."""
    for encoding in ("utf-8-sig", "cp874"):
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise TemplateError(_("The file is not UTF-8 or Thai Windows (cp874) text."))
    # The text is at most IMPORT_MAX_FILE_BYTES; the reader parses it a record at a time,
    # and the csv module's own field limit (131,072 characters) bounds a single field.
    reader = csv.reader(io.StringIO(text))
    try:
        yield from enumerate(reader, start=1)
    except csv.Error as exc:  # e.g. a quote left open swallows the rest of the file into one oversized field
        raise TemplateError(_("The file is not a readable CSV file.")) from exc


def xlsx_table(content):
    """Yield (row number, values) of the first worksheet of XLSX bytes, streamed.

    The sheet is read with expat a chunk at a time, and every limit is checked as the XML
    arrives, so a row numbered 1,048,576, a row of a million cells or a table of millions of
    texts is refused before it is built. openpyxl is not used for reading: it builds a whole
    <row> element before yielding it, parses the style sheet, charts and other parts we never
    read, pads rows to a forged <dimension>, and took three to six times as long.
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        # zipfile never returns more than a member's declared size (a lying size fails its
        # CRC check), so the declared sizes bound what the reader can unpack.
        unpacked = sum(member.file_size for member in archive.infolist())
    except (zipfile.BadZipFile, ValueError, EOFError) as exc:
        raise TemplateError(NOT_A_WORKBOOK) from exc
    if unpacked > settings.IMPORT_MAX_UNPACKED_BYTES:
        raise TemplateError(
            interpolate(
                _("The workbook unpacks to more than %(size)s MB; a results file is much smaller."),
                {"size": f"{settings.IMPORT_MAX_UNPACKED_BYTES / (1024 * 1024):g}"},
            )
        )
    try:
        sheet, strings_path = first_worksheet(archive)
        strings = shared_strings(archive, strings_path) if strings_path else []
        yield from sheet_rows(archive, sheet, strings)
    except (
        zipfile.BadZipFile,
        KeyError,
        IndexError,
        ValueError,
        expat.ExpatError,
        NotImplementedError,
        RuntimeError,
        EOFError,
        zlib.error,
    ) as exc:
        # A damaged or forged package fails in any of these ways (a missing part, a bad index
        # into the texts, an unsupported compression or encryption, a truncated member).
        raise TemplateError(NOT_A_WORKBOOK) from exc


def parse_xml(archive, path, start, end=None, text=None, ready=None):
    """Stream the XML part `path` through expat a chunk at a time; yield what the
    handlers put in `ready` after each chunk. Names are passed without their prefix."""
    parser = expat.ParserCreate()
    parser.buffer_text = True
    parser.StartDoctypeDeclHandler = refuse_doctype  # OOXML has no DTD: no entities to expand
    parser.StartElementHandler = start
    if end:
        parser.EndElementHandler = end
    if text:
        parser.CharacterDataHandler = text
    with archive.open(path) as stream:
        while chunk := stream.read(64 * 1024):
            parser.Parse(chunk, False)
            if ready is not None:
                yield from ready
                ready.clear()
    parser.Parse(b"", True)
    if ready is not None:
        yield from ready


def refuse_doctype(*args):
    raise ValueError("a DTD in a workbook part")


def local(name):
    return name.rpartition(":")[2]


def part_path(folder, target):
    return target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))


def relationships(archive, part):
    """{id: (type, target path)} of a part's relationships."""
    folder, name = posixpath.split(part)
    found = {}

    def start(tag, attrs):
        if local(tag) == "Relationship":
            if len(found) > MAX_SHEETS:
                raise TemplateError(
                    interpolate(_("The workbook has more than %(limit)s sheets."), {"limit": f"{MAX_SHEETS:,}"})
                )
            kind = attrs.get("Type", "").rpartition("/")[2]
            if kind in ("officeDocument", "worksheet", "sharedStrings"):
                found[attrs.get("Id")] = (kind, part_path(folder, attrs.get("Target", "")))

    path = posixpath.join(folder, "_rels", name + ".rels")
    for _nothing in parse_xml(archive, path, start):
        pass
    return found


def first_worksheet(archive):
    """The path of the workbook's first worksheet (charts sheets skipped) and of its table of texts."""
    workbook = next((target for kind, target in relationships(archive, "").values() if kind == "officeDocument"), None)
    if workbook is None:
        raise TemplateError(NOT_A_WORKBOOK)
    related = relationships(archive, workbook)
    sheets = []

    def start(tag, attrs):
        if local(tag) == "sheet" and not sheets:
            for name, value in attrs.items():
                if local(name) == "id" and related.get(value, ("",))[0] == "worksheet":
                    sheets.append(related[value][1])

    for _nothing in parse_xml(archive, workbook, start):
        pass
    if not sheets:
        raise TemplateError(NOT_A_WORKBOOK)
    strings = next((target for kind, target in related.values() if kind == "sharedStrings"), None)
    return sheets[0], strings


def shared_strings(archive, path):
    """The workbook's table of texts, each cut to one character over the cell limit."""
    limit = settings.IMPORT_MAX_ROWS * 10  # ten text cells in every row: an exported file's width
    max_chars = settings.IMPORT_MAX_CELL_CHARS
    strings, parts, state = [], [], {"text": False, "phonetic": False, "length": 0}

    def start(tag, attrs):
        tag = local(tag)
        if tag == "t":
            state["text"] = not state["phonetic"]
        elif tag == "rPh":
            state["phonetic"] = True

    def end(tag):
        tag = local(tag)
        if tag == "si":
            if len(strings) >= limit:
                raise TemplateError(
                    interpolate(
                        _("The workbook holds more than %(limit)s different texts; a results file holds far fewer."),
                        {"limit": f"{limit:,}"},
                    )
                )
            strings.append("".join(parts)[: max_chars + 1])
            parts.clear()
            state["length"] = 0
        elif tag == "t":
            state["text"] = False
        elif tag == "rPh":
            state["phonetic"] = False

    def text(data):
        if state["text"] and state["length"] <= max_chars:
            parts.append(data)
            state["length"] += len(data)

    for _nothing in parse_xml(archive, path, start, end, text):
        pass
    return strings


def sheet_rows(archive, path, strings):
    """Yield (row number, values) of a worksheet part; rows without cells are skipped."""
    max_row, max_column, max_chars = (
        settings.IMPORT_MAX_ROWS + 1,
        settings.IMPORT_MAX_COLUMNS,
        settings.IMPORT_MAX_CELL_CHARS,
    )
    ready = []
    number, values = 0, []
    column, kind, parts, length, in_text, in_phonetic = 0, "n", [], 0, False, False

    def start(tag, attrs):
        nonlocal number, values, column, kind, length, in_text, in_phonetic
        if ":" in tag:
            tag = tag.rpartition(":")[2]
        if tag == "c":
            reference = attrs.get("r")
            column = column_number(reference) if reference else column + 1
            if column > max_column:
                raise TemplateError(too_many_columns_message(number))
            kind, length = attrs.get("t", "n"), 0
            parts.clear()
        elif tag == "v" or (tag == "t" and not in_phonetic):
            in_text = True
        elif tag == "row":
            number = int(attrs["r"]) if "r" in attrs else number + 1
            if number > max_row:
                raise TemplateError(too_many_rows_message())
            values, column = [], 0
        elif tag == "rPh":
            in_phonetic = True

    def end(tag):
        nonlocal in_text, in_phonetic
        if ":" in tag:
            tag = tag.rpartition(":")[2]
        if tag == "c":
            if column > len(values):
                values.extend([None] * (column - len(values)))
            values[column - 1] = cell_value(kind, "".join(parts), strings)
        elif tag == "v" or tag == "t":
            in_text = False
        elif tag == "row":
            if values:
                ready.append((number, values))
        elif tag == "rPh":
            in_phonetic = False

    def text(data):
        nonlocal length
        if in_text and length <= max_chars:
            parts.append(data)
            length += len(data)

    yield from parse_xml(archive, path, start, end, text, ready)


def column_number(reference):
    """1 for "A7", 28 for "AB7"."""
    number = 0
    for letter in reference.rstrip("0123456789").upper():
        number = number * 26 + ord(letter) - 64
    return number


def cell_value(kind, text, strings):
    """The value of a cell as openpyxl gives it: texts, numbers as int or float, booleans."""
    if kind == "s":
        return strings[int(text)]
    if kind == "b":
        return text == "1"
    if kind in ("inlineStr", "str", "e", "d"):
        return text
    if not text:
        return None
    return float(text) if "." in text or "e" in text or "E" in text else int(text)


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
            interpolate(
                _("fiscal year %(year)s looks like a Christian-era year; use the Buddhist Era (%(be)s)"),
                {"year": year, "be": to_buddhist_era(year)},
            )
        )
    return year


def parse_level(text, spec, code):
    """The published level of the figure `code` as the year's levels name it, "" for an empty cell.

    Only the overall row carries a level, and in letter years (AA–F) items and indicators too.
    A name is matched by its Thai name or code, ignoring spaces and case.
    """
    text = thai_to_arabic(text).strip()
    if not text:
        return ""
    names = ", ".join(level.name for level in spec.levels)
    if not (code == OVERALL or spec.level_scheme == "letters" and (code in spec.items or code.startswith("IND"))):
        message = (
            _(
                "%(code)s carries no level: give a level on the ITA row, or on items and indicators "
                "in years of letter levels (%(levels)s)"
            )
            if spec.level_scheme == "letters"
            else _("%(code)s carries no level: in this fiscal year only the ITA row has one (%(levels)s)")
        )
        raise ValueError(interpolate(message, {"code": code, "levels": names}))
    level = find_level(spec.levels, text)
    if level is None:
        raise ValueError(
            interpolate(
                _("level '%(level)s' is not one of this fiscal year's levels: %(levels)s"),
                {"level": text, "levels": names},
            )
        )
    return level.name


def check_results(rows, user=None):
    """Check every row; return (figures, problems). Nothing is written."""
    # Codes match whatever their case; an officer sees the same refusal for an agency that does
    # not exist and one that is not theirs, so the file cannot be used to probe agency codes.
    allowed = Agency.objects.all() if user is None else Agency.objects.editable_by(user)
    agencies = {code.upper(): code for code in allowed.values_list("code", flat=True)}
    versions = {}
    figures, problems, first_row = [], [], {}
    for number, cells in rows:
        if cells.get("source", "").strip().lower() == "computed":
            continue
        try:
            agency = agencies.get(cells.get("agency", "").strip().upper())
            if agency is None:
                message = (
                    _("unknown agency '%(agency)s'")
                    if user is None or access.administers_all(user)
                    else _("unknown agency '%(agency)s', or not one you may enter results for")
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
            placed = place_item(code, parse_indicator(cells.get("indicator", ""), version.spec), version.spec)
            score = parse_score(cells.get("score", ""))
            level = None
            if "level" in cells and cells.get("level_source", "").strip().lower() != "computed":
                level = parse_level(cells["level"], version.spec, code)
        except (ValueError, CodeError) as exc:
            problems.append(Problem(number, exc.args[0]))
            continue
        figure = Figure(number, agency, year, code, part, score, indicator=placed, level=level)
        if figure.key() in first_row:
            problems.append(
                Problem(
                    number,
                    interpolate(
                        _("duplicate of row %(row)s (same agency, year, code and part)"),
                        {"row": first_row[figure.key()]},
                    ),
                )
            )
            continue
        first_row[figure.key()] = number
        figures.append(figure)
    # Conflicts are found once every row is read; listed in row order with the others.
    problems = sorted(problems + placement_conflicts(figures, versions), key=lambda problem: problem.row)
    return figures, problems


def placement_conflicts(figures, versions):
    """Problems for placed items put under two indicators: an item has one indicator for every
    agency of a framework version, in the file and against what is saved (saved figures the
    file replaces do not count)."""
    version_of = {year: version for year, version in versions.items() if version is not None}
    problems, first = [], {}
    for figure in figures:
        if figure.indicator is None:
            continue
        key = (version_of[figure.fiscal_year].pk, figure.code)
        row, indicator = first.setdefault(key, (figure.row, figure.indicator))
        if indicator != figure.indicator:
            problems.append(
                Problem(
                    figure.row,
                    interpolate(
                        _(
                            "item %(code)s is placed under indicator %(indicator)s, but row %(row)s puts it "
                            "under indicator %(other)s: an item has one indicator in every agency's results"
                        ),
                        {"code": figure.code, "indicator": figure.indicator, "row": row, "other": indicator},
                    ),
                )
            )
    if not first:
        return problems
    in_file = {figure.key() for figure in figures}
    differs = Q()
    for (version_id, code), (_row, indicator) in first.items():
        differs |= Q(assessment__version_id=version_id, code=code) & ~Q(indicator=indicator)
    saved = Score.objects.filter(differs, indicator__isnull=False).values_list(
        "assessment__version_id", "code", "indicator", "assessment__agency__code", "assessment__fiscal_year", "part"
    )
    reported = set()
    for version_id, code, indicator, agency, year, part in saved.order_by("assessment__agency__code", "part"):
        if (agency, year, code, part) in in_file or (version_id, code) in reported:
            continue
        reported.add((version_id, code))
        row, placed = first[(version_id, code)]
        problems.append(
            Problem(
                row,
                interpolate(
                    _(
                        "item %(code)s is placed under indicator %(indicator)s, but the saved results of "
                        "%(agency)s for fiscal year %(year)s put it under indicator %(other)s: an item has one "
                        "indicator in every agency's results"
                    ),
                    {"code": code, "indicator": placed, "agency": agency, "year": year, "other": indicator},
                ),
            )
        )
    return sorted(problems, key=lambda problem: problem.row)


def figure_changes(figures):
    """Label each figure new, changed or unchanged against the database (for the preview)."""
    existing = {}
    for score in Score.objects.filter(
        assessment__agency__code__in={f.agency for f in figures},
        assessment__fiscal_year__in={f.fiscal_year for f in figures},
    ).select_related("assessment__agency"):
        existing[(score.assessment.agency.code, score.assessment.fiscal_year, score.code, score.part)] = score
    labels = {}
    for figure in figures:
        old = existing.get(figure.key())
        labels[figure.key()] = "new" if old is None else ("changed" if changes_score(old, figure) else "unchanged")
    return labels


def changes_score(score, figure):
    """Whether saving the figure changes the saved score, its placement or its published level."""
    if (score.score, score.indicator) != (figure.score, figure.indicator):
        return True
    return figure.level is not None and score.level != figure.level


# Figures per transaction. On SQLite every other save waits while a batch is written, so a batch
# must stay far below the busy timeout (SQLITE_TIMEOUT, 20 s): one of this size holds the write
# lock for about a tenth of a second (README, "Large imports").
RESULTS_BATCH = 500
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
    versions = {
        year: FrameworkVersion.objects.filter(first_year__lte=year, last_year__gte=year).first()
        for year in {f.fiscal_year for f in figures}
    }
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    written = 0
    for batch in assessment_batches(figures, batch_size):
        for key, count in save_results_batch(batch, versions, specs).items():
            counts[key] += count
        written += len(batch)
        if progress:
            progress(written)
        let_others_write()
    if counts["created"] or counts["updated"]:
        Assessment.objects.filter(fiscal_year__in=versions).refresh_ranks()
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
        a.code: a
        for a in Agency.objects.select_for_update().filter(code__in={f.agency for f in figures}).order_by("pk")
    }
    assessments = {}
    for agency_code, year in sorted({(f.agency, f.fiscal_year) for f in figures}):
        assessment, _created = Assessment.objects.get_or_create(
            agency=agencies[agency_code], fiscal_year=year, defaults={"version": versions[year]}
        )
        assessments[(agency_code, year)] = assessment
    existing = {(s.assessment_id, s.code, s.part): s for s in Score.objects.filter(assessment__in=assessments.values())}
    created, updated, unchanged = [], [], 0
    for figure in figures:
        assessment = assessments[(figure.agency, figure.fiscal_year)]
        score = existing.get((assessment.pk, figure.code, figure.part))
        if score is None:
            created.append(
                Score(
                    assessment=assessment,
                    code=figure.code,
                    part=figure.part,
                    score=figure.score,
                    indicator=figure.indicator,
                    level=figure.level or "",
                )
            )
        elif changes_score(score, figure):
            score.score, score.indicator = figure.score, figure.indicator
            if figure.level is not None:
                score.level = figure.level
            updated.append(score)
        else:
            unchanged += 1
    # The *_with_history helpers keep the audit trail that plain bulk writes would skip.
    bulk_create_with_history(created, Score)
    bulk_update_with_history(updated, Score, ["score", "indicator", "level"])
    touched = {score.assessment_id for score in created + updated}
    # The year's ranks wait for the whole file (save_results): once a batch, a national import
    # would rewrite thousands of ranks thousands of times.
    Assessment.objects.filter(pk__in=touched).refresh_summaries(specs, ranks=False)
    return {"created": len(created), "updated": len(updated), "unchanged": unchanged}
