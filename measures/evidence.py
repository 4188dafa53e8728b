"""What an evidence file really is, read from its bytes; its name and the browser's word are not trusted.

Accepted: PDF, PNG, JPEG, GIF, WebP, Office documents in the legacy binary format (OLE2: .doc,
.xls, .ppt) and in Office Open XML (.docx, .xlsx, .pptx). Anything else, including an HTML page
or a program renamed .pdf and a zip archive that is not an Office document, is refused.
"""

import io
import zipfile

import puremagic

PDF = "application/pdf"
DOC = "application/msword"
XLS = "application/vnd.ms-excel"
PPT = "application/vnd.ms-powerpoint"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"

# puremagic's best guesses that we take as they are.
SIMPLE_TYPES = {
    ".pdf": PDF,
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".jfif": "image/jpeg",
    ".jpe": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
}
OLE2_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_SIGNATURE = b"PK\x03\x04"
# The stream that makes an OLE2 container a Word, Excel or PowerPoint file (an installer
# package or a Visio drawing shares the container but has none of them).
OLE2_STREAMS = (("WordDocument", DOC), ("Workbook", XLS), ("Book", XLS), ("PowerPoint Document", PPT))
OOXML_FOLDERS = (("word/", DOCX), ("xl/", XLSX), ("ppt/", PPTX))
# Stored files are named by the server, with the extension of what they really are.
EXTENSIONS = {
    PDF: ".pdf", "image/png": ".png", "image/jpeg": ".jpg", "image/gif": ".gif", "image/webp": ".webp",
    DOC: ".doc", XLS: ".xls", PPT: ".ppt", DOCX: ".docx", XLSX: ".xlsx", PPTX: ".pptx",
}


def evidence_type(data):
    """The content type of an acceptable evidence file, or None when the bytes are not one."""
    if not data:
        return None
    if data.startswith(OLE2_SIGNATURE):
        return _office_binary_type(data)
    if data.startswith(ZIP_SIGNATURE):
        return _office_open_xml_type(data)
    try:
        matches = puremagic.magic_string(data)
    except puremagic.PureError:
        return None
    for match in matches:
        if match.offset == 0 and match.extension in SIMPLE_TYPES:
            return SIMPLE_TYPES[match.extension]
    return None


def _office_binary_type(data):
    for stream, content_type in OLE2_STREAMS:
        if stream.encode("utf-16-le") in data:
            return content_type
    return None


def _office_open_xml_type(data):
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, ValueError):
        return None
    if "[Content_Types].xml" not in names:
        return None
    for folder, content_type in OOXML_FOLDERS:
        if any(name.startswith(folder) for name in names):
            return content_type
    return None
