"""The results template: read, check and write official figures, all rows or none.

One row per figure, columns `agency, fiscal_year, code, part, score` (CSV or XLSX). Rows are
numbered as a spreadsheet shows them (header = row 1). Rows whose `source` is `computed`
(from `export_results`) are figures the engine made, not published ones: they are skipped.
"""

import codecs
import contextlib
import csv
import gc
import io
import pickle
import posixpath
import re
import tempfile
import time
import zipfile
import zlib
from dataclasses import dataclass
from decimal import Decimal
from typing import NamedTuple
from xml.parsers import expat

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _, ngettext_lazy
from simple_history.utils import bulk_update_with_history

from assessments import access
from assessments.bulk import insert_with_ids
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
# Different texts in a workbook's shared table, kept in memory while its sheet is read: a national
# file has about 20,000 (agency codes and names, figure codes); a million is 60-80 MB.
MAX_TEXTS = 1_000_000


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


class Figure(NamedTuple):
    """A checked row of a results file. A tuple, not a dataclass: half a million of them pass
    through a national import, and a tuple is built several times faster."""

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
    """Return [(row number, {column: text})] from CSV or XLSX bytes, for the columns asked for
    (a list: for small files and tests; imports stream the file with `stream_rows`)."""
    return list(stream_rows(io.BytesIO(content), filename, required, optional))


def stream_rows(file, filename, required, optional=()):
    """Yield (row number, {column: text}) from a CSV or XLSX file open for reading bytes, a row
    at a time: a national file of half a million rows is never in memory whole.

    Raise TemplateError for a file that cannot be read, or that is larger than the import
    limits (settings IMPORT_MAX_*) allow: the limits are checked while reading, so a file
    that would unpack or parse to gigabytes is refused before it uses much memory or time.
    """
    size = file.seek(0, io.SEEK_END)
    file.seek(0)
    if size > settings.IMPORT_MAX_FILE_BYTES:
        raise TemplateError(too_large_message())
    name = filename.lower()
    if name.endswith(".xlsx"):
        table = xlsx_table(file)
    elif name.endswith(".csv") or not filename:
        table = csv_table(file)
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
    empty = True
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
            empty = False
            yield number, cells
    if empty:
        raise TemplateError(_("The file has no rows below the header."))


class ResultsFile:
    """The rows of a results file on disk, read again from the start each time they are iterated:
    the check and the save each stream over the file instead of keeping its rows."""

    def __init__(self, path, filename=None, required=RESULT_COLUMNS, optional=RESULT_OPTIONAL):
        self.path, self.filename = path, filename if filename is not None else posixpath.basename(str(path))
        self.required, self.optional = required, optional

    def __iter__(self):
        with open(self.path, "rb") as file:
            yield from stream_rows(file, self.filename, self.required, self.optional)


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


def csv_table(file):
    """Yield (row number, values) of a CSV file in UTF-8 or Thai Windows encoding, streamed."""
    encoding = csv_encoding(file)
    # newline="": the csv module reads the line ends itself; the wrapper is detached at the end
    # so that closing it does not close the caller's file.
    text = io.TextIOWrapper(file, encoding=encoding, newline="")
    # The reader parses a record at a time, and the csv module's own field limit (131,072
    # characters) bounds a single field.
    reader = csv.reader(text)
    try:
        yield from enumerate(reader, start=1)
    except csv.Error as exc:  # e.g. a quote left open swallows the rest of the file into one oversized field
        raise TemplateError(_("The file is not a readable CSV file.")) from exc
    finally:
        with contextlib.suppress(ValueError):  # the caller's file closed first: nothing to give back
            text.detach()


def csv_encoding(file):
    """The first of UTF-8 and Thai Windows (cp874) that decodes the whole file, read a megabyte at a time."""
    for encoding in ("utf-8-sig", "cp874"):
        decoder = codecs.getincrementaldecoder(encoding)()
        file.seek(0)
        try:
            while chunk := file.read(1024 * 1024):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        file.seek(0)
        return encoding
    raise TemplateError(_("The file is not UTF-8 or Thai Windows (cp874) text."))


def xlsx_table(file):
    """Yield (row number, values) of the first worksheet of an XLSX file, streamed.

    The sheet is read with expat a chunk at a time, and every limit is checked as the XML
    arrives, so a row numbered 1,048,576, a row of a million cells or a table of millions of
    texts is refused before it is built. openpyxl is not used for reading: it builds a whole
    <row> element before yielding it, parses the style sheet, charts and other parts we never
    read, pads rows to a forged <dimension>, and took three to six times as long.
    """
    try:
        archive = zipfile.ZipFile(file)
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
    limit = MAX_TEXTS
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


# Distinct raw cells remembered by a check (codes, parts, scores): a national file repeats the same
# few hundred codes and ten thousand scores half a million times; a file of all-different cells
# only clears the memory more often.
CELL_CACHE = 20_000


class ResultsCheck:
    """Checks rows of a results file one at a time, remembering only what a check needs across
    rows, so that its memory grows with the agencies and codes of a file, not with its rows:
    which figures each assessment had (a bit per code and part), where each assessment's rows
    end (for the save pass), the first placement of each placed item, and the problems."""

    def __init__(self, user=None):
        # Codes match whatever their case; an officer sees the same refusal for an agency that does
        # not exist and one that is not theirs, so the file cannot be used to probe agency codes.
        allowed = Agency.objects.all() if user is None else Agency.objects.editable_by(user)
        self.agencies = {code.upper(): code for code in allowed.values_list("code", flat=True)}
        self.unknown_agency = (
            _("unknown agency '%(agency)s'")
            if user is None or access.administers_all(user)
            else _("unknown agency '%(agency)s', or not one you may enter results for")
        )
        # The year's framework, looked up once an import (it was once an agency and year).
        self.versions = {}
        self.figure_bits, self.bits = {}, {}  # {(agency, year): int}, {(code, part): bit number}
        self.last_rows = {}  # {(agency, year): the row number of the assessment's last figure}
        self.placed = {}  # {(version id, code): (first row, indicator)}
        self.problems, self.duplicates = [], []  # duplicates: (row, key), named once the first rows are known
        self.figures = 0
        self.codes, self.scores, self.years = {}, {}, {}

    def version(self, year):
        if year not in self.versions:
            self.versions[year] = FrameworkVersion.objects.for_year(year)
        return self.versions[year]

    def figure(self, number, cells):
        """The Figure of a row, or None for a row the import skips; raise ValueError or CodeError."""
        if cells.get("source", "").strip().lower() == "computed":
            return None
        agency = self.agencies.get(cells.get("agency", "").strip().upper())
        if agency is None:
            raise ValueError(interpolate(self.unknown_agency, {"agency": cells.get("agency", "").strip()}))
        year = remembered(self.years, cells.get("fiscal_year", ""), parse_year)
        version = self.version(year)
        if version is None:
            raise ValueError(interpolate(_("no assessment framework covers fiscal year %(year)s"), {"year": year}))
        code, part, placed = self.placed_code(
            version, cells.get("code", ""), cells.get("part", ""), cells.get("indicator", "")
        )
        score = remembered(self.scores, cells.get("score", ""), parse_score)
        level = None
        if "level" in cells and cells.get("level_source", "").strip().lower() != "computed":
            level = parse_level(cells["level"], version.spec, code)
        return Figure(number, agency, year, code, part, score, indicator=placed, level=level)

    def placed_code(self, version, code, part, indicator):
        def check(cells):
            spec = version.spec
            normal = normalise_code(cells[1], spec)
            number = parse_part(cells[2])
            check_part(normal, number, spec)
            return normal, number, place_item(normal, parse_indicator(cells[3], spec), spec)

        return remembered(self.codes, (version.pk, code, part, indicator), check)

    def check(self, rows):
        """Check every row; yield the good figures in file order."""
        for number, cells in rows:
            try:
                figure = self.figure(number, cells)
            except (ValueError, CodeError) as exc:
                self.problems.append(Problem(number, exc.args[0]))
                continue
            if figure is None:
                continue
            assessment = (figure.agency, figure.fiscal_year)
            bit = 1 << self.bits.setdefault((figure.code, figure.part), len(self.bits))
            seen = self.figure_bits.get(assessment, 0)
            if seen & bit:
                self.duplicates.append((number, figure.key()))
                continue
            self.figure_bits[assessment] = seen | bit
            self.last_rows[assessment] = number
            self.figures += 1
            if figure.indicator is not None:
                self.check_placement(figure)
            yield figure

    def in_file(self, key):
        agency, year, code, part = key
        bit = self.bits.get((code, part))
        return bit is not None and bool(self.figure_bits.get((agency, year), 0) >> bit & 1)

    def check_placement(self, figure):
        """An item has one indicator for every agency of a framework version."""
        key = (self.versions[figure.fiscal_year].pk, figure.code)
        row, indicator = self.placed.setdefault(key, (figure.row, figure.indicator))
        if indicator != figure.indicator:
            self.problems.append(
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

    def finish(self, rows):
        """Once every row is read: name the duplicates' first rows (reading `rows` again, only
        when there are duplicates), check placements against what is saved, sort the problems."""
        if self.duplicates:
            first = first_rows(rows, {key for _row, key in self.duplicates}, self)
            for number, key in self.duplicates:
                self.problems.append(
                    Problem(
                        number,
                        interpolate(
                            _("duplicate of row %(row)s (same agency, year, code and part)"), {"row": first[key]}
                        ),
                    )
                )
        self.problems.extend(saved_placement_conflicts(self.placed, self.in_file))
        self.problems.sort(key=lambda problem: problem.row)
        return self.problems


def remembered(cache, key, make):
    """make(key), remembered in `cache` for the next row with the same cells; a refusal is
    remembered as its message and raised anew (one exception raised again and again would
    keep every traceback)."""
    try:
        value, refusal = cache[key]
    except KeyError:
        if len(cache) >= CELL_CACHE:
            cache.clear()
        try:
            value, refusal = make(key), None
        except (ValueError, CodeError) as exc:
            value, refusal = None, exc.args[0]
        cache[key] = (value, refusal)
    if refusal is not None:
        raise ValueError(refusal)
    return value


def first_rows(rows, keys, check):
    """{key: the first row of the file with that figure} for the figure keys asked for."""
    first = {}
    for number, cells in rows:
        if len(first) == len(keys):
            break
        try:
            figure = check.figure(number, cells)
        except (ValueError, CodeError):
            continue
        if figure is not None and figure.key() in keys:
            first.setdefault(figure.key(), number)
    return first


def check_results(rows, user=None):
    """Check every row; return (figures, problems). Nothing is written. `rows` is read twice
    when there are duplicates: a list, or a ResultsFile."""
    check = ResultsCheck(user)
    figures = list(check.check(rows))
    return figures, check.finish(rows)


# Checked figures a spool chunk holds: what the save pass has in memory at once besides its batch.
SPOOL_CHUNK = 1_000


def check_results_file(rows, user=None):
    """Check every row of a large file without keeping its figures in memory; return the
    ResultsCheck (`problems`, `figures` counted, and what `save_results_file` needs). The good
    figures go to a temporary spool file as they are checked, so that the save pass reads them
    back a chunk at a time instead of parsing and checking the file a second time."""
    check = ResultsCheck(user)
    check.spool = tempfile.TemporaryFile(prefix="results-import-")
    chunk = []
    try:
        for figure in check.check(rows):
            # The score as text: a Decimal pickles several times slower than its digits.
            chunk.append((*figure[:5], str(figure.score), *figure[6:]))
            if len(chunk) >= SPOOL_CHUNK:
                pickle.dump(chunk, check.spool, pickle.HIGHEST_PROTOCOL)
                chunk.clear()
        if chunk:
            pickle.dump(chunk, check.spool, pickle.HIGHEST_PROTOCOL)
        check.finish(rows)
    except BaseException:
        check.spool.close()
        raise
    return check


def spooled_figures(spool):
    """The figures `check_results_file` spooled, in file order, a chunk in memory at a time.
    The spool is the import's own temporary file, written by it alone."""
    spool.seek(0)
    while True:
        try:
            chunk = pickle.load(spool)  # noqa: S301 - our own temporary file, never user input
        except EOFError:
            return
        for row, agency, year, code, part, score, indicator, level in chunk:
            yield Figure(row, agency, year, code, part, Decimal(score), indicator, level)


def saved_placement_conflicts(placed, in_file):
    """Problems for items the file places under another indicator than saved results of the same
    framework version do (saved figures the file replaces do not count)."""
    if not placed:
        return []
    differs = Q()
    for (version_id, code), (_row, indicator) in placed.items():
        differs |= Q(assessment__version_id=version_id, code=code) & ~Q(indicator=indicator)
    saved = Score.objects.filter(differs, indicator__isnull=False).values_list(
        "assessment__version_id", "code", "indicator", "assessment__agency__code", "assessment__fiscal_year", "part"
    )
    problems, reported = [], set()
    for version_id, code, indicator, agency, year, part in saved.order_by("assessment__agency__code", "part"):
        if in_file((agency, year, code, part)) or (version_id, code) in reported:
            continue
        reported.add((version_id, code))
        row, placed_under = placed[(version_id, code)]
        problems.append(
            Problem(
                row,
                interpolate(
                    _(
                        "item %(code)s is placed under indicator %(indicator)s, but the saved results of "
                        "%(agency)s for fiscal year %(year)s put it under indicator %(other)s: an item has one "
                        "indicator in every agency's results"
                    ),
                    {"code": code, "indicator": placed_under, "agency": agency, "year": year, "other": indicator},
                ),
            )
        )
    return problems


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


# Figures per transaction, whole assessments each (about 100 agencies of 2568's 61 items). On SQLite
# every other save waits while a batch is written, so a batch must stay far below the busy timeout
# (SQLITE_TIMEOUT, 20 s): one of this size holds the write lock for about a quarter of a second.
# Each batch also costs a dozen queries and a commit: 2,000 figures a batch made a national year's
# import a fifth slower.
RESULTS_BATCH = 6000
# Seconds of writing between two pauses that let waiting saves through (let_others_write): a pause
# after every batch made a national import sleep longer than it wrote.
WRITE_BEFORE_PAUSE = 1.0
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
    return save_batches(assessment_batches(figures, batch_size), {f.fiscal_year for f in figures}, progress)


def save_results_file(check, *, batch_size=RESULTS_BATCH, progress=None):
    """Write the figures of a file that `check_results_file` found good, read back from its
    spool: an assessment's figures are held until its last row (`check.last_rows`), then go to
    the next batch, so a file sorted by agency, as exports and templates are, holds one
    assessment and one batch at a time. Returns counts as `save_results` does."""
    try:
        batches = file_batches(spooled_figures(check.spool), check.last_rows, batch_size)
        return save_batches(batches, set(check.versions), progress)
    finally:
        check.spool.close()


def file_batches(figures, last_rows, size):
    waiting, batch = {}, []
    for figure in figures:
        key = (figure.agency, figure.fiscal_year)
        waiting.setdefault(key, []).append(figure)
        if figure.row == last_rows[key]:
            batch.extend(waiting.pop(key))
            if len(batch) >= size:
                yield batch
                batch = []
    if batch:
        yield batch


def save_batches(batches, years, progress):
    specs = FrameworkVersion.objects.specs()
    versions = {
        year: FrameworkVersion.objects.filter(first_year__lte=year, last_year__gte=year).first() for year in years
    }
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    written, since_pause = 0, time.monotonic()
    with collected_each_batch() as collect:
        for batch in batches:
            for key, count in save_results_batch(batch, versions, specs).items():
                counts[key] += count
            written += len(batch)
            if progress:
                progress(written)
            if time.monotonic() - since_pause >= WRITE_BEFORE_PAUSE:
                let_others_write()
                since_pause = time.monotonic()
            collect()
    if counts["created"] or counts["updated"]:
        # The year's ranks once for the whole file: once a batch, a national import would rewrite
        # thousands of ranks thousands of times.
        Assessment.objects.filter(fiscal_year__in=versions).refresh_ranks()
    return counts


@contextlib.contextmanager
def collected_each_batch():
    """Free each batch's model instances when it is written. They refer to each other (a score to
    its assessment, the assessment to its prefetched scores), so only the cycle collector frees
    them, and it frees old objects rarely: a national import grew by a few megabytes a second.
    Everything alive before the import is frozen out of the collector meanwhile, so collecting
    after a batch looks at that batch's objects only, in about a millisecond."""
    gc.collect()
    gc.freeze()
    try:
        yield gc.collect
    finally:
        gc.unfreeze()


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
    """One batch in one transaction, in the same number of queries however many figures."""
    # An import of the same agencies waits here until this batch commits, then finds its figures
    # saved (PostgreSQL: locked in one order, so two imports cannot deadlock). SQLite's IMMEDIATE
    # transaction already holds the database's write lock.
    agencies = {
        a.code: a
        for a in Agency.objects.select_for_update().filter(code__in={f.agency for f in figures}).order_by("pk")
    }
    assessments = batch_assessments(agencies, {(f.agency, f.fiscal_year) for f in figures}, versions)
    by_id = {assessment.pk: assessment for assessment in assessments.values()}
    saved = list(Score.objects.filter(assessment__in=by_id))
    existing = {(s.assessment_id, s.code, s.part): s for s in saved}
    created, updated, unchanged = [], [], 0
    for figure in figures:
        assessment = assessments[(figure.agency, figure.fiscal_year)]
        score = existing.get((assessment.pk, figure.code, figure.part))
        if score is None:
            created.append(
                NewScore(assessment.pk, figure.code, figure.part, figure.score, figure.indicator, figure.level or "")
            )
        elif changes_score(score, figure):
            score.score, score.indicator = figure.score, figure.indicator
            if figure.level is not None:
                score.level = figure.level
            updated.append(score)
        else:
            unchanged += 1
    insert_scores(created, newer_than=max((s.pk for s in saved), default=0), assessments=by_id)
    # The *_with_history helper keeps the audit trail that a plain bulk write would skip.
    bulk_update_with_history(updated, Score, ["score", "indicator", "level"])
    touched = {score.assessment_id for score in created + updated}
    # The summaries are computed from the assessments and scores in hand (saved ones updated in
    # place, new ones as NewScore) instead of read back; the year's ranks wait for the whole file
    # (save_batches).
    scores_of = {pk: [] for pk in touched}
    for score in [*saved, *created]:
        if score.assessment_id in scores_of:
            scores_of[score.assessment_id].append(score)
    summarised = sorted(
        (by_id[pk] for pk in touched), key=lambda a: (a.agency.name_th, a.agency_id, -a.fiscal_year)
    )  # in the order refresh_summaries reads them (Assessment's ordering), so rows get the same ids
    Assessment.objects.filter(pk__in=touched).refresh_summaries(
        specs, ranks=False, scores_of=scores_of, in_hand=summarised
    )
    return {"created": len(created), "updated": len(updated), "unchanged": unchanged}


class NewScore(NamedTuple):
    """A score to insert: what the summary reads of a Score, without building a model instance."""

    assessment_id: int
    code: str
    part: int
    score: Decimal
    indicator: int | None
    level: str


def batch_assessments(agencies, keys, versions):
    """{(agency code, year): Assessment} of a batch, the missing ones created with their history."""
    found = {
        (a.agency.code, a.fiscal_year): a
        for a in Assessment.objects.filter(
            agency__in=agencies.values(), fiscal_year__in={year for _code, year in keys}
        ).select_related("agency")
    }
    missing = [
        Assessment(agency=agencies[code], fiscal_year=year, version=versions[year])
        for code, year in sorted(keys)
        if (code, year) not in found
    ]
    if missing:
        insert_assessments(missing)
    for assessment in missing:
        found[(assessment.agency.code, assessment.fiscal_year)] = assessment
    return {key: found[key] for key in keys}


def insert_assessments(assessments):
    """Insert new assessments (of agencies the batch has locked) and their "created" history rows,
    as bulk_create_with_history writes them, and give the instances their ids: the ORM built a model
    instance and its SQL for every row and history row, a tenth of the time of a national import."""
    now = timezone.now()
    for assessment in assessments:
        assessment.created = assessment.updated = now  # what auto_now_add and auto_now set on a save
    insert_with_ids(Assessment, assessments)
    # bulk_create_with_history gives them no change reason (NULL), unlike the scores' "" (insert_scores).
    insert_created_history(Assessment, [a.pk for a in assessments], change_reason=None)


def insert_created_history(model, pks, *, change_reason):
    """Copy the rows `pks` of `model` to its history as "created" now, in the order of their ids, by
    whoever imports (the signed-in user of a web import, as the ORM's history rows record it)."""
    history = model.history.model
    quote = connection.ops.quote_name
    columns = ", ".join(quote(field.column) for field in history.tracked_fields)
    user = history.get_default_history_user(model())
    ids = ", ".join(["%s"] * len(pks))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {quote(history._meta.db_table)} ({columns}, history_date, history_change_reason, "
            f"history_type, history_user_id) SELECT {columns}, %s, %s, %s, %s FROM {quote(model._meta.db_table)} "
            f"WHERE {quote(model._meta.pk.column)} IN ({ids}) ORDER BY {quote(model._meta.pk.column)}",
            [
                connection.ops.adapt_datetimefield_value(timezone.now()),
                change_reason,
                "+",
                user.pk if user else None,
                *pks,
            ],
        )


def insert_scores(scores, *, newer_than, assessments):
    """Insert new scores and their "created" history rows in two statements: the ORM's bulk_create
    spent fifty microseconds a row building SQL, longer than the database took to write it. The
    history rows are copied from the rows just written (ids above `newer_than` among the batch's
    assessments, whose agencies this batch has locked), as bulk_create_with_history writes them."""
    if not scores:
        return
    table, history = Score._meta.db_table, Score.history.model._meta.db_table
    quote = connection.ops.quote_name
    columns = ", ".join(quote(c) for c in ("assessment_id", "code", "part", "score", "indicator", "level"))
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {quote(table)} ({columns}) VALUES (%s, %s, %s, %s, %s, %s)",
            # Scores are checked Decimals of two decimals already: passed as they are (both databases'
            # drivers take a Decimal), not formatted again a row at a time.
            [(s.assessment_id, s.code, s.part, s.score, s.indicator, s.level) for s in scores],
        )
        # Who imported: the signed-in user of a web import, as the ORM's history rows record it.
        user = Score.history.model.get_default_history_user(Score())

        ids = ", ".join(["%s"] * len(assessments))
        cursor.execute(
            f"INSERT INTO {quote(history)} (id, {columns}, history_date, history_change_reason, history_type, "
            f"history_user_id) SELECT id, {columns}, %s, %s, %s, %s FROM {quote(table)} "
            f"WHERE assessment_id IN ({ids}) AND id > %s",
            [
                connection.ops.adapt_datetimefield_value(timezone.now()),
                "",
                "+",
                user.pk if user else None,
                *assessments,
                newer_than,
            ],
        )
