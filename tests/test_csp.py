"""The Content Security Policy: one exact policy on every response, and no inline script or style
in any template served as HTML, so the policy needs no exception and none can creep back.

tests/test_access_everywhere.py checks the header on every URL for the whole cast;
tests/test_browser.py has Chromium enforce it on the key pages and report any violation.
"""

import re
from pathlib import Path

import pytest
import simple_history
from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.test import Client

ROOT = Path(settings.BASE_DIR)
POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; object-src 'none'; "
    "base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)
# An evidence file's own, stricter policy (measures/views/entries.py): the middleware keeps it.
EVIDENCE_POLICY = "sandbox; default-src 'none'"
# Rendered only to PDF by WeasyPrint (reports/pdf.py), never sent to a browser: their <style>
# and style="" widths are the document's print layout.
PDF_ONLY = {"reports/base.html", "reports/document.html", "reports/_letterhead.html", "reports/_signatures.html"}
PROJECT_APPS = ("ita_tracker", "assessments", "accounts", "measures", "reports", "dashboards")

# What the policy refuses in HTML: a script element without src, a style element, a style
# attribute, an event-handler attribute, a javascript: address.
INLINE = {
    "inline script": re.compile(r"<script\b(?![^>]*\bsrc=)[^>]*>", re.I),
    "style element": re.compile(r"<style\b", re.I),
    "style attribute": re.compile(r"\sstyle\s*=", re.I),
    "event handler": re.compile(r"\son[a-z]+\s*=", re.I),
    "javascript: address": re.compile(r"javascript:", re.I),
}


def template_dirs():
    dirs = [Path(d) for d in settings.TEMPLATES[0]["DIRS"]]
    dirs += [Path(apps.get_app_config(label).path) / "templates" for label in PROJECT_APPS]
    return [d for d in dirs if d.is_dir()]


def served_templates():
    """(name, path) of every project template a page may render."""
    for directory in template_dirs():
        for path in sorted(directory.rglob("*.html")):
            name = path.relative_to(directory).as_posix()
            if name not in PDF_ONLY:
                yield name, path


def inline_code(source):
    """(kind, line number) of each thing in `source` the policy would refuse."""
    return [
        (kind, source.count("\n", 0, match.start()) + 1)
        for kind, pattern in INLINE.items()
        for match in pattern.finditer(source)
    ]


def test_the_policy_is_exactly_the_one_documented(db):
    response = Client().get("/accounts/login/")
    assert response["Content-Security-Policy"] == POLICY
    assert "Content-Security-Policy-Report-Only" not in response


@pytest.mark.parametrize("url", ["/", "/no-such-page/", "/admin/", "/health/", "/static/css/site.css"])
def test_the_policy_comes_with_pages_redirects_errors_and_files(client, officer, url):
    client.force_login(officer)
    assert client.get(url)["Content-Security-Policy"] == POLICY


def test_the_scan_finds_each_kind_of_inline_code():
    source = (
        '<script>alert(1)</script>\n<script src="/static/js/a.js"></script>\n<style>p{}</style>\n'
        '<p style="color: red" onclick="go()"><a href="javascript:go()">x</a></p>'
    )
    assert inline_code(source) == [
        ("inline script", 1),
        ("style element", 3),
        ("style attribute", 4),
        ("event handler", 4),
        ("javascript: address", 4),
    ]


def test_no_template_served_as_html_has_inline_script_or_style():
    scanned = dict(served_templates())
    assert "base.html" in scanned and "measures/entry.html" in scanned  # the scan sees the templates
    found = [f"{name}:{line}: {kind}" for name, path in scanned.items() for kind, line in inline_code(path.read_text())]
    assert found == []


def test_the_pdf_templates_are_rendered_only_by_the_pdf_renderer():
    """The PDF templates keep their <style>: no page may render them for a browser."""
    naming = set()
    for label in PROJECT_APPS:
        for path in Path(apps.get_app_config(label).path).rglob("*.py"):
            if any(name in path.read_text() for name in PDF_ONLY):
                naming.add(path.relative_to(ROOT).as_posix())
    for directory in template_dirs():
        for path in directory.rglob("*.html"):
            if any(f'"{name}"' in path.read_text() for name in PDF_ONLY):
                naming.add(path.relative_to(ROOT).as_posix())
    assert naming == {"reports/pdf.py", "templates/reports/document.html"}


def test_the_third_party_templates_in_use_have_no_inline_code():
    tables2 = Path(apps.get_app_config("django_tables2").path) / "templates" / "django_tables2" / "table.html"
    assert inline_code(tables2.read_text()) == []


def test_our_copy_of_the_history_list_differs_from_django_simple_historys_only_by_its_style():
    """django-simple-history's history list has a style="" attribute; ours is the same template
    without it. When an upgrade changes theirs, copy it again."""
    theirs = Path(simple_history.__file__).parent / "templates" / "simple_history" / "object_history_list.html"
    ours = ROOT / "templates" / "simple_history" / "object_history_list.html"
    our_lines = ours.read_text().splitlines(keepends=True)
    assert our_lines[0].startswith("{#")  # the note saying why the copy exists
    assert "".join(our_lines[1:]) == theirs.read_text().replace(' style="border-top: 0"', "")


def test_no_admin_list_needs_the_admins_inline_style():
    """Django's change list adds an inline <style> (allowed only with a nonce) when a model admin
    turns its actions off at both top and bottom."""
    hiding = [
        type(model_admin).__name__
        for model_admin in admin.site._registry.values()
        if not model_admin.actions_on_top and not model_admin.actions_on_bottom
    ]
    assert hiding == []
