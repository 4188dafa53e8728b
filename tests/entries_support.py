"""Builders shared by the progress-entry tests: evidence bytes as real programs write them, and form data."""

import html
import io
import re
import zipfile

from django.core.files.uploadedfile import SimpleUploadedFile

from measures.models import ProgressEntry

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def png_bytes():
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "white").save(buffer, "PNG")
    return buffer.getvalue()


def xlsx_bytes():
    from openpyxl import Workbook

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
    rows = [{"id": a.pk, "date": a.date.isoformat(), "text": a.text, "DELETE": "on" if a.text in remove else ""} for a in saved]
    rows += [{"id": "", "date": date, "text": text} for date, text in new_activities]
    data.update({
        "activities-TOTAL_FORMS": len(rows),
        "activities-INITIAL_FORMS": len(saved),
        "activities-MIN_NUM_FORMS": 0,
        "activities-MAX_NUM_FORMS": 1000,
    })
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
