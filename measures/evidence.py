"""What an evidence file really is, read from its bytes; its name and the browser's word are not trusted.

Accepted: PDF, PNG, JPEG, GIF, WebP, Office documents in the legacy binary format (OLE2: .doc,
.xls, .ppt) and in Office Open XML (.docx, .xlsx, .pptx), each under a name that ends as its type
does. Refused whatever their bytes: web pages, SVG, XML, scripts, programs and Office documents
with macros (evidence never needs macros, and they are how documents carry malware); and any
file that starts like a web page or a script, whatever its name, since a browser may sniff it.

How much may come is bounded too: a file (EVIDENCE_MAX_BYTES), one request's files together
(EVIDENCE_MAX_REQUEST_BYTES, refused from its Content-Length before any file is stored) and all
the files of an entry (EVIDENCE_MAX_ENTRY_BYTES).
"""

import functools
import io
import lzma
import os
import zipfile
import zlib
from xml.etree import ElementTree

import olefile
import puremagic
from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect

PDF = "application/pdf"
PNG = "image/png"
JPEG = "image/jpeg"
GIF = "image/gif"
WEBP = "image/webp"
DOC = "application/msword"
XLS = "application/vnd.ms-excel"
PPT = "application/vnd.ms-powerpoint"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"

# The endings a file of each type may have; the first is the one stored files get.
NAMES = {
    PDF: (".pdf",),
    PNG: (".png",),
    JPEG: (".jpg", ".jpeg", ".jpe", ".jfif"),
    GIF: (".gif",),
    WEBP: (".webp",),
    DOC: (".doc",),
    XLS: (".xls",),
    PPT: (".ppt",),
    DOCX: (".docx",),
    XLSX: (".xlsx",),
    PPTX: (".pptx",),
}
EXTENSIONS = {content_type: names[0] for content_type, names in NAMES.items()}
KINDS = {
    PDF: "PDF",
    PNG: "PNG",
    JPEG: "JPEG",
    GIF: "GIF",
    WEBP: "WebP",
    DOC: "Word",
    XLS: "Excel",
    PPT: "PowerPoint",
    DOCX: "Word",
    XLSX: "Excel",
    PPTX: "PowerPoint",
}

# Names that a browser opens as a page or the desktop runs as a program.
ACTIVE_NAMES = {
    ".htm",
    ".html",
    ".xhtml",
    ".shtml",
    ".mht",
    ".mhtml",
    ".svg",
    ".svgz",
    ".xml",
    ".xsl",
    ".xslt",
    ".hta",
    ".js",
    ".mjs",
    ".jse",
    ".vbs",
    ".vbe",
    ".wsf",
    ".wsh",
    ".ps1",
    ".psm1",
    ".sh",
    ".bash",
    ".bat",
    ".cmd",
    ".py",
    ".pl",
    ".php",
    ".rb",
    ".jar",
    ".exe",
    ".dll",
    ".msi",
    ".msp",
    ".com",
    ".scr",
    ".pif",
    ".cpl",
    ".sys",
    ".lnk",
    ".reg",
    ".inf",
    ".apk",
    ".app",
    ".dmg",
    ".docm",
    ".dotm",
    ".xlsm",
    ".xltm",
    ".xlam",
    ".pptm",
    ".potm",
    ".ppsm",
}
# What a web page or a script starts with, looked for in a file's first kilobyte.
ACTIVE_MARKERS = (b"<html", b"<script", b"<svg", b"<!doctype html", b"<iframe", b"<body", b"<?php")

SIMPLE_TYPES = {  # puremagic's best guesses that we take as they are
    ".pdf": PDF,
    ".png": PNG,
    ".jpg": JPEG,
    ".jpeg": JPEG,
    ".jfif": JPEG,
    ".jpe": JPEG,
    ".gif": GIF,
    ".webp": WEBP,
}
OLE2_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_SIGNATURE = b"PK\x03\x04"

# The stream at the root of an OLE2 container's directory that makes it a Word, Excel or
# PowerPoint file (an installer package or a Visio drawing shares the container but has none).
OLE2_STREAMS = (("WordDocument", DOC), ("Workbook", XLS), ("Book", XLS), ("PowerPoint Document", PPT))
OLE2_MACROS = ("Macros", "_VBA_PROJECT_CUR", "_VBA_PROJECT")  # where Word and Excel keep VBA

# The content type that [Content_Types].xml gives the main part of each Office Open XML document.
OOXML_MAIN_PARTS = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml": DOCX,
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml": XLSX,
    "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml": PPTX,
}
CONTENT_TYPES_NS = "{http://schemas.openxmlformats.org/package/2006/content-types}"
# An Office document of at most 10 MB that unpacks to more than this is a zip bomb, not evidence.
OOXML_MAX_UNPACKED = 250 * 1024 * 1024
OOXML_MAX_PARTS = 10_000
OOXML_MAX_CONTENT_TYPES = 1024 * 1024
# What a damaged or hostile archive may raise while it is opened and its content types read.
ZIP_ERRORS = (
    zipfile.BadZipFile,
    zlib.error,
    lzma.LZMAError,
    EOFError,
    OSError,
    ValueError,
    RuntimeError,
    NotImplementedError,
    ElementTree.ParseError,
)

NOT_EVIDENCE = _("“%(name)s” is not a PDF, an image (PNG, JPEG, GIF, WebP) or an Office document.")
ACTIVE = _("“%(name)s” is not accepted: web pages, scripts, programs and documents with macros cannot be evidence.")


class Refused(Exception):
    """A file that is not acceptable evidence; `message` says why, with %(name)s for its name."""

    def __init__(self, message, **params):
        super().__init__(message)
        self.message, self.params = message, params


def check_evidence(name, data):
    """The content type of evidence file `name` with bytes `data`; Refused when it is not one."""
    ending = os.path.splitext(name)[1].lower()
    if ending in ACTIVE_NAMES or any(marker in data[:1024].lower() for marker in ACTIVE_MARKERS):
        raise Refused(ACTIVE)
    content_type = evidence_type(data)
    if content_type is None:
        raise Refused(NOT_EVIDENCE)
    if ending not in NAMES[content_type]:
        raise Refused(
            _("“%(name)s” is a %(kind)s file: its name must end in %(ending)s."),
            kind=KINDS[content_type],
            ending=" / ".join(NAMES[content_type]),
        )
    return content_type


def evidence_type(data):
    """The content type of an acceptable evidence file read from its bytes alone, or None when
    they are not one. Refused for an Office document with macros or one that unpacks too large."""
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
    try:
        ole = olefile.OleFileIO(io.BytesIO(data))
    except Exception:  # noqa: BLE001 - a damaged container fails in many ways inside the parser; it is not evidence
        return None
    with ole:
        if any(ole.exists(storage) for storage in OLE2_MACROS):
            raise Refused(ACTIVE)
        for stream, content_type in OLE2_STREAMS:
            if ole.get_type(stream) == olefile.STGTY_STREAM:
                return content_type
    return None


def _office_open_xml_type(data):
    """A package whose [Content_Types].xml declares the main part of a Word, Excel or PowerPoint
    document, that part present. Only the directory and [Content_Types].xml are unpacked."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            parts = archive.infolist()
            if len(parts) > OOXML_MAX_PARTS or sum(part.file_size for part in parts) > OOXML_MAX_UNPACKED:
                raise Refused(
                    _("“%(name)s” unpacks to more than %(limit)s MB; it cannot be evidence."),
                    limit=OOXML_MAX_UNPACKED // (1024 * 1024),
                )
            # Part names are case-insensitive in Office packages.
            names = {part.filename.lower(): part for part in parts}
            types = names.get("[content_types].xml")
            if types is None or types.file_size > OOXML_MAX_CONTENT_TYPES:
                return None
            root = ElementTree.fromstring(archive.read(types))
    except ZIP_ERRORS:
        return None
    declared = {
        override.get("PartName", "").lstrip("/").lower(): override.get("ContentType", "").strip().lower()
        for override in root.iter(f"{CONTENT_TYPES_NS}Override")
    }
    defaults = [default.get("ContentType", "").lower() for default in root.iter(f"{CONTENT_TYPES_NS}Default")]
    if any("macroenabled" in kind or "vbaproject" in kind for kind in [*declared.values(), *defaults]) or any(
        name.endswith("vbaproject.bin") for name in names
    ):
        raise Refused(ACTIVE)
    found = {OOXML_MAIN_PARTS[kind] for part, kind in declared.items() if kind in OOXML_MAIN_PARTS and part in names}
    return found.pop() if len(found) == 1 else None


# --- How much may come in one request -------------------------------------------------------------


class RequestLimitHandler(FileUploadHandler):
    """Stores none of a request's files when the request is larger than EVIDENCE_MAX_REQUEST_BYTES,
    judged by its Content-Length before any file is read; the form's other fields still arrive, so
    the page can say why and keep what was typed. `refused_uploads(request)` tells the view."""

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        self.request.evidence_too_large = content_length > settings.EVIDENCE_MAX_REQUEST_BYTES

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        if self.request.evidence_too_large:
            raise SkipFile

    def receive_data_chunk(self, raw_data, start):
        return raw_data  # on to the next handler, which stores the file

    def file_complete(self, file_size):
        return None


def bounded_uploads(view):
    """Apply RequestLimitHandler to `view`'s uploads. The handler must be in place before anything
    reads the request's body, the CSRF check included: so the check runs inside, as Django
    documents for views that change their upload handlers."""
    protected = csrf_protect(view)

    @csrf_exempt
    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        request.upload_handlers.insert(0, RequestLimitHandler(request))
        return protected(request, *args, **kwargs)

    return wrapper


def refused_uploads(request):
    """True when the request's files were not stored because together they were too large."""
    return getattr(request, "evidence_too_large", False)
