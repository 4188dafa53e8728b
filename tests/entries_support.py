"""Builders shared by the progress-entry tests: evidence bytes as real programs write them, and form data."""

import html
import io
import re
import struct
import zipfile

from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook
from PIL import Image

from measures.models import ProgressEntry

PDF = (
    b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
    b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
)


def png_bytes():
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "white").save(buffer, "PNG")
    return buffer.getvalue()


def xlsx_bytes():
    buffer = io.BytesIO()
    workbook = Workbook()
    workbook.active.append(["กิจกรรม", "ผู้เข้าร่วม"])
    workbook.save(buffer)
    return buffer.getvalue()


def plain_zip_bytes():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("notes.txt", "not an Office document")
    return buffer.getvalue()


CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>{overrides}</Types>'
)
WORD_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="word/document.xml"/></Relationships>'
)
DOCUMENT = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
    "<w:body><w:p><w:r><w:t>รายงานการประชุม</w:t></w:r></w:p></w:body></w:document>"
)


def package_bytes(members, main_type=WORD_MAIN, main_part="/word/document.xml"):
    """A zip with [Content_Types].xml declaring `main_part` as `main_type`, and `members` ({name: text})."""
    buffer = io.BytesIO()
    overrides = f'<Override PartName="{main_part}" ContentType="{main_type}"/>' if main_type else ""
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES.format(overrides=overrides))
        for name, text in members.items():
            archive.writestr(name, text)
    return buffer.getvalue()


def docx_bytes():
    """A Word document as Word writes its package: content types, relationships, the main part."""
    return package_bytes({"_rels/.rels": RELS, "word/document.xml": DOCUMENT})


def ole2_bytes(streams, storages=()):
    """A compound file, the container of .doc, .xls and .ppt files and of .msi installers, with
    `streams` ({name: bytes}) and empty `storages` at the root of its directory. Streams are padded
    to 4 KB so that they live in regular sectors (no mini stream to write)."""

    sector, free, end, fat_mark, none = 512, 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF
    datas = [data.ljust(4096, b"\0") for data in streams.values()]
    names = ["Root Entry", *streams, *storages]
    directory_sectors = -(-len(names) // 4)
    fat = [fat_mark] + [end if i == directory_sectors - 1 else i + 2 for i in range(directory_sectors)]
    starts = []
    for data in datas:
        count = -(-len(data) // sector)
        starts.append(len(fat))
        fat += [len(fat) + i + 1 for i in range(count - 1)] + [end]
    assert len(fat) <= 128, "one FAT sector only"
    fat += [free] * (128 - len(fat))

    def entry(name, kind, start=end, size=0, right=none, child=none):
        encoded = (name + "\0").encode("utf-16-le")
        return struct.pack(
            "<64sHBBIII16sIQQIII", encoded, len(encoded), kind, 1, none, right, child, b"", 0, 0, 0, start, size, 0
        )

    count = len(names)
    entries = [entry("Root Entry", 5, child=1 if count > 1 else none)]
    for index, name in enumerate(names[1:], start=1):
        right = index + 1 if index + 1 < count else none
        if index <= len(datas):
            entries.append(entry(name, 2, starts[index - 1], len(datas[index - 1]), right))
        else:
            entries.append(entry(name, 1, 0, 0, right))
    entries += [struct.pack("<64sHBBIII16sIQQIII", b"", 0, 0, 0, none, none, none, b"", 0, 0, 0, 0, 0, 0)] * (
        directory_sectors * 4 - count
    )
    header = struct.pack(
        "<8s16sHHHHH6sIIIIIIIII",
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
        b"",
        0x3E,
        3,
        0xFFFE,
        9,
        6,
        b"",
        0,
        1,
        1,
        0,
        4096,
        end,
        0,
        end,
        0,
    ) + struct.pack("<109I", 0, *[free] * 108)
    body = struct.pack("<128I", *fat) + b"".join(entries)
    for data in datas:
        body += data.ljust(-(-len(data) // sector) * sector, b"\0")
    return header + body


def upload(name, content, content_type="application/pdf"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def form_data(entry, new_activities=(), remove=(), **fields):
    """What the entry form posts: the entry's saved values (with its revision), changed by `fields`;
    its saved activities, less `remove` (their texts), plus `new_activities` as (ISO date, text)."""
    entry = ProgressEntry.objects.get(pk=entry.pk)
    data = {
        "revision": entry.revision,
        "result": entry.result,
        "obstacles": entry.obstacles,
        "suggestions": entry.suggestions,
        "percent": entry.percent,
        "status": entry.status,
        "kpi_actual": "" if entry.kpi_actual is None else entry.kpi_actual,
        "links": entry.links,
        "description": "",
    }
    saved = list(entry.activities.all())
    rows = [
        {"id": a.pk, "date": a.date.isoformat(), "text": a.text, "DELETE": "on" if a.text in remove else ""}
        for a in saved
    ]
    rows += [{"id": "", "date": date, "text": text} for date, text in new_activities]
    data.update(
        {
            "activities-TOTAL_FORMS": len(rows),
            "activities-INITIAL_FORMS": len(saved),
            "activities-MIN_NUM_FORMS": 0,
            "activities-MAX_NUM_FORMS": 1000,
        }
    )
    for index, row in enumerate(rows):
        for key, value in row.items():
            if key == "DELETE" and not value:
                continue
            data[f"activities-{index}-{key}"] = value
        data[f"activities-{index}-entry"] = entry.pk
    data.update(fields)
    return data


def step_data(entry, **fields):
    """What a review button posts: the entry's current revision (as the page shows it) and `fields`."""
    return {"revision": ProgressEntry.objects.get(pk=entry.pk).revision, **fields}


def visible(response):
    """The page as a reader sees it: tags dropped, entities decoded, spaces collapsed."""
    text = re.sub(r"<[^>]+>", " ", response.content.decode("utf-8"))
    return re.sub(r"\s+", " ", html.unescape(text))


def revision_in(response):
    return int(re.search(r'name="revision" value="(\d+)"', response.text)[1])


def step_revision_in(response, action):
    """The revision that the page's button for `action` (approve, return, …) would post."""
    form = re.search(rf'action="/entries/\d+/{action}/".*?</form>', response.text, re.S)[0]
    return int(re.search(r'name="revision" value="(\d+)"', form)[1])
