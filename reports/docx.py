"""The DOCX renderer: a Document's rows as a Word file, for offices that adapt and sign in Word.

The same rows as the PDF and XLSX, formatted as the PDF formats them (reports.pdf.cell_text).
Thai official typography: A4, margins 3 cm left and 2 cm right, TH SarabunPSK 16 pt (tables
14 pt). The font is set in the styles for all four scripts of w:rFonts and the complex-script
size (w:szCs) and language, or Word shows Thai in its default complex-script font and size.
Header rows repeat on every page (w:tblHeader); a section landscape where the PDF is landscape
gets its own Word section. python-docx cannot take SVG: charts are drawn to PNG by WeasyPrint
and pdfium (about 0.1 s a chart).
"""

import io
import re

import pypdfium2
from django.utils import timezone
from docx import Document as WordDocument
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.image.exceptions import UnrecognizedImageError
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor
from weasyprint import HTML

from assessments.thai import thai_date
from reports.layout import Header
from reports.pdf import CODE_WIDTH, FONT_CONFIG, FONT_DIR, cell_text, font_faces

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
FONT_NAME = "TH SarabunPSK"  # the national font installed on government PCs
BODY_SIZE, TABLE_SIZE, TITLE_SIZE = 16, 14, 18
A4 = (Cm(21), Cm(29.7))
MARGINS = {"left": Cm(3), "right": Cm(2), "top": Cm(2.5), "bottom": Cm(2)}
HEADER_FILL, HEADING_FILL = "E8E8E8", "F3F3F3"
CELL_MARGIN = Pt(3)
FIGURE_WIDTH = 0.55  # a character's width in TH SarabunPSK and its stand-ins, in ems (digits ≈ 0.5)
CHART_WIDTH = Cm(16)  # as wide as the PDF prints it
# Characters XML 1.0 cannot hold (lxml refuses them): control characters pasted from Word.
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
THEME_FONTS = ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme")


def clean(text):
    """Text Word can hold: without control characters (which python-docx refuses), as text."""
    return NOT_XML.sub("", str(text))


# Styles


def child(parent, tag, *, first=False):
    """`parent`'s element `tag`, added (at the start when `first`) if it has none."""
    element = parent.find(qn(tag))
    if element is None:
        element = OxmlElement(tag)
        if first:
            parent.insert(0, element)
        else:
            parent.append(element)
    return element


def set_font(rpr, size=None, bold=None):
    """TH SarabunPSK for every script of a run or style's w:rPr, its size for complex script too,
    and the Thai language; theme fonts removed (they would win over the names)."""
    fonts = child(rpr, "w:rFonts", first=True)
    for attribute in THEME_FONTS:
        fonts.attrib.pop(qn(attribute), None)
    for script in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(script), FONT_NAME)
    if bold is not None:
        for tag in ("w:b", "w:bCs"):
            child(rpr, tag).set(qn("w:val"), "1" if bold else "0")
    if size is not None:
        for tag in ("w:sz", "w:szCs"):
            child(rpr, tag).set(qn("w:val"), str(size * 2))  # half-points
    lang = child(rpr, "w:lang")
    for attribute in ("w:val", "w:eastAsia", "w:bidi"):
        lang.set(qn(attribute), "th-TH")


def paragraph_style(word, name, size, *, bold=False, base="Normal"):
    styles = word.styles
    style = styles[name] if name in [s.name for s in styles] else styles.add_style(name, 1)
    style.base_style = styles[base] if base else None
    style.font.color.rgb = RGBColor(0, 0, 0)
    set_font(style.element.get_or_add_rPr(), size, bold)
    return style


def set_up_styles(word):
    """Every style the document uses, in TH SarabunPSK: Normal 16 pt, headings, table text 14 pt."""
    defaults = word.styles.element.find(qn("w:docDefaults"))
    set_font(defaults.find(qn("w:rPrDefault")).find(qn("w:rPr")), BODY_SIZE)
    normal = paragraph_style(word, "Normal", BODY_SIZE, bold=False, base=None)
    normal.paragraph_format.space_after = Pt(0)
    normal.paragraph_format.line_spacing = 1.0
    for name, size in (("Heading 1", TITLE_SIZE), ("Heading 2", BODY_SIZE), ("Heading 3", BODY_SIZE)):
        style = paragraph_style(word, name, size, bold=True)
        style.font.italic = False
        style.paragraph_format.space_before = Pt(12 if name != "Heading 3" else 6)
        style.paragraph_format.space_after = Pt(3)
        style.paragraph_format.keep_with_next = True
        color = style.element.rPr.find(qn("w:color"))
        for attribute in ("w:themeColor", "w:themeShade", "w:themeTint"):
            color.attrib.pop(qn(attribute), None)
    word.styles["Heading 1"].paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    body = paragraph_style(word, "ITA Body", BODY_SIZE)
    body.paragraph_format.first_line_indent = Cm(1.5)
    body.paragraph_format.space_after = Pt(3)
    centred = paragraph_style(word, "ITA Centred", BODY_SIZE)
    centred.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    table_text = paragraph_style(word, "ITA Table", TABLE_SIZE)
    table_header = paragraph_style(word, "ITA Table Header", TABLE_SIZE, bold=True, base="ITA Table")
    table_header.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    small = paragraph_style(word, "ITA Small", 12)
    return {
        "h1": word.styles["Heading 1"],
        "h2": word.styles["Heading 2"],
        "h3": word.styles["Heading 3"],
        "body": body,
        "centred": centred,
        "table": table_text,
        "header": table_header,
        "small": small,
    }


# Pages


def set_page(section, landscape):
    """A4 in the orientation, with Thai official margins."""
    width, height = A4
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = (height, width) if landscape else (width, height)
    for side, margin in MARGINS.items():
        setattr(section, f"{side}_margin", margin)
    section.header_distance = section.footer_distance = Cm(1.2)


def text_width(section):
    return section.page_width - section.left_margin - section.right_margin


def field(paragraph, instruction, shown):
    """A Word field (PAGE, NUMPAGES) showing `shown` until Word updates it."""
    simple = OxmlElement("w:fldSimple")
    simple.set(qn("w:instr"), instruction)
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = shown
    run.append(text)
    simple.append(run)
    paragraph._p.append(simple)


def running_header_and_footer(section, document, styles):
    """The agency and year at the top of every page and "หน้า n / N" at the foot, as the PDF prints."""
    top = section.header.paragraphs[0]
    top.text = clean(f"{document.agency_name} · ปีงบประมาณ พ.ศ. {document.fiscal_year}")
    top.style = styles["small"]
    top.alignment = WD_ALIGN_PARAGRAPH.CENTER
    foot = section.footer.paragraphs[0]
    foot.style = styles["small"]
    foot.alignment = WD_ALIGN_PARAGRAPH.CENTER
    foot.add_run("หน้า ")
    field(foot, "PAGE", "1")
    foot.add_run(" / ")
    field(foot, "NUMPAGES", "1")


# Tables


def cell_properties(cell):
    return cell._tc.get_or_add_tcPr()


def shade(cell, fill):
    """The cell's background; w:shd goes before w:noWrap, w:vAlign and the rest (the schema's order)."""
    tcpr = cell_properties(cell)
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), fill)
    later = [qn(t) for t in ("w:noWrap", "w:tcMar", "w:textDirection", "w:tcFitText", "w:vAlign", "w:hideMark")]
    successor = next((child for child in tcpr if child.tag in later), None)
    if successor is None:
        tcpr.append(shd)
    else:
        successor.addprevious(shd)


def no_wrap(cell):
    """A figure never wraps (w:noWrap goes after w:shd, before w:vAlign)."""
    tcpr = cell_properties(cell)
    element = OxmlElement("w:noWrap")
    later = [qn(t) for t in ("w:tcMar", "w:textDirection", "w:tcFitText", "w:vAlign", "w:hideMark")]
    successor = next((child for child in tcpr if child.tag in later), None)
    if successor is None:
        tcpr.append(element)
    else:
        successor.addprevious(element)


def row_property(row, tag):
    element = OxmlElement(tag)
    row._tr.get_or_add_trPr().append(element)


def use_style(paragraph, style):
    """`paragraph.style = style` without python-docx's look-up of the default style, which walks
    every style for every cell (most of the time of a table)."""
    ppr = paragraph._p.find(qn("w:pPr"))
    if ppr is None:
        ppr = OxmlElement("w:pPr")
        paragraph._p.insert(0, ppr)
    pstyle = OxmlElement("w:pStyle")
    pstyle.set(qn("w:val"), style.style_id)
    ppr.insert(0, pstyle)


def add_paragraph(word, text, style):
    """A paragraph of `style` at the end of the document (python-docx's own `style=` is slow)."""
    paragraph = word.add_paragraph(text)
    use_style(paragraph, style)
    return paragraph


def write_text(cell, text, style, *, bold=False, align=None, indent=None):
    paragraph = cell.paragraphs[0]
    use_style(paragraph, style)
    if align is not None:
        paragraph.alignment = align
    if indent is not None:
        paragraph.paragraph_format.left_indent = indent
    if text:
        run = paragraph.add_run(clean(text))  # python-docx writes "\n" as a line break
        if bold:
            run.bold = True
            set_font(run._r.get_or_add_rPr(), bold=True)


def header_grid(table):
    """[(row, column, Header)] of the header rows: where each header cell starts, merges from
    above skipped, as the XLSX renderer places them."""
    taken, placed = set(), []
    for offset, header_row in enumerate(table.header_rows):
        column = 0
        for cell in header_row:
            cell = cell if isinstance(cell, Header) else Header(str(cell))
            while (offset, column) in taken:
                column += 1
            placed.append((offset, column, cell))
            for r in range(offset, offset + cell.rowspan):
                for c in range(column, column + cell.colspan):
                    taken.add((r, c))
            column += cell.colspan
    return placed


def printed_length(text):
    """Characters that take width: Thai vowel and tone marks above or below take none."""
    return sum(0 if "\u0e31" <= c <= "\u0e3a" or "\u0e47" <= c <= "\u0e4e" else 1 for c in text)


def unbreakable(text, whole):
    """The pieces of a cell's text Word cannot wrap inside: each line of a figure or code
    (`whole`), else each run of letters, digits and signs without a space or a Thai letter
    ("I4=100.00"; Thai text wraps between words anywhere)."""
    if whole:
        return text.split("\n")
    return [piece for piece in text.split() if not any("\u0e00" <= c <= "\u0e7f" for c in piece)]


def column_widths(source, width):
    """The columns' widths in EMU: in proportion to the table's, but each column at least as
    wide as the longest piece of its text that cannot wrap (a narrow column would print
    "100.0" over "0"); the other columns give up what those need."""
    total = sum(source.widths) or 1
    widths = [width * w / total for w in source.widths]
    short = {}
    for column, share in enumerate(source.widths):
        kind = source.number_columns.get(column)
        whole = bool(kind) or share <= CODE_WIDTH
        texts = [cell_text(row[column], kind) for row in source.rows if column < len(row) - (len(row) < source.columns)]
        pieces = [piece for text in texts for piece in unbreakable(text, whole)]
        longest = max(map(printed_length, pieces), default=0)
        need = min(Pt(longest * FIGURE_WIDTH * TABLE_SIZE) + 2 * CELL_MARGIN, width * 0.4)
        if widths[column] < need:
            short[column] = need
    rest = [c for c in range(len(widths)) if c not in short]
    if short and rest:
        room = width - sum(short.values())
        rest_total = sum(widths[c] for c in rest)
        for c in rest:
            widths[c] = widths[c] * room / rest_total
        for c, need in short.items():
            widths[c] = need
    return [int(w) for w in widths]


def cell_margins(table):
    """Narrow left and right cell margins, as the PDF's 4 pt padding."""
    margins = OxmlElement("w:tblCellMar")
    for side in ("w:left", "w:right"):
        element = OxmlElement(side)
        element.set(qn("w:w"), str(int(CELL_MARGIN.pt * 20)))
        element.set(qn("w:type"), "dxa")
        margins.append(element)
    table._tbl.tblPr.append(margins)


def add_table(word, source, width, styles):
    columns = source.columns
    widths = column_widths(source, width)
    header_count = len(source.header_rows)
    table = word.add_table(rows=header_count + len(source.rows), cols=columns)
    table.style = word.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    table._tbl.tblPr.append(layout)
    cell_margins(table)
    for column, grid in zip(table.columns, widths, strict=True):
        column.width = grid
    rows = table.rows
    cells = [row.cells for row in rows]
    for row_cells in cells:
        for cell, grid in zip(row_cells, widths, strict=True):
            cell.width = grid

    for index in range(header_count):
        row_property(rows[index], "w:cantSplit")
        row_property(rows[index], "w:tblHeader")  # repeated at the top of every page
    for offset, column, header in header_grid(source):
        cell = cells[offset][column]
        last = cells[offset + header.rowspan - 1][column + header.colspan - 1]
        if last is not cell:
            cell = cell.merge(last)
        write_text(cell, header.text, styles["header"])
        shade(cell, HEADER_FILL)
        cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER

    label = source.label_column
    for index, values in enumerate(source.rows):
        row, row_cells = rows[header_count + index], cells[header_count + index]
        if not source.long_rows:
            row_property(row, "w:cantSplit")  # as the PDF keeps a row on one page
        style = source.style(index)
        bold = style in ("heading", "total")
        for column, value in enumerate(values):
            kind = source.number_columns.get(column)
            cell = row_cells[column]
            if column == len(values) - 1 and len(values) < columns:
                cell = cell.merge(row_cells[-1])  # a short row spans its last cell over the rest
            if kind:
                align = WD_ALIGN_PARAGRAPH.RIGHT
                no_wrap(cell)
            elif source.widths[column] <= CODE_WIDTH and column != label and style != "heading":
                align = WD_ALIGN_PARAGRAPH.CENTER  # codes and levels, centred as the PDF prints them
            else:
                align = None
            indent = Cm(0.5) if style == "indent" and column == label else None
            write_text(cell, cell_text(value, kind), styles["table"], bold=bold, align=align, indent=indent)
            if style == "heading":
                shade(cell, HEADING_FILL)
    return table


# Charts


def chart_png(svg):
    """The SVG chart as a PNG at 200 dpi: WeasyPrint lays it out on a page its size, pdfium draws it."""
    size = re.search(r'viewBox="0 0 ([\d.]+) ([\d.]+)"', svg)
    width, height = (size.group(1), size.group(2)) if size else ("640", "260")
    faces = "".join(
        f'@font-face {{ font-family: "Sarabun"; src: url("{face["url"]}"); '
        f"font-weight: {face['weight']}; font-style: {face['style']}; }}"
        for face in font_faces()
    )
    html = (
        f"<html><head><style>{faces} @page {{ size: {width}px {height}px; margin: 0 }} "
        f"body {{ margin: 0 }} svg {{ display: block }}</style></head><body>{svg}</body></html>"
    )
    pdf = pypdfium2.PdfDocument(HTML(string=html, base_url=str(FONT_DIR)).write_pdf(font_config=FONT_CONFIG))
    try:
        image = pdf[0].render(scale=200 / 72).to_pil()
    finally:
        pdf.close()
    out = io.BytesIO()
    image.save(out, "PNG")
    return out


def chart_title(svg):
    found = re.search(r"<title>([^<]*)</title>", svg)
    return found.group(1) if found else ""


def add_chart(word, svg, styles):
    paragraph = add_paragraph(word, "", styles["centred"])
    paragraph.paragraph_format.keep_together = True
    run = paragraph.add_run()
    picture = run.add_picture(chart_png(svg), width=CHART_WIDTH)
    # The chart's title as its alternative text, for screen readers.
    picture._inline.docPr.set("descr", clean(chart_title(svg)))


# The first page and the last


def add_letterhead(word, letterhead, styles):
    """The agency's logo centred at the top, then its name and address, as Thai official letters."""
    if letterhead.logo:
        paragraph = add_paragraph(word, "", styles["centred"])
        try:
            paragraph.add_run().add_picture(io.BytesIO(letterhead.logo), height=Cm(3))
        except UnrecognizedImageError:  # checked when uploaded; one that cannot be read is left out
            paragraph._p.getparent().remove(paragraph._p)
    name = add_paragraph(word, "", styles["centred"])
    run = name.add_run(clean(letterhead.full_name))
    run.bold = True
    set_font(run._r.get_or_add_rPr(), bold=True)
    details = [letterhead.address]
    details.append(
        " ".join(filter(None, [letterhead.telephone and f"โทร. {letterhead.telephone}", letterhead.website]))
    )
    for line in filter(None, details):
        add_paragraph(word, clean(line), styles["centred"])
    # A rule under the letterhead: a bottom border on its last paragraph.
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for attribute, value in (("w:val", "single"), ("w:sz", "6"), ("w:space", "4"), ("w:color", "000000")):
        bottom.set(qn(attribute), value)
    borders.append(bottom)
    word.paragraphs[-1]._p.get_or_add_pPr().append(borders)
    word.paragraphs[-1].paragraph_format.space_after = Pt(12)


def add_title(word, document, styles, today):
    for index, line in enumerate(document.title_lines):
        if index == 0:
            add_paragraph(word, clean(line), styles["h1"])
        else:
            bold_line(add_paragraph(word, "", styles["centred"]), line)
    bold_line(add_paragraph(word, "", styles["centred"]), document.agency_name)
    printed = add_paragraph(word, f"พิมพ์เมื่อ {thai_date(today)}", styles["small"])
    printed.alignment = WD_ALIGN_PARAGRAPH.CENTER


def bold_line(paragraph, text):
    run = paragraph.add_run(clean(text))
    run.bold = True
    set_font(run._r.get_or_add_rPr(), bold=True)


def signature_lines(signature):
    date = thai_date(signature.date) if signature.date else "............/............/............"
    lines = [signature.role, "ลงชื่อ ........................................", f"({signature.name})"]
    if signature.position:
        lines.append(signature.position)
    return [*lines, f"วันที่ {date}"]


def add_signatures(word, signatures, width, styles):
    """The signature blocks side by side, three to a row, in a table without borders."""
    spacer = word.add_paragraph()
    spacer.paragraph_format.space_before = Pt(18)
    spacer.paragraph_format.keep_with_next = True
    per_row = min(3, len(signatures))
    rows = [signatures[i : i + per_row] for i in range(0, len(signatures), per_row)]
    table = word.add_table(rows=len(rows), cols=per_row)
    for row, blocks in zip(table.rows, rows, strict=True):
        row_property(row, "w:cantSplit")
        for cell, signature in zip(row.cells, blocks, strict=False):
            cell.width = int(width / per_row)
            paragraph = cell.paragraphs[0]
            use_style(paragraph, styles["centred"])
            paragraph.paragraph_format.keep_together = True
            paragraph.add_run(clean("\n".join(signature_lines(signature))))


def add_acknowledgement(word, acknowledgement, styles):
    """The executive's acknowledgement recorded in the app, printed as the NACC asks to see it."""
    heading = add_paragraph(word, "", styles["body"])
    heading.paragraph_format.first_line_indent = Cm(0)
    heading.paragraph_format.space_before = Pt(18)
    heading.paragraph_format.keep_with_next = True
    bold_line(heading, "ความเห็นของผู้บริหาร")
    text = add_paragraph(word, clean(acknowledgement.text), styles["body"])
    text.paragraph_format.keep_with_next = True
    lines = [f"({acknowledgement.name})", acknowledgement.position, f"วันที่ {thai_date(acknowledgement.date)}"]
    block = add_paragraph(word, clean("\n".join(filter(None, lines))), styles["centred"])
    block.paragraph_format.keep_together = True


# The document


def render_docx(document, *, landscape=False, today=None):
    """The document as DOCX bytes, A4 in `landscape` unless a section says otherwise."""
    word = WordDocument()
    styles = set_up_styles(word)
    properties = word.core_properties
    properties.title = clean(document.title_lines[0] if document.title_lines else "")
    properties.author = properties.last_modified_by = clean(document.agency_name)
    properties.comments = ""  # python-docx's template says "generated by python-docx"
    properties.created = properties.modified = timezone.now()
    properties.language = "th-TH"
    section = word.sections[0]
    orientation = landscape
    set_page(section, orientation)
    running_header_and_footer(section, document, styles)
    if document.letterhead:
        add_letterhead(word, document.letterhead, styles)
    add_title(word, document, styles, today or timezone.localdate())
    for part in document.sections:
        wanted = landscape if part.landscape is None else part.landscape
        if wanted != orientation or part.new_page:
            if wanted != orientation:
                section = word.add_section(WD_SECTION.NEW_PAGE)  # a page of its own orientation
                set_page(section, wanted)
                orientation = wanted
            else:
                word.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        add_paragraph(word, clean(part.heading), styles["h2" if part.level == 2 else "h3"])
        for paragraph in part.paragraphs:
            add_paragraph(word, clean(paragraph), styles["body"])
        if part.table:
            add_table(word, part.table, text_width(section), styles)
            word.add_paragraph()  # Word joins two tables that touch
        for chart in part.charts:
            add_chart(word, chart, styles)
    if document.signatures:
        add_signatures(word, document.signatures, text_width(section), styles)
    if document.acknowledgement:
        add_acknowledgement(word, document.acknowledgement, styles)
    out = io.BytesIO()
    word.save(out)
    return out.getvalue()
