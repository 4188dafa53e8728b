"""The audit of access: each sign-in, failed sign-in, lock-out, sign-out and opened file is one row
(who, when, what, from where); the access log shows each administrator exactly the rows that are
theirs; nobody changes a row from the UI; old rows go only with `prune_access_log`.

The world: AG1 (its administrator `admin1`, the officer, an executive and unit staff) and AG2 (its
administrator `admin2` and `outsider`, an officer), and a system administrator.
"""

import csv
import datetime
import io
import re
from zoneinfo import ZoneInfo

import pytest
from axes.signals import user_locked_out
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import AccessEvent
from measures.evidence import PDF
from measures.models import Evidence, ProgressEntry
from reports.models import Bundle, BundleStatus
from tests import factories
from tests.entries_support import PDF as PDF_BYTES

Kind = AccessEvent.Kind
PAGE = "/accounts/access-log/"
BANGKOK = ZoneInfo("Asia/Bangkok")
ADDRESS = "203.0.113.7"
BROWSER = "Mozilla/5.0 (ทดสอบ)"


@pytest.fixture
def admin1(agency):
    return factories.member("admin1", agency, "agency_admin")


@pytest.fixture
def admin2(other_agency):
    return factories.member("admin2", other_agency, "agency_admin")


@pytest.fixture
def plan(agency, unit):
    """AG1's results of 2568 and its 2569 plan, one measure led by ส.บก."""
    factories.summarised_assessment(agency, 2568, {"i1": "50", "i2": "60", "ITA": "80"})
    return factories.measure(agency, 2569, "มาตรการทดสอบบันทึกการเข้าถึง", lead_unit=unit, items=["i1"])


@pytest.fixture
def evidence(plan, unit):
    entry = ProgressEntry.objects.get(measure=plan, unit=unit, round__kind="q1")
    return Evidence.objects.create(
        entry=entry,
        file=ContentFile(PDF_BYTES, name="minutes.pdf"),
        name="รายงานการประชุม.pdf",
        content_type=PDF,
        size=len(PDF_BYTES),
    )


def signed_in(client, user):
    """The client signed in as `user`, with the sign-in's own event out of the way."""
    client.force_login(user)
    AccessEvent.objects.all().delete()
    return client


def only_event():
    events = list(AccessEvent.objects.all())
    assert len(events) == 1, events
    return events[0]


def filename_of(response):
    return re.search(r'filename="?([^";]+)"?', response["Content-Disposition"]).group(1)


def opened(response):
    if response.streaming:
        b"".join(response.streaming_content)
    return response


# --- Recording: sign-ins and sign-outs ------------------------------------------------------------


@pytest.mark.time_machine(datetime.datetime(2026, 12, 2, 9, 30, tzinfo=BANGKOK), tick=False)
def test_signing_in_is_recorded_with_the_address_and_the_browser(client, officer):
    response = client.post(
        "/accounts/login/",
        {"username": "officer", "password": factories.PASSWORD},
        REMOTE_ADDR=ADDRESS,
        HTTP_USER_AGENT=BROWSER,
    )

    assert response.status_code == 302
    event = only_event()
    assert (event.kind, event.user, event.username, event.agency) == (Kind.LOGIN, officer, "officer", None)
    assert (event.address, event.user_agent) == (ADDRESS, BROWSER)
    assert event.at == datetime.datetime(2026, 12, 2, 9, 30, tzinfo=BANGKOK)


def test_a_failed_sign_in_records_the_account_typed_and_never_the_password(client, officer):
    client.post("/accounts/login/", {"username": "officer", "password": "Wrong-Secret-99"}, REMOTE_ADDR=ADDRESS)
    client.post("/accounts/login/", {"username": "nobody", "password": "Wrong-Secret-99"}, REMOTE_ADDR=ADDRESS)

    events = AccessEvent.objects.order_by("pk")
    assert [(e.kind, e.user, e.username, e.address) for e in events] == [
        (Kind.LOGIN_FAILED, officer, "officer", ADDRESS),
        (Kind.LOGIN_FAILED, None, "nobody", ADDRESS),
    ]
    stored = [str(value) for e in events.values() for value in e.values()]
    assert not [value for value in stored if "Wrong-Secret" in value]


def test_signing_out_is_recorded(client, officer):
    signed_in(client, officer)

    client.post("/accounts/logout/", REMOTE_ADDR=ADDRESS)

    event = only_event()
    assert (event.kind, event.user, event.username, event.address) == (Kind.LOGOUT, officer, "officer", ADDRESS)


def test_a_lock_out_is_recorded_with_the_account_and_the_address(officer):
    request = RequestFactory().post("/accounts/login/", REMOTE_ADDR=ADDRESS, HTTP_USER_AGENT=BROWSER)
    request.user = officer  # whoever is signed in, the event names the account that was locked

    user_locked_out.send("axes", request=request, username="nobody", ip_address=ADDRESS)

    event = only_event()
    assert (event.kind, event.user, event.username, event.address) == (Kind.LOCKED_OUT, None, "nobody", ADDRESS)


def test_the_forwarded_for_header_is_ignored_unless_a_proxy_is_configured(client, officer):
    client.post(
        "/accounts/login/",
        {"username": "officer", "password": factories.PASSWORD},
        REMOTE_ADDR=ADDRESS,
        HTTP_X_FORWARDED_FOR="198.51.100.99",
    )

    assert only_event().address == ADDRESS


# --- Recording: files ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/agencies/AG1/2568/report.xlsx",
        "/agencies/AG1/2568/report.pdf",
        "/agencies/AG1/2569/plan/report.xlsx",
        "/agencies/AG1/2569/improvement/report.xlsx",
        "/agencies/AG1/2569/progress/q1/report.xlsx",
    ],
)
def test_each_report_download_is_recorded_with_its_agency_and_file_name(client, officer, agency, plan, url):
    signed_in(client, officer)

    response = client.get(url, REMOTE_ADDR=ADDRESS)

    assert response.status_code == 200
    event = only_event()
    assert (event.kind, event.user, event.agency) == (Kind.REPORT_DOWNLOAD, officer, agency)
    assert event.what == filename_of(response)
    assert event.address == ADDRESS


def test_the_overview_download_is_recorded_without_an_agency(client, superuser, plan):
    signed_in(client, superuser)

    response = client.get("/overview/2568/download.csv")

    assert response.status_code == 200
    event = only_event()
    assert (event.kind, event.user, event.agency, event.what) == (
        Kind.REPORT_DOWNLOAD,
        superuser,
        None,
        "ita-overview-2568.csv",
    )


def test_opening_evidence_is_recorded_with_its_agency_and_file_name(client, officer, agency, evidence):
    signed_in(client, officer)

    response = opened(client.get(f"/entries/{evidence.entry_id}/evidence/{evidence.pk}/", REMOTE_ADDR=ADDRESS))

    assert response.status_code == 200
    event = only_event()
    assert (event.kind, event.user, event.agency, event.what, event.address) == (
        Kind.EVIDENCE_VIEW,
        officer,
        agency,
        "รายงานการประชุม.pdf",
        ADDRESS,
    )


def test_asking_for_a_bundle_and_downloading_it_are_recorded(client, officer, agency, plan):
    signed_in(client, officer)

    client.post("/bundles/", {"organisation": "AG1", "fiscal_year": 2569}, REMOTE_ADDR=ADDRESS)

    asked = only_event()
    assert (asked.kind, asked.user, asked.agency, asked.what) == (
        Kind.BUNDLE_REQUESTED,
        officer,
        agency,
        "ita-AG1-2569.zip",
    )
    bundle = Bundle.objects.get()
    bundle.status = BundleStatus.DONE
    bundle.file.save("bundle.zip", ContentFile(b"PK\x05\x06" + bytes(18)), save=True)
    AccessEvent.objects.all().delete()

    response = opened(client.get(f"/bundles/{bundle.pk}/download", REMOTE_ADDR=ADDRESS))

    assert response.status_code == 200
    event = only_event()
    assert (event.kind, event.user, event.agency, event.what) == (
        Kind.BUNDLE_DOWNLOAD,
        officer,
        agency,
        "ita-AG1-2569.zip",
    )


def test_a_bundle_already_being_built_is_not_asked_for_again(client, officer, plan):
    signed_in(client, officer)
    client.post("/bundles/", {"organisation": "AG1", "fiscal_year": 2569})

    client.post("/bundles/", {"organisation": "AG1", "fiscal_year": 2569})

    assert AccessEvent.objects.filter(kind=Kind.BUNDLE_REQUESTED).count() == 1


def test_a_refused_download_records_nothing(client, outsider, officer, plan, evidence):
    bundle = Bundle.objects.create(
        organisation=plan.agency,
        fiscal_year=2569,
        requested_by=officer,
        status=BundleStatus.DONE,
        file=ContentFile(b"PK\x05\x06" + bytes(18), name="bundle.zip"),
    )
    signed_in(client, outsider)

    statuses = [
        client.get(url).status_code
        for url in (
            "/agencies/AG1/2568/report.xlsx",
            "/agencies/AG1/2569/plan/report.pdf",
            "/agencies/AG1/2569/progress/q1/report.xlsx",
            f"/entries/{evidence.entry_id}/evidence/{evidence.pk}/",
            f"/bundles/{bundle.pk}/download",
            "/agencies/AG1/2568/report.docx",
            "/overview/2568/download.csv",
        )
    ]

    assert statuses == [404, 404, 404, 404, 404, 404, 403]
    assert AccessEvent.objects.count() == 0


def test_a_file_missing_from_the_media_folder_is_not_a_download(client, officer, evidence):
    evidence.file.storage.delete(evidence.file.name)
    signed_in(client, officer)

    response = client.get(f"/entries/{evidence.entry_id}/evidence/{evidence.pk}/")

    assert response.status_code == 404
    assert AccessEvent.objects.count() == 0


# --- The page: who sees which rows ------------------------------------------------------------------

# Each event of the world carries its name in `what`, so that the page's text tells which are shown.
ALL_EVENTS = {
    "AG1-REPORT",  # officer downloads an AG1 report
    "AG2-EVIDENCE",  # outsider opens AG2 evidence
    "AG1-BUNDLE-BY-ROOT",  # the system administrator downloads an AG1 bundle
    "ROOT-OVERVIEW",  # the system administrator downloads the overview (no agency)
    "OFFICER-OVERVIEW",  # the officer downloads an overview: no agency, and not an account's event
    "OFFICER-LOGIN",
    "OFFICER-FAILED",
    "OUTSIDER-LOGIN",
    "UNKNOWN-FAILED",  # a name nobody has
    "ROOT-LOGIN",
}
SEES = {
    "superuser": ALL_EVENTS,
    "admin1": {"AG1-REPORT", "AG1-BUNDLE-BY-ROOT", "OFFICER-LOGIN", "OFFICER-FAILED"},
    "admin2": {"AG2-EVIDENCE", "OUTSIDER-LOGIN"},
}


@pytest.fixture
def logged(agency, other_agency, officer, outsider, superuser, admin1, admin2, executive, unit_staff):
    def add(name, kind, user=None, agency=None, username=""):
        AccessEvent.objects.create(
            kind=kind, user=user, username=user.username if user else username, agency=agency, what=name
        )

    add("AG1-REPORT", Kind.REPORT_DOWNLOAD, officer, agency)
    add("AG2-EVIDENCE", Kind.EVIDENCE_VIEW, outsider, other_agency)
    add("AG1-BUNDLE-BY-ROOT", Kind.BUNDLE_DOWNLOAD, superuser, agency)
    add("ROOT-OVERVIEW", Kind.REPORT_DOWNLOAD, superuser)
    add("OFFICER-OVERVIEW", Kind.REPORT_DOWNLOAD, officer)
    add("OFFICER-LOGIN", Kind.LOGIN, officer)
    add("OFFICER-FAILED", Kind.LOGIN_FAILED, officer)
    add("OUTSIDER-LOGIN", Kind.LOGIN, outsider)
    add("UNKNOWN-FAILED", Kind.LOGIN_FAILED, username="nobody")
    add("ROOT-LOGIN", Kind.LOGIN, superuser)
    return {
        "superuser": superuser,
        "admin1": admin1,
        "admin2": admin2,
        "officer": officer,
        "executive": executive,
        "unit_staff": unit_staff,
        "outsider": outsider,
    }


def shown(response):
    return {name for name in ALL_EVENTS if re.search(rf">\s*{name}\s*<", response.text)}


@pytest.mark.parametrize("who", ["superuser", "admin1", "admin2"])
def test_each_administrator_sees_exactly_their_events(client, logged, who):
    client.force_login(logged[who])

    response = client.get(PAGE)

    assert response.status_code == 200
    assert shown(response) == SEES[who]
    assert 'href="/accounts/access-log/"' in response.text  # the menu links to it


@pytest.mark.parametrize("who", ["officer", "executive", "unit_staff", "outsider"])
def test_everyone_else_is_refused_the_log_and_its_downloads(client, logged, who):
    client.force_login(logged[who])

    assert client.get(PAGE).status_code == 403
    assert client.get(PAGE.replace("access-log/", "access-log/download.csv")).status_code == 403
    assert 'href="/accounts/access-log/"' not in client.get("/").text


def test_anonymous_visitors_are_sent_to_sign_in(client, logged):
    response = client.get(PAGE)

    assert response.status_code == 302 and response.url.startswith("/accounts/login/")


def test_an_agency_administrator_sees_sign_ins_of_their_members_only_while_they_are_members(client, logged, agency):
    from assessments.models import Membership  # noqa: PLC0415

    client.force_login(logged["admin1"])
    Membership.objects.filter(user=logged["officer"], agency=agency).delete()

    assert shown(client.get(PAGE)) == {"AG1-REPORT", "AG1-BUNDLE-BY-ROOT"}


def test_the_page_lists_newest_first_with_buddhist_era_times(client, superuser):
    signed_in(client, superuser)
    at = datetime.datetime(2026, 5, 15, 9, 5, 7, tzinfo=BANGKOK)
    AccessEvent.objects.create(kind=Kind.LOGIN, username="older", at=at - datetime.timedelta(hours=1), what="OLDER")
    AccessEvent.objects.create(kind=Kind.LOGIN, username="newer", at=at, what="NEWER", address=ADDRESS)

    text = client.get(PAGE).text

    assert text.index("NEWER") < text.index("OLDER")
    assert "15 พ.ค. 69 09:05:07" in text
    assert ADDRESS in text
    assert "เข้าสู่ระบบ" in text  # the kind, in Thai


# --- Filters ---------------------------------------------------------------------------------------


@pytest.fixture
def dated(superuser, agency, other_agency):
    """Events around midnight in Bangkok between 14 and 15 May 2026."""

    def add(name, hour_day, kind=Kind.LOGIN, username="officer", agency=None):
        day, hour, minute = hour_day
        AccessEvent.objects.create(
            kind=kind,
            username=username,
            agency=agency,
            what=name,
            at=datetime.datetime(2026, 5, day, hour, minute, tzinfo=BANGKOK),
        )

    add("LATE-ON-14", (14, 23, 59))
    add("EARLY-ON-15", (15, 0, 1), kind=Kind.REPORT_DOWNLOAD, agency=agency)
    add("NOON-ON-16", (16, 12, 0), kind=Kind.EVIDENCE_VIEW, username="outsider", agency=other_agency)
    add("FAILED-ON-16", (16, 13, 0), kind=Kind.LOGIN_FAILED, username="=cmd|' /C calc'!A0")
    return {"LATE-ON-14", "EARLY-ON-15", "NOON-ON-16", "FAILED-ON-16"}


def filtered(client, superuser, **query):
    client.force_login(superuser)
    response = client.get(PAGE, query)
    assert response.status_code == 200
    return {name for name in ("LATE-ON-14", "EARLY-ON-15", "NOON-ON-16", "FAILED-ON-16") if name in response.text}


def test_filter_by_kind(client, superuser, dated):
    assert filtered(client, superuser, kind="report_download") == {"EARLY-ON-15"}
    assert filtered(client, superuser, kind="login_failed") == {"FAILED-ON-16"}


def test_filter_by_part_of_the_user_name(client, superuser, dated):
    assert filtered(client, superuser, username="OUTS") == {"NOON-ON-16"}


def test_filter_by_agency_code(client, superuser, dated):
    assert filtered(client, superuser, agency="ag1") == {"EARLY-ON-15"}
    assert filtered(client, superuser, agency="AG2") == {"NOON-ON-16"}


def test_filter_by_days_in_bangkok_time_christian_or_buddhist_era(client, superuser, dated):
    assert filtered(client, superuser, since="2026-05-15") == {"EARLY-ON-15", "NOON-ON-16", "FAILED-ON-16"}
    assert filtered(client, superuser, until="2026-05-14") == {"LATE-ON-14"}
    assert filtered(client, superuser, since="2569-05-15", until="2569-05-15") == {"EARLY-ON-15"}


def test_a_range_ending_before_it_starts_is_refused_with_a_message(client, superuser, dated):
    client.force_login(superuser)

    response = client.get(PAGE, {"since": "2026-05-16", "until": "2026-05-15"})

    assert response.status_code == 200
    assert "วันที่สิ้นสุดต้องไม่ก่อนวันที่เริ่มต้น" in response.text
    assert "NOON-ON-16" not in response.text
    download = client.get(PAGE + "download.csv", {"since": "2026-05-16", "until": "2026-05-15"})
    assert download.status_code == 302 and download.url.startswith(PAGE + "?")


def test_the_download_holds_the_filtered_rows_with_formulas_made_harmless(client, superuser, dated):
    client.force_login(superuser)

    response = client.get(PAGE + "download.csv", {"since": "2026-05-16", "until": "2026-05-16"})

    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [row[5] for row in rows[1:]] == ["FAILED-ON-16", "NOON-ON-16"]
    assert rows[1][2] == "'=cmd|' /C calc'!A0"
    assert rows[2][0] == "2026-05-16 12:00:00"
    event = AccessEvent.objects.latest("pk")  # the download itself is recorded
    assert (event.kind, event.user, event.what) == (Kind.REPORT_DOWNLOAD, superuser, "ita-access-log.csv")


def test_the_xlsx_download_keeps_text_as_text(client, superuser, dated):
    from openpyxl import load_workbook  # noqa: PLC0415

    client.force_login(superuser)

    response = client.get(PAGE + "download.xlsx", {"kind": "login_failed"})

    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet["C2"].value == "=cmd|' /C calc'!A0"
    assert sheet["C2"].data_type == "s"


def test_a_download_of_too_many_events_asks_for_narrower_filters(client, superuser, dated, monkeypatch):
    monkeypatch.setattr("accounts.views.access_log.DOWNLOAD_LIMIT", 3)
    client.force_login(superuser)

    response = client.get(PAGE + "download.xlsx", follow=True)

    assert "เลือกช่วงเวลาให้สั้นลงหรือเลือกหน่วยงานเดียว" in response.text
    assert AccessEvent.objects.filter(kind=Kind.REPORT_DOWNLOAD, user=superuser).count() == 0


# --- Queries ----------------------------------------------------------------------------------------


def page_queries(client, user):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(PAGE)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("who", ["superuser", "admin1"])
def test_the_page_runs_a_fixed_number_of_queries_however_many_events_and_agencies(
    client, django_assert_num_queries, superuser, admin1, agency, officer, who
):
    viewer = {"superuser": superuser, "admin1": admin1}[who]
    signed_in(client, viewer)
    AccessEvent.objects.create(kind=Kind.REPORT_DOWNLOAD, user=officer, username="officer", agency=agency, what="x")
    one = page_queries(client, viewer)

    for n in range(59):
        other = factories.agency(f"X{n}")
        member = factories.member(f"member{n}", agency, "executive")
        AccessEvent.objects.create(kind=Kind.REPORT_DOWNLOAD, user=officer, agency=other, what=f"file{n}")
        AccessEvent.objects.create(kind=Kind.LOGIN, user=member, username=member.username)
        AccessEvent.objects.create(kind=Kind.REPORT_DOWNLOAD, user=officer, agency=agency, what=f"AG1-{n}")

    with django_assert_num_queries(one):
        response = client.get(PAGE)
    assert response.text.count("<tr") == 51  # a header row and a page of 50


# --- The admin: view only ----------------------------------------------------------------------------


@pytest.fixture
def event(agency, officer):
    return AccessEvent.objects.create(
        kind=Kind.REPORT_DOWNLOAD, user=officer, username="officer", agency=agency, what="ita-AG1.xlsx"
    )


def test_the_admin_lists_and_shows_events(client, superuser, event):
    client.force_login(superuser)

    listing = client.get("/admin/accounts/accessevent/", {"q": "ita-AG1"})
    page = client.get(f"/admin/accounts/accessevent/{event.pk}/change/")

    assert listing.status_code == 200 and "ita-AG1.xlsx" in listing.text
    assert 'name="action"' not in listing.text  # no "delete selected"
    assert page.status_code == 200 and "ita-AG1.xlsx" in page.text
    assert 'name="_save"' not in page.text and 'href="add/"' not in listing.text


def test_nobody_changes_adds_or_deletes_an_event_in_the_admin(client, superuser, event, officer):
    client.force_login(superuser)
    base = "/admin/accounts/accessevent/"

    changed = client.post(f"{base}{event.pk}/change/", {"kind": "login", "username": "someone", "what": "forged"})
    deleted = client.post(f"{base}{event.pk}/delete/", {"post": "yes"})
    bulk = client.post(base, {"action": "delete_selected", "_selected_action": [event.pk], "post": "yes"})
    added = client.post(f"{base}add/", {"kind": "login", "username": "forged"})

    assert (changed.status_code, deleted.status_code, added.status_code) == (403, 403, 403)
    assert bulk.status_code in (200, 302)  # the admin answers "no action selected"
    event.refresh_from_db()
    assert (event.kind, event.username, event.what) == (Kind.REPORT_DOWNLOAD, "officer", "ita-AG1.xlsx")
    assert AccessEvent.objects.filter(pk=event.pk).exists()
    assert AccessEvent.objects.filter(username="forged").count() == 0


# --- Pruning -------------------------------------------------------------------------------------


@pytest.mark.time_machine(datetime.datetime(2026, 5, 15, 10, 0, tzinfo=BANGKOK), tick=False)
def test_pruning_deletes_only_the_events_older_than_asked(db):
    now = timezone.now()
    for days in (500, 401, 399, 1):
        AccessEvent.objects.create(kind=Kind.LOGIN, username=f"d{days}", at=now - datetime.timedelta(days=days))
    out = io.StringIO()

    call_command("prune_access_log", "--older-than-days", "400", "--dry-run", stdout=out)
    assert AccessEvent.objects.count() == 4
    assert "Would delete 2 access events" in out.getvalue()

    call_command("prune_access_log", "--older-than-days", "400", stdout=out)
    assert sorted(AccessEvent.objects.values_list("username", flat=True)) == ["d1", "d399"]
    assert "Deleted 2 access events from before 2025-04-10 10:00; 2 kept." in out.getvalue()

    with pytest.raises(CommandError, match="1 or more"):
        call_command("prune_access_log", "--older-than-days", "0")
