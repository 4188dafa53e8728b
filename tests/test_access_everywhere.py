"""Every URL of the project, read by the whole cast, and exactly what each list shows each of them.

The URLs come from the resolver: a new URL without a case here fails `test_every_url_has_a_case`.
Admin URLs generated for each registered model are covered by one rule (only staff get in);
everything else is listed in ROUTES with the status each member of the cast gets and, for the
pages that list agencies, measures or entries, which of them appear.

The world: the ministry MIN oversees AG1; AG2 stands apart. AG1 has two units, ส.บก. (unit_staff)
and กจ. (other_unit_staff), and three measures in its 2569 plan: one led by ส.บก. and supported by
กจ. (SHARED), one of each unit alone (MINE, THEIRS). AG2 has one measure (ELSEWHERE). Every Q1
report is approved with a KPI below target and a result naming it (RESULT-…); every Q2 report is
an overdue draft. `removed` was unit staff of ส.บก. until their AG1 membership was deleted; their
row in the unit's members is still there.
"""

import csv
import datetime
import io
import re
import zipfile
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

import docx
import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.test import RequestFactory
from django.urls import URLPattern, URLResolver, get_resolver
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from openpyxl import load_workbook

from accounts.models import AccessEvent
from assessments.models import Membership
from measures.counts import refresh_progress
from measures.evidence import PDF
from measures.models import Action, Evidence, MeasureTemplate, ProgressEntry, ReviewEvent, State
from notifications.models import Notification
from oit.checklist import o_items, version_for
from oit.models import ChecklistEvidence, ChecklistItem, DocumentSnapshot, Guidance, PublicPage, Status as OitStatus
from people.actions import do_invite
from reports.models import Acknowledgement, AgencyProfile, Bundle, BundleStatus
from reports.tasks import build_bundle
from tests import factories
from tests.entries_support import PDF as PDF_BYTES
from tests.test_csp import EVIDENCE_POLICY, POLICY

time_machine = pytest.importorskip("time_machine")

# 15 May 2026, fiscal year 2569: Q1 (due 31 Dec 2025) and Q2 (due 31 Mar 2026) are overdue.
TODAY = datetime.datetime(2026, 5, 15, 10, 0, tzinfo=ZoneInfo("Asia/Bangkok"))

CAST = [
    "anonymous",
    "outsider",
    "removed",
    "other_unit_staff",
    "unit_staff",
    "executive",
    "officer",
    "overseer",
    "superuser",
]

MIN_NAME, AG1_NAME, AG2_NAME = "กระทรวงทดสอบสิทธิ์", "หน่วยงานทดสอบหนึ่ง", "หน่วยงานทดสอบสอง"
AGENCIES = {"MIN": MIN_NAME, "AG1": AG1_NAME, "AG2": AG2_NAME}
MEASURES = {
    "SHARED": "มาตรการร่วมของสองหน่วย",
    "MINE": "มาตรการเฉพาะของสำนักงาน",
    "THEIRS": "มาตรการเฉพาะของกองเจ้าหน้าที่",
    "ELSEWHERE": "มาตรการของหน่วยงานภายนอก",
}
UNITS = {"U1": "สำนักงานบริหารกลาง", "U2": "กองการเจ้าหน้าที่", "U3": "กองคลังของหน่วยงานอื่น"}
AG1_MEASURES = {"SHARED", "MINE", "THEIRS"}
ENTRIES = {("SHARED", "U1"), ("SHARED", "U2"), ("MINE", "U1"), ("THEIRS", "U2"), ("ELSEWHERE", "U3")}
AG1_ENTRIES = ENTRIES - {("ELSEWHERE", "U3")}

# What each member of the cast may see, written out rather than computed from the code under test.
SEES_AGENCIES = {
    "anonymous": set(),
    "outsider": {"AG2"},
    "removed": set(),
    "other_unit_staff": {"AG1"},
    "unit_staff": {"AG1"},
    "executive": {"AG1"},
    "officer": {"AG1"},
    "overseer": {"MIN", "AG1"},
    "superuser": {"MIN", "AG1", "AG2"},
}
SEES_MEASURES = {
    "anonymous": set(),
    "outsider": {"ELSEWHERE"},
    "removed": set(),
    "other_unit_staff": {"SHARED", "THEIRS"},
    "unit_staff": {"SHARED", "MINE"},
    "executive": AG1_MEASURES,
    "officer": AG1_MEASURES,
    "overseer": AG1_MEASURES,
    "superuser": AG1_MEASURES | {"ELSEWHERE"},
}
SEES_ENTRIES = {
    "anonymous": set(),
    "outsider": {("ELSEWHERE", "U3")},
    "removed": set(),
    "other_unit_staff": {("SHARED", "U2"), ("THEIRS", "U2")},
    "unit_staff": {("SHARED", "U1"), ("MINE", "U1")},
    "executive": AG1_ENTRIES,
    "officer": AG1_ENTRIES,
    "overseer": AG1_ENTRIES,
    "superuser": ENTRIES,
}
# The entries each one reports for, on "My updates".
OWES = {who: set() for who in CAST} | {
    "other_unit_staff": {("SHARED", "U2"), ("THEIRS", "U2")},
    "unit_staff": {("SHARED", "U1"), ("MINE", "U1")},
}


# The notifications each one is shown: AG1's officer of ส.บก.'s submit; ส.บก.'s staff of the
# officer's return; AG2's outsider, its reviewer, of AG2's submit (not of the return they made).
NOTIFIED = {who: set() for who in CAST} | {
    "officer": {("submit", ("SHARED", "U1"))},
    "unit_staff": {("return", ("SHARED", "U1"))},
    "outsider": {("submit", ("ELSEWHERE", "U3"))},
}


def marker(measure, unit):
    return f"RESULT-{measure}-{unit}"


# --- Statuses of GET ----------------------------------------------------------------------------

SIGNED_IN = {who: 200 for who in CAST} | {"anonymous": 302}
EVERYONE = {who: 200 for who in CAST}
AG1_READ = {**SIGNED_IN, "outsider": 404, "removed": 404}
UNIT_STAFF_READ = {**AG1_READ, "other_unit_staff": 404}  # ส.บก.'s own: its entry, MINE
AG1_EDIT = {**AG1_READ, "other_unit_staff": 403, "unit_staff": 403, "executive": 403, "overseer": 403}
POST_ONLY = {who: 405 for who in CAST} | {"anonymous": 302}
EDITORS_OF_ANY_AGENCY = {
    **SIGNED_IN,
    "removed": 403,
    "other_unit_staff": 403,
    "unit_staff": 403,
    "executive": 403,
    "overseer": 403,
}
OVERSIGHT = {who: 403 for who in CAST} | {"anonymous": 302, "overseer": 200, "superuser": 200}
OWNER = {who: 404 for who in CAST} | {"anonymous": 302, "officer": 200}
ADMIN_ONLY = {who: 302 for who in CAST} | {"superuser": 200}
# An agency's people: its agency administrators (none in the cast) and system administrators.
PEOPLE = {**AG1_EDIT, "officer": 403}
# The invitation's link, opened before there is an account: anyone, signed in or not.
ANYONE = {who: 200 for who in CAST}
# The access log: system administrators and agencies' administrators (the cast has none of the latter).
ACCESS_LOG = {who: 403 for who in CAST} | {"anonymous": 302, "superuser": 200}
FRAMEWORKS = {who: 403 for who in CAST} | {"anonymous": 302, "superuser": 200}


# --- The world ------------------------------------------------------------------------------------


@dataclass
class World:
    users: dict
    measures: dict
    entries: dict  # (measure key, unit key) -> the Q1 entry
    units: dict
    evidence: Evidence = None
    bundle: object = None
    notification: object = None
    objects: dict = field(default_factory=dict)  # model -> an instance, for the admin's URLs
    invitation: object = None  # to AG1, pending, with the token of its link
    invitation_token: str = ""
    oit_file: object = None  # AG1's o1 of 2569, approved, ส.บก.'s: a public file beside a link
    snapshot: object = None  # AG1's 2569 plan, published under o27


def report(entry, kpi="50"):
    ProgressEntry.objects.filter(pk=entry.pk).update(state=State.APPROVED, kpi_actual=kpi, percent=100)
    refresh_progress([entry.measure.agency_id])  # as the actions do (tests/test_progress_counts.py)


@pytest.fixture
def world(
    settings,
    tmp_path,
    agency,
    other_agency,
    unit,
    other_unit,
    unit_staff,
    other_unit_staff,
    officer,
    executive,
    outsider,
    superuser,
):
    settings.MEDIA_ROOT = tmp_path / "media"
    ministry = factories.agency("MIN", MIN_NAME, agency_type="ministry")
    agency.parent = ministry
    agency.save()
    overseer = factories.member("overseer", ministry, "executive", oversight=True)
    removed = factories.member("formerstaff", agency, "unit_staff")
    unit.members.add(removed)
    elsewhere = factories.unit(other_agency, UNITS["U3"], "กค.")
    units = {"U1": unit, "U2": other_unit, "U3": elsewhere}

    weak = {"i1": "50", "i2": "60", "i4": "70", "ITA": "80"}
    for each in (agency, other_agency):
        factories.summarised_assessment(each, 2568, weak)
    measures = {
        "SHARED": factories.measure(
            agency, 2569, MEASURES["SHARED"], lead_unit=unit, supporting=[other_unit], items=["i1"], target_percent=90
        ),
        "MINE": factories.measure(agency, 2569, MEASURES["MINE"], lead_unit=unit, items=["i2"], target_percent=90),
        "THEIRS": factories.measure(
            agency, 2569, MEASURES["THEIRS"], lead_unit=other_unit, items=["i4"], target_percent=90
        ),
        "ELSEWHERE": factories.measure(
            other_agency, 2569, MEASURES["ELSEWHERE"], lead_unit=elsewhere, items=["i1"], target_percent=90
        ),
    }
    entries = {}
    for measure_key, unit_key in ENTRIES:
        entry = ProgressEntry.objects.get(measure=measures[measure_key], unit=units[unit_key], round__kind="q1")
        ProgressEntry.objects.filter(pk=entry.pk).update(result=marker(measure_key, unit_key))
        report(entry)
        entries[measure_key, unit_key] = entry

    evidence = Evidence.objects.create(
        entry=entries["SHARED", "U1"],
        file=ContentFile(PDF_BYTES, name="minutes.pdf"),
        name="minutes.pdf",
        content_type=PDF,
        size=len(PDF_BYTES),
    )

    bundle = Bundle.objects.create(
        organisation=agency,
        fiscal_year=2569,
        requested_by=officer,
        status=BundleStatus.DONE,
        file=ContentFile(b"PK\x05\x06" + b"\0" * 18, name="bundle.zip"),
    )
    bundle.task_id = str(build_bundle.enqueue(bundle.pk).id)  # a task row for the admin's pages
    bundle.save(update_fields=["task_id"])
    MeasureTemplate.objects.create(indicator_number=1, name="แม่แบบทดสอบ")
    Group.objects.create(name="ทดสอบ")
    # A second factor and a throttled sign-in, for the admin's pages of django-otp and django-axes.
    enrolled = factories.user("enrolled")
    TOTPDevice.objects.create(user=enrolled, name="authenticator", confirmed=True)
    StaticToken.objects.create(device=StaticDevice.objects.create(user=enrolled, name="backup"), token="abcd2345ef")
    AccessAttempt.objects.create(username="guess", ip_address="192.0.2.1", failures_since_start=1)
    AccessFailureLog.objects.create(username="guess", ip_address="192.0.2.1")
    AccessLog.objects.create(username="enrolled", ip_address="192.0.2.2")
    AccessEvent.objects.create(
        kind=AccessEvent.Kind.EVIDENCE_VIEW,
        user=outsider,
        username="outsider",
        agency=other_agency,
        what="ACCESS-EVENT-OF-AG2",
    )

    invitation, token = do_invite(
        agency=agency,
        email="invited@example.org",
        name="",
        role="unit_staff",
        units=[unit],
        language="th",
        invited_by=superuser,
    )

    # ส.บก. submitted its SHARED report (AG1's officer is told) and the officer returned it (ส.บก.'s
    # staff are told, `removed` too while still a member); AG2's unit and officer likewise.
    for (measure_key, unit_key), reviewer, staff in (
        (("SHARED", "U1"), officer, unit_staff),
        (("ELSEWHERE", "U3"), outsider, None),
    ):
        ReviewEvent.objects.create(entry=entries[measure_key, unit_key], action=Action.SUBMIT, user=staff)
        ReviewEvent.objects.create(
            entry=entries[measure_key, unit_key], action=Action.RETURN, user=reviewer, comment="แก้ไข"
        )

    # AG1's letterhead with a logo, and its 2569 plan acknowledged.
    AgencyProfile.objects.create(agency=agency, full_name=AG1_NAME, logo=factories.LOGO_PNG, logo_type="image/png")
    Acknowledgement.objects.create(
        agency=agency,
        fiscal_year=2569,
        kind="plan",
        name="ACKNOWLEDGED-BY-AG1",
        text="รับทราบ",
        acknowledged_on="2026-05-01",
    )

    # Removed from the agency after joining its unit: the unit's member list still names them.
    Membership.objects.filter(user=removed, agency=agency).delete()

    users = {
        "anonymous": None,
        "outsider": outsider,
        "removed": removed,
        "other_unit_staff": other_unit_staff,
        "unit_staff": unit_staff,
        "executive": executive,
        "officer": officer,
        "overseer": overseer,
        "superuser": superuser,
    }
    world = World(
        users=users,
        measures=measures,
        entries=entries,
        units=units,
        evidence=evidence,
        bundle=bundle,
        notification=Notification.objects.filter(user=unit_staff).first(),
    )
    world.invitation, world.invitation_token = invitation, token
    world.oit_file = oit_world(agency, unit)
    world.snapshot = DocumentSnapshot.objects.create(
        agency=agency,
        fiscal_year=2569,
        item=next(item for item in o_items(version_for(agency, 2569)) if item.code == "o27"),
        kind="plan",
        version=1,
        file=ContentFile(PDF_BYTES, name="plan-v1.pdf"),
    )
    return world


def oit_world(agency, unit):
    """AG1's 2569 checklist: o1, ส.บก.'s, approved with a link and a public file; the page published."""
    o1 = next(item for item in o_items(version_for(agency, 2569)) if item.code == "o1")
    Guidance.objects.create(item=o1, text="คำอธิบายข้อ o1")
    row = ChecklistItem.objects.create(agency=agency, fiscal_year=2569, item=o1, unit=unit, status=OitStatus.APPROVED)
    ChecklistEvidence.objects.create(checklist_item=row, label="โครงสร้าง", url="https://www.ag1.go.th/structure")
    PublicPage.objects.create(agency=agency, fiscal_year=2569, published=TODAY, frame_ancestors="https://www.ag1.go.th")
    return ChecklistEvidence.objects.create(
        checklist_item=row,
        label="ผัง",
        file=ContentFile(PDF_BYTES, name="chart.pdf"),
        file_name="chart.pdf",
        public=True,
    )


def checklist_listed(response, who):
    """Unit staff see their units' items only: ส.บก.'s o1; the others of AG1 every o item."""
    codes = [line.item.code for group, _subs in response.context["groups"] for line in group.lines]
    assert codes == (
        ["o1"] if who == "unit_staff" else [] if who == "other_unit_staff" else [f"o{n}" for n in range(1, 29)]
    )


# --- What a page shows ----------------------------------------------------------------------------


def content(response):
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def text_of(response):
    """The page's text, or every cell of an XLSX file, every paragraph and cell of a DOCX file, or a CSV file's text."""
    raw = content(response)
    if raw.startswith(b"PK") and "word/document.xml" in zipfile.ZipFile(io.BytesIO(raw)).namelist():
        document = docx.Document(io.BytesIO(raw))
        cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
        return "\n".join([paragraph.text for paragraph in document.paragraphs] + cells)
    if raw.startswith(b"PK"):
        book = load_workbook(io.BytesIO(raw), read_only=True)
        return "\n".join(
            str(cell) for sheet in book for row in sheet.iter_rows(values_only=True) for cell in row if cell is not None
        )
    return raw.decode("utf-8-sig")


def section(html, name):
    """One part of the page; "" where the page leaves it out (nothing to show)."""
    match = re.search(rf'<section[^>]* id="{name}".*?</section>', html, re.S)
    return match.group(0) if match else ""


def named(text, names):
    """The keys of `names` whose value appears in `text`."""
    return {key for key, value in names.items() if value in text}


def results_in(text):
    return {pair for pair in ENTRIES if marker(*pair) in text}


def pairs(entries):
    """(measure key, unit key) for progress entries."""
    measure_keys = {v: k for k, v in MEASURES.items()}
    unit_keys = {v: k for k, v in UNITS.items()}
    return {(measure_keys[e.measure.name], unit_keys[e.unit.name]) for e in entries}


def agencies_listed(response, who):
    assert named(text_of(response), AGENCIES) == SEES_AGENCIES[who]


def ag1_measures_listed(response, who):
    assert named(text_of(response), MEASURES) == SEES_MEASURES[who] & AG1_MEASURES


def progress_report_listed(response, who):
    text = text_of(response)
    assert named(text, MEASURES) == SEES_MEASURES[who] & AG1_MEASURES
    assert results_in(text) == SEES_ENTRIES[who] & AG1_ENTRIES


def dashboard_listed(response, who):
    html = text_of(response)
    seen = SEES_MEASURES[who]
    assert named(section(html, "off-target"), MEASURES) == seen
    with_plans = {"AG1"} if seen & AG1_MEASURES else set()
    with_plans |= {"AG2"} if "ELSEWHERE" in seen else set()
    plans = section(html, "measure-progress")
    assert named(plans, AGENCIES) == with_plans
    if "AG1" in with_plans:
        assert f"จาก {len(seen & AG1_MEASURES)} มาตรการ" in plans
    assert named(section(html, "overdue-units"), UNITS) == {unit for _measure, unit in SEES_ENTRIES[who]}
    assert named(section(html, "indicator-progress"), {"1": "การปฏิบัติหน้าที่"}) == ({"1"} if seen else set())


def my_updates_listed(response, who):
    context = response.context
    shown = [e for group in context["groups"] for e in group.entries] + list(context["sent"])
    shown += [e for year in context["older_years"] for e in year.entries]
    assert pairs(shown) == OWES[who]
    assert named(text_of(response), MEASURES) == {measure for measure, _unit in OWES[who]}


# The reports each one reviews: their agencies' (officers), every one (the system administrator).
REVIEWS = {who: set() for who in CAST} | {
    "outsider": {("ELSEWHERE", "U3")},
    "officer": AG1_ENTRIES,
    "superuser": ENTRIES,
}


def review_queue_listed(response, who):
    """Every Q1 report is approved: the default queue (submitted) is empty; looking back at the
    approved ones lists those the user reviews."""
    shown = [entry for group in response.context["groups"] for entry in group.entries]
    looking_back = response.wsgi_request.GET.get("state") == "approved"
    assert pairs(shown) == (REVIEWS[who] if looking_back else set())
    assert named(text_of(response), MEASURES) == ({m for m, _u in REVIEWS[who]} if looking_back else set())


def rollup_listed(response, who):
    assert pairs(response.context["units"]) == {p for p in SEES_ENTRIES[who] if p[0] == "SHARED"}


def measure_grid_listed(response, who):
    unit_keys = {v: k for k, v in UNITS.items()}
    entries = [cell for _round, row, _overall in response.context["grid"] for cell in row if cell is not None]
    assert {unit_keys[u.name] for u in response.context["units"]} == {u for m, u in SEES_ENTRIES[who] if m == "SHARED"}
    assert pairs(entries) == {p for p in SEES_ENTRIES[who] if p[0] == "SHARED"}


def units_listed(response, who):
    html = text_of(response)
    assert named(html, UNITS) == {"U1", "U2"}
    assert "unitstaff" in html and "otherunitstaff" in html
    assert "formerstaff" not in html  # no longer in the agency, so no longer in its unit


def improvement_header_shown(response, who):
    """Editors of AG1's plan get the header's form; everyone else who sees the plan reads it, its
    values computed from the measures they see."""
    html = response.content.decode()
    assert ('<form method="post" class="measure-form"' in html) == (who in ("officer", "superuser"))
    assert response.context["count"] == len(SEES_MEASURES[who] & AG1_MEASURES)


def overview_listed(response, who):
    listed = {assessment.agency.code for assessment in response.context["table"].data}
    assert listed == SEES_AGENCIES[who] - {"MIN"}  # MIN has no results
    assert AG2_NAME not in text_of(response) or "AG2" in listed


def overview_csv_listed(response, who):
    codes = {row[1] for row in list(csv.reader(io.StringIO(text_of(response))))[1:]}  # rank, code, name, …
    assert codes == SEES_AGENCIES[who] - {"MIN"}


def template_targets_listed(response, who):
    form = response.context["form"]
    offered = {agency.code for agency in form.fields["agency"].queryset} if form else set()
    assert offered == {"outsider": {"AG2"}, "officer": {"AG1"}, "superuser": {"MIN", "AG1", "AG2"}}.get(who, set())


def notifications_listed(response, who):
    """Each sees their own notifications, of the entries they may still see: `removed` was told of
    the return while in ส.บก. and is no longer shown it."""
    shown = {(n.event.action, pairs([n.event.entry]).pop()) for n in response.context["page"].object_list}
    assert shown == NOTIFIED[who]


def bundles_listed(response, who):
    assert [b.organisation.code for b in response.context["bundles"]] == (["AG1"] if who == "officer" else [])


def access_log_listed(response, who):
    assert "ACCESS-EVENT-OF-AG2" in text_of(response)  # the system administrator reads every agency's


def people_listed(response, who):
    html = text_of(response)
    usernames = ("officer", "executive", "unitstaff", "otherunitstaff", "formerstaff", "outsider", "overseer")
    assert {name for name in usernames if f"({name})" in html} == {
        "officer",
        "executive",
        "unitstaff",
        "otherunitstaff",
    }
    assert "invited@example.org" in html


# Who sets a document's signature blocks (the plan's editors) and who acknowledges it (the
# agency's own executives; the overseer's executive membership is the ministry's).
SIGNS_OFF = {"officer", "superuser"}
ACKNOWLEDGES = {"executive"}


def documents_listed(response, who):
    html = text_of(response)
    assert named(html, {"AG2": AG2_NAME}) == set()
    assert ("sign-off-form" in html) == (who in SIGNS_OFF)
    assert ("acknowledge-form" in html) == (who in ACKNOWLEDGES)
    assert "ACKNOWLEDGED-BY-AG1" in html


def only_ag1(response, who):
    assert named(text_of(response), {"AG2": AG2_NAME}) == set()


# --- Every URL ----------------------------------------------------------------------------------


def cases(world):
    """{route: [(url, statuses, check)]} for every URL pattern that is not a model's admin page."""
    e = world.entries["SHARED", "U1"]
    shared, mine = world.measures["SHARED"].pk, world.measures["MINE"].pk
    agency_ct = ContentType.objects.get(app_label="assessments", model="agency").pk
    return {
        "": [("/", SIGNED_IN, agencies_listed), ("/?page=2", SIGNED_IN, agencies_listed)],
        "results/import/": [("/results/import/", EDITORS_OF_ANY_AGENCY, None)],
        "results/template/": [
            ("/results/template/?agency=AG1&fiscal_year=2568&format=xlsx", AG1_EDIT, None),
            (
                "/results/template/?agency=AG2&fiscal_year=2568&format=csv",
                {who: 404 for who in CAST} | {"anonymous": 302, "outsider": 200, "superuser": 200},
                None,
            ),
        ],
        "agencies/<agency_code:code>/": [("/agencies/AG1/", AG1_READ, None)],
        "agencies/<agency_code:code>/<fiscal_year:year>/": [
            ("/agencies/AG1/2568/", AG1_READ, ag1_measures_listed),
            ("/agencies/AG1/2569/", AG1_READ, only_ag1),  # a plan whose results are not loaded yet
        ],
        "dashboard/": [("/dashboard/", SIGNED_IN, dashboard_listed)],
        "frameworks/": [("/frameworks/", FRAMEWORKS, None)],
        "frameworks/new/": [("/frameworks/new/", FRAMEWORKS, None)],
        "overview/": [("/overview/", {**OVERSIGHT, "overseer": 302, "superuser": 302}, None)],
        "overview/<fiscal_year:year>/": [("/overview/2568/", OVERSIGHT, overview_listed)],
        "overview/<fiscal_year:year>/download.<slug:file_format>": [
            ("/overview/2568/download.csv", OVERSIGHT, overview_csv_listed)
        ],
        "my/updates/": [("/my/updates/", SIGNED_IN, my_updates_listed)],
        "review/": [
            ("/review/", EDITORS_OF_ANY_AGENCY, review_queue_listed),
            ("/review/?state=approved", EDITORS_OF_ANY_AGENCY, review_queue_listed),
        ],
        "review/approve/": [("/review/approve/", POST_ONLY, None)],
        "entries/<int:pk>/": [
            (f"/entries/{e.pk}/", UNIT_STAFF_READ, rollup_listed),
            (f"/entries/{e.pk}/?queue=state%3Dapproved", UNIT_STAFF_READ, rollup_listed),
        ],
        "entries/<int:pk>/history/": [(f"/entries/{e.pk}/history/", UNIT_STAFF_READ, None)],
        "entries/<int:pk>/evidence/<int:evidence_pk>/": [
            (f"/entries/{e.pk}/evidence/{world.evidence.pk}/", UNIT_STAFF_READ, None)
        ],
        "entries/<int:pk>/evidence/<int:evidence_pk>/delete/": [
            (f"/entries/{e.pk}/evidence/{world.evidence.pk}/delete/", POST_ONLY, None)
        ],
        "entries/<int:pk>/<review_action:action>/": [
            (f"/entries/{e.pk}/submit/", POST_ONLY, None),
            (f"/entries/{e.pk}/withdraw/", POST_ONLY, None),
        ],
        "agencies/<agency_code:code>/<fiscal_year:year>/history/": [
            ("/agencies/AG1/2568/history/", AG1_READ, only_ag1)
        ],
        "agencies/<agency_code:code>/units/": [("/agencies/AG1/units/", AG1_READ, units_listed)],
        "agencies/<agency_code:code>/units/<int:pk>/edit/": [
            (f"/agencies/AG1/units/{world.units['U1'].pk}/edit/", AG1_EDIT, None)
        ],
        "agencies/<agency_code:code>/<fiscal_year:year>/plan/": [
            ("/agencies/AG1/2569/plan/", AG1_READ, ag1_measures_listed)
        ],
        "agencies/<agency_code:code>/<fiscal_year:year>/plan/copy/": [
            ("/agencies/AG1/2569/plan/copy/", POST_ONLY, None)
        ],
        "agencies/<agency_code:code>/<fiscal_year:year>/plan/new/": [("/agencies/AG1/2569/plan/new/", AG1_EDIT, None)],
        "agencies/<agency_code:code>/<fiscal_year:year>/rounds/": [("/agencies/AG1/2569/rounds/", AG1_READ, None)],
        "agencies/<agency_code:code>/<fiscal_year:year>/improvement/": [
            ("/agencies/AG1/2569/improvement/", AG1_READ, improvement_header_shown)
        ],
        "measures/<int:pk>/": [
            (f"/measures/{shared}/", AG1_READ, measure_grid_listed),
            (f"/measures/{mine}/", UNIT_STAFF_READ, None),
        ],
        "measures/<int:pk>/edit/": [
            (f"/measures/{shared}/edit/", AG1_EDIT, None),
            (f"/measures/{mine}/edit/", {**AG1_EDIT, "other_unit_staff": 404}, None),
        ],
        "measures/<int:pk>/history/": [
            (f"/measures/{shared}/history/", AG1_READ, None),
            (f"/measures/{mine}/history/", UNIT_STAFF_READ, None),
        ],
        "measures/<int:pk>/withdraw/": [(f"/measures/{shared}/withdraw/", POST_ONLY, None)],
        "measures/<int:pk>/restore/": [(f"/measures/{shared}/restore/", POST_ONLY, None)],
        "measures/<int:pk>/confirm/": [(f"/measures/{shared}/confirm/", POST_ONLY, None)],
        "measure-templates/": [("/measure-templates/", SIGNED_IN, template_targets_listed)],
        "agencies/<agency_code:code>/<fiscal_year:year>/report.<slug:file_format>": [
            ("/agencies/AG1/2568/report.xlsx", AG1_READ, only_ag1),
            ("/agencies/AG1/2568/report.docx", AG1_READ, only_ag1),
        ],
        "agencies/<agency_code:code>/<fiscal_year:year>/progress/<round_kind:round_kind>/report.<slug:file_format>": [
            ("/agencies/AG1/2569/progress/q1/report.xlsx", AG1_READ, progress_report_listed),
            ("/agencies/AG1/2569/progress/q1/report.docx", AG1_READ, progress_report_listed),
            # the whole year in the NSM's layout, with the evidence annex (each one's own entries only)
            ("/agencies/AG1/2569/progress/12m/report.xlsx?layout=nsm", AG1_READ, progress_report_listed),
        ],
        "agencies/<agency_code:code>/<fiscal_year:year>/plan/report.<slug:file_format>": [
            ("/agencies/AG1/2569/plan/report.xlsx", AG1_READ, ag1_measures_listed),
            ("/agencies/AG1/2569/plan/report.docx", AG1_READ, ag1_measures_listed),
        ],
        "agencies/<agency_code:code>/<fiscal_year:year>/improvement/report.<slug:file_format>": [
            ("/agencies/AG1/2569/improvement/report.xlsx", AG1_READ, ag1_measures_listed),
            ("/agencies/AG1/2569/improvement/report.docx", AG1_READ, ag1_measures_listed),
        ],
        "agencies/<agency_code:code>/<fiscal_year:year>/combined/report.<slug:file_format>": [
            ("/agencies/AG1/2569/combined/report.xlsx", AG1_READ, ag1_measures_listed)
        ],
        "bundles/": [("/bundles/", EDITORS_OF_ANY_AGENCY, bundles_listed)],
        "bundles/<int:pk>/status": [(f"/bundles/{world.bundle.pk}/status", OWNER, None)],
        "bundles/<int:pk>/download": [(f"/bundles/{world.bundle.pk}/download", OWNER, None)],
        "accounts/access-log/": [("/accounts/access-log/", ACCESS_LOG, access_log_listed)],
        "accounts/access-log/download.<slug:file_format>": [
            ("/accounts/access-log/download.csv", ACCESS_LOG, access_log_listed)
        ],
        # The letterhead: edited as the people are; its logo read by whoever sees the agency.
        "agencies/<agency_code:code>/profile/": [("/agencies/AG1/profile/", PEOPLE, None)],
        "agencies/<agency_code:code>/profile/logo.png": [("/agencies/AG1/profile/logo.png", AG1_READ, None)],
        "agencies/<agency_code:code>/<fiscal_year:year>/documents/": [
            ("/agencies/AG1/2569/documents/", AG1_READ, documents_listed)
        ],
        "agencies/<agency_code:code>/<fiscal_year:year>/documents/sign-off/": [
            ("/agencies/AG1/2569/documents/sign-off/", POST_ONLY, None)
        ],
        "agencies/<agency_code:code>/<fiscal_year:year>/documents/acknowledge/": [
            ("/agencies/AG1/2569/documents/acknowledge/", POST_ONLY, None)
        ],
        "agencies/<agency_code:code>/people/": [("/agencies/AG1/people/", PEOPLE, people_listed)],
        "agencies/<agency_code:code>/people/invite/": [("/agencies/AG1/people/invite/", PEOPLE, None)],
        "agencies/<agency_code:code>/people/invitations/<int:pk>/resend/": [
            (f"/agencies/AG1/people/invitations/{world.invitation.pk}/resend/", POST_ONLY, None)
        ],
        "agencies/<agency_code:code>/people/invitations/<int:pk>/cancel/": [
            (f"/agencies/AG1/people/invitations/{world.invitation.pk}/cancel/", POST_ONLY, None)
        ],
        "agencies/<agency_code:code>/people/<int:user_pk>/": [
            (f"/agencies/AG1/people/{world.users['executive'].pk}/", PEOPLE, None),
            (f"/agencies/AG1/people/{world.users['outsider'].pk}/", {**PEOPLE, "superuser": 404}, None),
        ],
        "agencies/<agency_code:code>/people/<int:user_pk>/remove/": [
            (f"/agencies/AG1/people/{world.users['executive'].pk}/remove/", POST_ONLY, None)
        ],
        "agencies/<agency_code:code>/people/<int:user_pk>/restore/": [
            (f"/agencies/AG1/people/{world.users['executive'].pk}/restore/", POST_ONLY, None)
        ],
        "accounts/invitation/<token>/": [
            (f"/accounts/invitation/{world.invitation_token}/", ANYONE, None),
            ("/accounts/invitation/not-a-token/", {who: 404 for who in CAST}, None),
        ],
        "accounts/login/": [("/accounts/login/", EVERYONE, None)],
        "accounts/account/": [("/accounts/account/", SIGNED_IN, None)],
        "accounts/account/sign-out-everywhere/": [("/accounts/account/sign-out-everywhere/", POST_ONLY, None)],
        "accounts/account/preferences/": [("/accounts/account/preferences/", POST_ONLY, None)],
        "notifications/": [("/notifications/", SIGNED_IN, notifications_listed)],
        "notifications/read/": [("/notifications/read/", POST_ONLY, None)],
        "notifications/<int:pk>/open/": [(f"/notifications/{world.notification.pk}/open/", POST_ONLY, None)],
        # Nobody in the cast has a second factor: each may set one up; none owes a code.
        "accounts/two-factor/enrol/": [("/accounts/two-factor/enrol/", SIGNED_IN, None)],
        "accounts/two-factor/verify/": [("/accounts/two-factor/verify/", {who: 302 for who in CAST}, None)],
        "accounts/two-factor/remove/": [("/accounts/two-factor/remove/", POST_ONLY, None)],
        "accounts/logout/": [("/accounts/logout/", POST_ONLY, None)],
        "accounts/password_change/": [("/accounts/password_change/", SIGNED_IN, None)],
        "accounts/password_change/done/": [("/accounts/password_change/done/", SIGNED_IN, None)],
        "accounts/password_reset/": [("/accounts/password_reset/", EVERYONE, None)],
        "accounts/password_reset/done/": [("/accounts/password_reset/done/", EVERYONE, None)],
        "accounts/reset/<uidb64>/<token>/": [("/accounts/reset/MQ/bad-token/", EVERYONE, None)],
        "accounts/reset/done/": [("/accounts/reset/done/", EVERYONE, None)],
        "i18n/setlang/": [("/i18n/setlang/", {who: 302 for who in CAST}, None)],
        "health/": [("/health/", EVERYONE, None)],
        # The admin site's own pages: only staff (here the superuser) get past its login.
        "admin/": [("/admin/", ADMIN_ONLY, None)],
        "admin/login/": [("/admin/login/", {**EVERYONE, "superuser": 302}, None)],
        "admin/logout/": [("/admin/logout/", {**ADMIN_ONLY, "superuser": 405}, None)],
        "admin/password_change/": [("/admin/password_change/", ADMIN_ONLY, None)],
        "admin/password_change/done/": [("/admin/password_change/done/", ADMIN_ONLY, None)],
        "admin/autocomplete/": [("/admin/autocomplete/", {**ADMIN_ONLY, "superuser": 403}, None)],
        "admin/jsi18n/": [("/admin/jsi18n/", ADMIN_ONLY, None)],
        "admin/r/<path:content_type_id>/<path:object_id>/": [
            (f"/admin/r/{agency_ct}/{world.units['U1'].agency_id}/", {**ADMIN_ONLY, "superuser": 404}, None)
        ],
        "admin/auth/user/<id>/password/": [
            (f"/admin/auth/user/{world.users['officer'].pk}/password/", ADMIN_ONLY, None)
        ],
        "admin/assessments/frameworkversion/upload/": [
            ("/admin/assessments/frameworkversion/upload/", ADMIN_ONLY, None)
        ],
        # Nobody reads another person's second-factor secret from the admin, administrators included.
        "admin/otp_totp/totpdevice/<int:pk>/config/": [
            (
                f"/admin/otp_totp/totpdevice/{TOTPDevice.objects.get().pk}/config/",
                {**ADMIN_ONLY, "superuser": 403},
                None,
            )
        ],
        "admin/otp_totp/totpdevice/<int:pk>/qrcode/": [
            (
                f"/admin/otp_totp/totpdevice/{TOTPDevice.objects.get().pk}/qrcode/",
                {**ADMIN_ONLY, "superuser": 403},
                None,
            )
        ],
        # The admin's page of each app: the route names every app with a registered model.
        f"admin/^(?P<app_label>{'|'.join(dict.fromkeys(m._meta.app_label for m in admin.site._registry))})/$": [
            ("/admin/measures/", ADMIN_ONLY, None),
            ("/admin/accounts/", ADMIN_ONLY, None),
        ],
        "admin/(?P<url>.*)$": [("/admin/no-such-page/", {**ADMIN_ONLY, "superuser": 404}, None)],
        f"{OIT}": [(f"/{OIT_AG1}", AG1_READ, checklist_listed)],
        f"{OIT}publish/": [(f"/{OIT_AG1}publish/", POST_ONLY, None)],
        f"{OIT}copy/": [(f"/{OIT_AG1}copy/", POST_ONLY, None)],
        f"{OIT}check-links/": [(f"/{OIT_AG1}check-links/", POST_ONLY, None)],
        f"{OIT}nacc.<slug:file_format>": [
            (f"/{OIT_AG1}nacc.csv", {**AG1_READ, "unit_staff": 403, "other_unit_staff": 403}, only_ag1)
        ],
        f"{OIT}<slug:item_code>/": [(f"/{OIT_AG1}o1/", UNIT_STAFF_READ, only_ag1)],
        f"{OIT}<slug:item_code>/<checklist_step:step>/": [(f"/{OIT_AG1}o1/approve/", POST_ONLY, None)],
        f"{OIT}<slug:item_code>/publish-document/": [(f"/{OIT_AG1}o27/publish-document/", POST_ONLY, None)],
        f"{OIT}<slug:item_code>/evidence/<int:pk>/": [
            (f"/{OIT_AG1}o1/evidence/{world.oit_file.pk}/", UNIT_STAFF_READ, None)
        ],
        f"{OIT}<slug:item_code>/evidence/<int:pk>/remove/": [
            (f"/{OIT_AG1}o1/evidence/{world.oit_file.pk}/remove/", POST_ONLY, None)
        ],
        "p/<agency_code:code>/<fiscal_year:year>/": [("/p/AG1/2569/", EVERYONE, only_ag1)],
        "p/<agency_code:code>/<fiscal_year:year>/embed/": [("/p/AG1/2569/embed/", EVERYONE, only_ag1)],
        "p/<agency_code:code>/<fiscal_year:year>/files/<int:pk>/": [
            (f"/p/AG1/2569/files/{world.oit_file.pk}/", EVERYONE, None)
        ],
        "p/<agency_code:code>/<fiscal_year:year>/documents/<int:pk>/": [
            (f"/p/AG1/2569/documents/{world.snapshot.pk}/", EVERYONE, None)
        ],
    }


def routes():
    """(route, name) of every URL pattern, as the resolver holds them."""

    def walk(patterns, prefix, namespace):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern), pattern.namespace or namespace)
            elif isinstance(pattern, URLPattern):
                name = pattern.name and (f"{namespace}:{pattern.name}" if namespace else pattern.name)
                yield prefix + str(pattern.pattern), name

    return list(walk(get_resolver().url_patterns, "", None))


# Responses that set a stricter policy of their own: an evidence file may never run as a page.
OIT = "agencies/<agency_code:code>/<fiscal_year:year>/oit/"
OIT_AG1 = "agencies/AG1/2569/oit/"
OWN_POLICIES = {
    "entries/<int:pk>/evidence/<int:evidence_pk>/": EVIDENCE_POLICY,
    f"{OIT}<slug:item_code>/evidence/<int:pk>/": EVIDENCE_POLICY,
    "p/<agency_code:code>/<fiscal_year:year>/files/<int:pk>/": EVIDENCE_POLICY,
    "p/<agency_code:code>/<fiscal_year:year>/documents/<int:pk>/": EVIDENCE_POLICY,
    # The embedded public page: the agency's own sites may frame it.
    "p/<agency_code:code>/<fiscal_year:year>/embed/": POLICY.replace(
        "frame-ancestors 'none'", "frame-ancestors https://www.ag1.go.th"
    ),
}

MODEL_ADMIN_VIEWS = ("changelist", "add", "history", "delete", "change", "simple_history")


def model_admin_route(route, name):
    """(model admin, view) for a page the admin makes for every registered model; None for others."""
    for model, model_admin in admin.site._registry.items():
        base = f"admin/{model._meta.app_label}/{model._meta.model_name}/"
        if not route.startswith(base):
            continue
        if name is None and route == base + "<path:object_id>/":
            return model_admin, "redirect"
        for view in MODEL_ADMIN_VIEWS:
            if name == f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}":
                return model_admin, view
    return None


def model_admin_case(model_admin, view, superuser):
    """(url, statuses) for one model's admin page. The superuser gets each page the model's admin
    allows (adding is switched off for some models), everyone else the admin's login."""
    model = model_admin.model
    obj = model._default_manager.order_by("pk").first()
    assert obj is not None, f"the world has no {model.__name__} for the admin's pages"
    base = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
    request = RequestFactory().get(base)
    request.user = superuser
    allowed = {
        "changelist": True,
        "add": model_admin.has_add_permission(request),
        "history": True,
        "delete": model_admin.has_delete_permission(request, obj),
        "change": True,
        "simple_history": True,
        "redirect": True,
    }[view]
    if view == "simple_history":  # one earlier version of the object
        url = f"{base}{obj.pk}/history/{obj.history.order_by('history_id').first().history_id}/"
    else:
        path = {
            "changelist": "",
            "add": "add/",
            "history": "history/",
            "delete": "delete/",
            "change": "change/",
            "redirect": "",
        }[view]
        url = base + path if view in ("changelist", "add") else f"{base}{obj.pk}/{path}"
    superuser_status = (302 if view == "redirect" else 200) if allowed else 403
    return url, {**ADMIN_ONLY, "superuser": superuser_status}


def test_every_url_has_a_case(world):
    explicit = cases(world)
    missing = [route for route, name in routes() if route not in explicit and model_admin_route(route, name) is None]
    assert missing == []
    stale = set(explicit) - {route for route, _name in routes()}
    assert stale == set()


@pytest.mark.parametrize("who", CAST)
def test_every_url_for_everyone(client, world, who):
    """GET each URL as `who`: the status, where an anonymous user is sent, what each list shows, and
    the Content Security Policy on every response (pages, redirects, errors and files alike)."""
    user = world.users[who]
    if user is not None:
        client.force_login(user)
    explicit = cases(world)
    problems = []
    with time_machine.travel(TODAY, tick=False):
        for route, name in routes():
            found = model_admin_route(route, name)
            if found:
                url, statuses = model_admin_case(*found, world.users["superuser"])
                checks = [(url, statuses, None)]
            else:
                checks = explicit[route]
            for url, statuses, check in checks:
                response = client.get(url)
                policy = OWN_POLICIES.get(route, POLICY) if response.status_code == 200 else POLICY
                if response.get("Content-Security-Policy") != policy:
                    problems.append(f"{url}: Content-Security-Policy {response.get('Content-Security-Policy')!r}")
                if response.status_code != statuses[who]:
                    problems.append(f"{url}: {response.status_code}, expected {statuses[who]}")
                    continue
                if response.status_code == 302 and who == "anonymous" and not url.startswith(("/i18n/", "/admin/")):
                    if not response.url.startswith("/accounts/login/"):
                        problems.append(f"{url}: sent to {response.url}")
                if check is not None and response.status_code == 200:
                    try:
                        check(response, who)
                    except AssertionError as exc:
                        problems.append(f"{url}: {check.__name__}: {exc}")
    assert not problems, "\n".join(problems)
