"""A GET changes nothing: every URL pattern of the project, opened by a superuser and by an
integrity officer over a small agency with results, a plan with entries, an evidence file and a
bundle, runs no INSERT, UPDATE or DELETE.

The patterns come from the URL resolver, so a new URL without a case here fails
`test_every_url_pattern_has_a_case`. The admin's patterns are built from its registry, one
existing object of each model.

Nothing is ignored but Django's own password-reset machinery: opening a valid reset link stores
the token in the session (a write to accounts_session, the session engine's table) and redirects
to a link without it, so the token never sits in the browser's address bar or a Referer header;
and the audit of access: a GET that hands over a report, a bundle or an evidence file adds exactly
one row to the access log, which is the point of it, and writes nothing else; and the shared
cache (its table ita_cache), where a page made from the stored figures is kept for the next
request (assessments.stamp.kept): a cache, not the agency's data.
"""

import datetime
import re
import time

import pytest
import time_machine
from django.conf import settings
from django.contrib import admin
from django.contrib.auth.tokens import default_token_generator
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import URLResolver, get_resolver
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts.models import AccessEvent
from assessments import access
from measures.models import (
    Action,
    Activity,
    Evidence,
    MeasureTemplate,
    ProgressEntry,
    ReportingRound,
    ReviewEvent,
    State,
)
from notifications.models import Notification
from oit.checklist import o_items, version_for
from oit.models import ChecklistEvidence, ChecklistItem, DocumentSnapshot, Guidance, PublicPage, Status as OitStatus
from people.actions import do_accept_invitation, do_invite, do_remove_person
from reports.models import Acknowledgement, AgencyProfile, Bundle, BundleStatus, SignOff
from tests import factories, published
from tests.entries_support import PDF
from tests.published import indicators

WRITE = re.compile(r"\s*(INSERT|UPDATE|DELETE|REPLACE)\b", re.IGNORECASE)

# Only Django's password reset writes on a GET, and only the session (see the module's docstring).
SESSION_WRITES = {"accounts/reset/<uidb64>/<token>/"}
SESSION_TABLE = re.compile(r"""["`]?accounts_session["`]?\s""")  # SESSION_ENGINE "accounts.sessions"
CACHE_TABLE = re.compile(rf"""["`]?{settings.CACHE_TABLE}["`]?\s""")

# The downloads, each of which records itself in the access log (one INSERT) when it answers 200.
REPORTS = "agencies/<agency_code:code>/<fiscal_year:year>"
AUDITED = {
    "overview/<fiscal_year:year>/download.<slug:file_format>",
    "entries/<int:pk>/evidence/<int:evidence_pk>/",
    f"{REPORTS}/report.<slug:file_format>",
    f"{REPORTS}/progress/<round_kind:round_kind>/report.<slug:file_format>",
    f"{REPORTS}/plan/report.<slug:file_format>",
    f"{REPORTS}/improvement/report.<slug:file_format>",
    f"{REPORTS}/combined/report.<slug:file_format>",
    "bundles/<int:pk>/download",
    "accounts/access-log/download.<slug:file_format>",
}
AUDIT_ROW = re.compile(r"""\s*INSERT\s+INTO\s+["`]?accounts_accessevent["`]?\s""", re.IGNORECASE)


def project_routes(patterns=None, prefix=""):
    """Every URL pattern of the project as its full route, e.g. "agencies/<agency_code:code>/"."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            yield from project_routes(pattern.url_patterns, prefix + str(pattern.pattern))
        else:
            yield prefix + str(pattern.pattern)


@pytest.fixture
def site(agency, officer, superuser, unit, settings, tmp_path):
    """AG1 under a ministry: the results of 2565, the plan of 2566 answering them with a
    measure whose Q1 report is submitted with an activity and an evidence file, a measure
    template, and a finished bundle for each user. 2567 has no rounds yet."""
    settings.MEDIA_ROOT = tmp_path / "media"
    ministry = factories.agency("MIN", "กระทรวงทดสอบ", agency_type="ministry")
    agency.parent = ministry
    agency.save()
    factories.summarised_assessment(agency, 2564, indicators(published.TCEB_2565_INDICATORS))
    assessment = factories.summarised_assessment(
        agency, 2565, {**published.TCEB_2565_ITEMS, **indicators(published.TCEB_2565_INDICATORS)}
    )
    unit.members.add(officer)
    measure = factories.measure(agency, 2566, "มาตรการป้องกันการใช้ทรัพย์สินของราชการ", lead_unit=unit, items=("I20",))
    entry = ProgressEntry.objects.get(measure=measure, round__kind="q1", unit=unit)
    entry.result, entry.percent, entry.state = "จัดอบรมแล้ว", 50, State.SUBMITTED
    entry.save()
    Activity.objects.create(entry=entry, date=datetime.date(2025, 11, 5), text="ประชุมชี้แจง")
    evidence = Evidence.objects.create(
        entry=entry,
        file=ContentFile(PDF, name="minutes.pdf"),
        name="minutes.pdf",
        content_type="application/pdf",
        size=len(PDF),
    )
    template = MeasureTemplate.objects.create(indicator_number=4, item_code="I20", name="มาตรการจากคลัง", steps="ขั้นที่ 1")
    # The unit's submit notifies the officer, AG1's reviewer.
    ReviewEvent.objects.create(entry=entry, action=Action.SUBMIT)
    bundles = {}
    # Each user's bundle is of an organisation they may ask bundles for (the officer edits only AG1).
    for user, organisation, agencies in ((superuser, ministry, [ministry, agency]), (officer, agency, [agency])):
        bundle = Bundle.objects.create(
            organisation=organisation, fiscal_year=2566, requested_by=user, status=BundleStatus.DONE, done=10, total=10
        )
        bundle.agencies.set(agencies)
        bundle.file.save(
            f"ita-{organisation.code}-2566-{user.pk}.zip", ContentFile(b"PK\x05\x06" + bytes(18)), save=True
        )
        bundles[user.pk] = bundle
    # The documents: AG1's letterhead with a logo, the 2566 plan's signature blocks and acknowledgement.
    AgencyProfile.objects.create(
        agency=agency, full_name="สำนักงานทดสอบ", logo=factories.LOGO_PNG, logo_type="image/png"
    )
    SignOff.objects.create(agency=agency, fiscal_year=2566, kind="plan")
    Acknowledgement.objects.create(
        agency=agency, fiscal_year=2566, kind="plan", name="ผู้บริหาร", text="รับทราบ", acknowledged_on="2026-01-05"
    )
    # The people pages: a pending invitation, an accepted one, a member removed from AG1.
    invitation = do_invite(
        agency=agency,
        email="new@example.org",
        name="",
        role="officer",
        units=[unit],
        language="th",
        invited_by=superuser,
    )
    used, used_token = do_invite(
        agency=agency, email="old@example.org", name="", role="officer", units=[], language="th", invited_by=superuser
    )
    do_accept_invitation(invitation=used, username="accepted", password="a-long-pass-2568")
    former = factories.member("former", agency, "executive")
    do_remove_person(membership=access.membership_in(agency, former.pk), removed_by=superuser)
    # The OIT checklist of 2569: o1 approved with a link and a public file, the page published.
    checklist_item, oit_file, snapshot = oit_world(agency, unit)
    return {
        "checklist_item": checklist_item,
        "oit_file": oit_file,
        "snapshot": snapshot,
        "invitation": invitation,
        "used_invitation_token": used_token,
        "former": former,
        "assessment": assessment,
        "measure": measure,
        "entry": entry,
        "evidence": evidence,
        "template": template,
        "unit": unit,
        "bundles": bundles,
        "officer": officer,
    }


def oit_world(agency, unit):
    o1 = next(item for item in o_items(version_for(agency, 2569)) if item.code == "o1")
    Guidance.objects.create(item=o1, text="โครงสร้างและอำนาจหน้าที่ตามกฎหมาย")
    row = ChecklistItem.objects.create(agency=agency, fiscal_year=2569, item=o1, unit=unit, status=OitStatus.APPROVED)
    ChecklistEvidence.objects.create(checklist_item=row, label="โครงสร้าง", url="https://www.ag1.go.th/structure")
    piece = ChecklistEvidence.objects.create(
        checklist_item=row, label="ผัง", file=ContentFile(PDF, name="chart.pdf"), file_name="chart.pdf", public=True
    )
    PublicPage.objects.create(
        agency=agency,
        fiscal_year=2569,
        published=datetime.datetime(2026, 11, 20, 3, 0, tzinfo=datetime.UTC),
        frame_ancestors="https://a.go.th",
    )
    o27 = next(item for item in o_items(version_for(agency, 2569)) if item.code == "o27")
    snapshot = DocumentSnapshot.objects.create(
        agency=agency, fiscal_year=2569, item=o27, kind="plan", version=1, file=ContentFile(PDF, name="plan-v1.pdf")
    )
    return row, piece, snapshot


def app_cases(site, user):
    """{route: [URLs]} of the project's own pages, with the query strings they take."""
    entry, measure, evidence, unit = site["entry"], site["measure"], site["evidence"], site["unit"]
    bundle = site["bundles"][user.pk]
    uid = urlsafe_base64_encode(force_bytes(site["officer"].pk))
    token = default_token_generator.make_token(site["officer"])
    reports = "agencies/<agency_code:code>/<fiscal_year:year>"
    invitation, invitation_token = site["invitation"]
    used_token = site["used_invitation_token"]
    notifications = Notification.objects.filter(user=user)
    return {
        "": ["/"],
        "results/import/": ["/results/import/"],
        "results/template/": [
            "/results/template/?agency=AG1&fiscal_year=2565&format=csv",
            "/results/template/?agency=AG1&fiscal_year=2568&format=xlsx",
            "/results/template/?agency=AG1&fiscal_year=2570",
        ],
        "agencies/<agency_code:code>/": ["/agencies/AG1/", "/agencies/MIN/"],
        "agencies/<agency_code:code>/<fiscal_year:year>/": ["/agencies/AG1/2565/", "/agencies/AG1/2565/?sort=score"],
        "dashboard/": ["/dashboard/"],
        "frameworks/": ["/frameworks/"],
        "frameworks/new/": ["/frameworks/new/"],
        "overview/": ["/overview/"],
        "overview/<fiscal_year:year>/": [
            "/overview/2565/",
            "/overview/2565/?agency_type=department&sort=-overall&page=2",
        ],
        "overview/<fiscal_year:year>/download.<slug:file_format>": [
            "/overview/2565/download.csv",
            "/overview/2565/download.xlsx",
        ],
        "my/updates/": ["/my/updates/"],
        "review/": ["/review/", "/review/?state=approved&round=q1&year=2566&page=2", "/review/?year=bad"],
        "review/approve/": ["/review/approve/"],
        "entries/<int:pk>/": [f"/entries/{entry.pk}/", f"/entries/{entry.pk}/?queue=state%3Dsubmitted"],
        "entries/<int:pk>/history/": [f"/entries/{entry.pk}/history/"],
        "entries/<int:pk>/evidence/<int:evidence_pk>/": [f"/entries/{entry.pk}/evidence/{evidence.pk}/"],
        "entries/<int:pk>/evidence/<int:evidence_pk>/delete/": [f"/entries/{entry.pk}/evidence/{evidence.pk}/delete/"],
        "entries/<int:pk>/<review_action:action>/": [
            f"/entries/{entry.pk}/{action}/" for action in ("submit", "return", "approve", "reopen")
        ],
        "agencies/<agency_code:code>/<fiscal_year:year>/history/": ["/agencies/AG1/2565/history/"],
        "agencies/<agency_code:code>/units/": ["/agencies/AG1/units/"],
        "agencies/<agency_code:code>/units/<int:pk>/edit/": [f"/agencies/AG1/units/{unit.pk}/edit/"],
        "agencies/<agency_code:code>/<fiscal_year:year>/plan/": [
            "/agencies/AG1/2566/plan/",
            "/agencies/AG1/2567/plan/",
        ],
        "agencies/<agency_code:code>/<fiscal_year:year>/plan/copy/": ["/agencies/AG1/2567/plan/copy/"],
        "agencies/<agency_code:code>/<fiscal_year:year>/plan/new/": [
            "/agencies/AG1/2566/plan/new/",
            "/agencies/AG1/2566/plan/new/?item=I20",
            "/agencies/AG1/2566/plan/new/?indicator=4",
            f"/agencies/AG1/2566/plan/new/?template={site['template'].pk}",
        ],
        # 2567 has no rounds: the page shows the defaults without writing them.
        "agencies/<agency_code:code>/<fiscal_year:year>/rounds/": [
            "/agencies/AG1/2566/rounds/",
            "/agencies/AG1/2567/rounds/",
        ],
        # Nothing saved for either: the page shows the computed header without writing it.
        "agencies/<agency_code:code>/<fiscal_year:year>/improvement/": [
            "/agencies/AG1/2566/improvement/",
            "/agencies/AG1/2567/improvement/",
        ],
        "measures/<int:pk>/": [f"/measures/{measure.pk}/"],
        "measures/<int:pk>/edit/": [f"/measures/{measure.pk}/edit/"],
        "measures/<int:pk>/history/": [f"/measures/{measure.pk}/history/"],
        "measures/<int:pk>/withdraw/": [f"/measures/{measure.pk}/withdraw/"],
        "measures/<int:pk>/restore/": [f"/measures/{measure.pk}/restore/"],
        "measures/<int:pk>/confirm/": [f"/measures/{measure.pk}/confirm/"],
        "measure-templates/": ["/measure-templates/", "/measure-templates/?agency=AG1&year=2566"],
        f"{reports}/report.<slug:file_format>": [
            "/agencies/AG1/2565/report.pdf",
            "/agencies/AG1/2565/report.xlsx?digits=thai",
        ],
        f"{reports}/progress/<round_kind:round_kind>/report.<slug:file_format>": [
            "/agencies/AG1/2566/progress/q1/report.xlsx",
            "/agencies/AG1/2566/progress/6m/report.pdf",
            "/agencies/AG1/2567/progress/12m/report.xlsx",
            "/agencies/AG1/2566/progress/q1/report.docx",
            "/agencies/AG1/2566/progress/12m/report.pdf?layout=nsm&annex=0",
        ],
        f"{reports}/plan/report.<slug:file_format>": [
            "/agencies/AG1/2566/plan/report.pdf",
            "/agencies/AG1/2566/plan/report.xlsx",
            "/agencies/AG1/2566/plan/report.docx",
        ],
        f"{reports}/improvement/report.<slug:file_format>": [
            "/agencies/AG1/2566/improvement/report.pdf",
            "/agencies/AG1/2566/improvement/report.xlsx",
        ],
        f"{reports}/combined/report.<slug:file_format>": [
            "/agencies/AG1/2566/combined/report.pdf",
            "/agencies/AG1/2566/combined/report.xlsx?layout=tceb",
        ],
        "bundles/": ["/bundles/"],
        "bundles/<int:pk>/status": [f"/bundles/{bundle.pk}/status"],
        "bundles/<int:pk>/download": [f"/bundles/{bundle.pk}/download"],
        "accounts/access-log/": ["/accounts/access-log/", "/accounts/access-log/?kind=login&username=o&page=2"],
        "accounts/access-log/download.<slug:file_format>": [
            "/accounts/access-log/download.csv",
            "/accounts/access-log/download.xlsx?since=2568-10-01",
        ],
        "agencies/<agency_code:code>/profile/": ["/agencies/AG1/profile/"],
        "agencies/<agency_code:code>/profile/logo.png": ["/agencies/AG1/profile/logo.png"],
        "agencies/<agency_code:code>/<fiscal_year:year>/documents/": [
            "/agencies/AG1/2565/documents/",
            "/agencies/AG1/2566/documents/",
        ],
        "agencies/<agency_code:code>/<fiscal_year:year>/documents/sign-off/": [
            "/agencies/AG1/2566/documents/sign-off/"
        ],
        "agencies/<agency_code:code>/<fiscal_year:year>/documents/acknowledge/": [
            "/agencies/AG1/2566/documents/acknowledge/"
        ],
        "agencies/<agency_code:code>/people/": ["/agencies/AG1/people/"],
        "agencies/<agency_code:code>/people/invite/": ["/agencies/AG1/people/invite/"],
        "agencies/<agency_code:code>/people/invitations/<int:pk>/resend/": [
            f"/agencies/AG1/people/invitations/{invitation.pk}/resend/"
        ],
        "agencies/<agency_code:code>/people/invitations/<int:pk>/cancel/": [
            f"/agencies/AG1/people/invitations/{invitation.pk}/cancel/"
        ],
        "agencies/<agency_code:code>/people/<int:user_pk>/": [
            f"/agencies/AG1/people/{site['officer'].pk}/",
            f"/agencies/AG1/people/{site['former'].pk}/",
        ],
        "agencies/<agency_code:code>/people/<int:user_pk>/remove/": [
            f"/agencies/AG1/people/{site['officer'].pk}/remove/"
        ],
        "agencies/<agency_code:code>/people/<int:user_pk>/restore/": [
            f"/agencies/AG1/people/{site['former'].pk}/restore/"
        ],
        # A pending invitation, and one accepted already (its page: "used").
        "accounts/invitation/<token>/": [
            f"/accounts/invitation/{invitation_token}/",
            f"/accounts/invitation/{used_token}/",
        ],
        "accounts/login/": ["/accounts/login/", "/accounts/login/?next=/dashboard/"],
        "accounts/account/": ["/accounts/account/"],
        "accounts/account/sign-out-everywhere/": ["/accounts/account/sign-out-everywhere/"],
        "accounts/two-factor/enrol/": ["/accounts/two-factor/enrol/"],
        "accounts/two-factor/verify/": ["/accounts/two-factor/verify/?next=/dashboard/"],
        "accounts/two-factor/remove/": ["/accounts/two-factor/remove/"],
        "accounts/logout/": ["/accounts/logout/"],
        "accounts/password_change/": ["/accounts/password_change/"],
        "accounts/password_change/done/": ["/accounts/password_change/done/"],
        "accounts/password_reset/": ["/accounts/password_reset/"],
        "accounts/password_reset/done/": ["/accounts/password_reset/done/"],
        "accounts/reset/<uidb64>/<token>/": [f"/accounts/reset/{uid}/{token}/", f"/accounts/reset/{uid}/not-a-token/"],
        "accounts/reset/done/": ["/accounts/reset/done/"],
        "i18n/setlang/": ["/i18n/setlang/?language=en&next=/"],
        "health/": ["/health/"],
        "notifications/": ["/notifications/", "/notifications/?page=2"],
        "notifications/read/": ["/notifications/read/"],
        "notifications/<int:pk>/open/": [f"/notifications/{notification.pk}/open/" for notification in notifications],
        "accounts/account/preferences/": ["/accounts/account/preferences/"],
        f"{reports}/oit/": ["/agencies/AG1/2569/oit/", "/agencies/AG1/2565/oit/"],
        f"{reports}/oit/publish/": ["/agencies/AG1/2569/oit/publish/"],
        f"{reports}/oit/copy/": ["/agencies/AG1/2569/oit/copy/"],
        f"{reports}/oit/check-links/": ["/agencies/AG1/2569/oit/check-links/"],
        f"{reports}/oit/nacc.<slug:file_format>": [
            "/agencies/AG1/2569/oit/nacc.csv",
            "/agencies/AG1/2569/oit/nacc.xlsx",
        ],
        f"{reports}/oit/<slug:item_code>/": ["/agencies/AG1/2569/oit/o1/", "/agencies/AG1/2569/oit/o2/"],
        f"{reports}/oit/<slug:item_code>/<checklist_step:step>/": ["/agencies/AG1/2569/oit/o1/approve/"],
        f"{reports}/oit/<slug:item_code>/evidence/<int:pk>/": [
            f"/agencies/AG1/2569/oit/o1/evidence/{site['oit_file'].pk}/"
        ],
        f"{reports}/oit/<slug:item_code>/evidence/<int:pk>/remove/": [
            f"/agencies/AG1/2569/oit/o1/evidence/{site['oit_file'].pk}/remove/"
        ],
        "p/<agency_code:code>/<fiscal_year:year>/": ["/p/AG1/2569/", "/p/AG1/2568/"],
        "p/<agency_code:code>/<fiscal_year:year>/embed/": ["/p/AG1/2569/embed/"],
        "p/<agency_code:code>/<fiscal_year:year>/files/<int:pk>/": [f"/p/AG1/2569/files/{site['oit_file'].pk}/"],
        "p/<agency_code:code>/<fiscal_year:year>/documents/<int:pk>/": [
            f"/p/AG1/2569/documents/{site['snapshot'].pk}/"
        ],
        f"{reports}/oit/<slug:item_code>/publish-document/": ["/agencies/AG1/2569/oit/o27/publish-document/"],
    }


def admin_cases(site):
    """{route: [URLs]} of the admin: its own pages, and each registered model's with one object."""
    history = ReportingRound.history.order_by("pk").first()
    round_ = ReportingRound.objects.get(pk=history.id)
    agency_type = ContentType.objects.get_for_model(type(site["assessment"].agency))
    cases = {
        "admin/": ["/admin/"],
        "admin/login/": ["/admin/login/"],
        "admin/logout/": ["/admin/logout/"],
        "admin/password_change/": ["/admin/password_change/"],
        "admin/password_change/done/": ["/admin/password_change/done/"],
        "admin/autocomplete/": [
            "/admin/autocomplete/?app_label=measures&model_name=measure&field_name=lead_unit&term=ส"
        ],
        "admin/jsi18n/": ["/admin/jsi18n/"],
        "admin/r/<path:content_type_id>/<path:object_id>/": [
            f"/admin/r/{agency_type.pk}/{site['assessment'].agency_id}/"
        ],
        "admin/auth/user/<id>/password/": [f"/admin/auth/user/{site['officer'].pk}/password/"],
        "admin/assessments/frameworkversion/upload/": ["/admin/assessments/frameworkversion/upload/"],
        "admin/(?P<url>.*)$": ["/admin/no-such-page/"],
        "admin/otp_totp/totpdevice/<int:pk>/config/": ["/admin/otp_totp/totpdevice/1/config/"],
        "admin/otp_totp/totpdevice/<int:pk>/qrcode/": ["/admin/otp_totp/totpdevice/1/qrcode/"],
    }
    labels = list(dict.fromkeys(model._meta.app_label for model in admin.site._registry))  # as the admin lists them
    cases[f"admin/^(?P<app_label>{'|'.join(labels)})/$"] = [f"/admin/{label}/" for label in labels]
    for model in admin.site._registry:
        opts = model._meta
        base = f"admin/{opts.app_label}/{opts.model_name}/"
        found = model._default_manager.order_by("pk").first()
        pk = found.pk if found else 1  # none of this kind: the admin's "does not exist" page
        cases[base] = [f"/{base}", f"/{base}?q=%E0%B8%97%E0%B8%94%E0%B8%AA%E0%B8%AD%E0%B8%9A"]
        cases[base + "add/"] = [f"/{base}add/"]
        for page in ("", "history/", "delete/", "change/"):
            cases[f"{base}<path:object_id>/{page}"] = [f"/{base}{pk}/{page}"]
        if hasattr(model, "history") and found:
            record = found.history.order_by("pk").first()
            cases[f"{base}^([^/]+)/history/([^/]+)/$"] = [f"/{base}{pk}/history/{record.history_id}/"]
    cases["admin/measures/reportinground/^([^/]+)/history/([^/]+)/$"] = [
        f"/admin/measures/reportinground/{round_.pk}/history/{history.history_id}/"
    ]
    return cases


def writes_during(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
        if response.streaming:
            b"".join(response.streaming_content)  # a download is read to its end, as a browser does
    return response, [q["sql"] for q in queries.captured_queries if WRITE.match(q["sql"])]


def test_every_url_pattern_has_a_case(site, superuser):
    cases = {**app_cases(site, superuser), **admin_cases(site)}

    assert sorted(set(project_routes()) - set(cases)) == []
    assert sorted(set(cases) - set(project_routes())) == []  # no case for a pattern that is gone


@pytest.mark.parametrize("who", ["superuser", "officer"])
def test_no_get_writes_to_the_database(client, site, superuser, officer, who):
    user = {"superuser": superuser, "officer": officer}[who]
    cases = {**app_cases(site, user), **admin_cases(site)}
    client.force_login(user)

    written, statuses = {}, {}
    # The clock stands still: the loop takes over a minute, and a session seen a minute ago is
    # stamped again (accounts.middleware.SEEN_PRECISION), a write no single page makes.
    with time_machine.travel(time.time(), tick=False):
        for route in project_routes():
            for url in cases[route]:
                response, writes = writes_during(client, url)
                statuses[url] = response.status_code
                writes = [sql for sql in writes if not CACHE_TABLE.search(sql)]
                if route in SESSION_WRITES:
                    writes = [sql for sql in writes if not SESSION_TABLE.search(sql)]
                if route in AUDITED and response.status_code == 200:
                    recorded = [sql for sql in writes if AUDIT_ROW.match(sql)]
                    writes = [sql for sql in writes if not AUDIT_ROW.match(sql)] + recorded[1:]  # one row, no more
                    if not recorded:
                        written[url] = ["no row in the access log"]
                if writes:
                    written[url] = writes

    assert written == {}
    assert {url: status for url, status in statuses.items() if status >= 500} == {}
    assert ReportingRound.objects.filter(fiscal_year=2567).count() == 0
    # The pages themselves answered, not only errors: a sample of what each user may open.
    assert statuses["/agencies/AG1/2567/rounds/"] == 200
    assert statuses["/agencies/AG1/2566/plan/report.xlsx"] == 200
    assert statuses["/agencies/AG1/2566/combined/report.pdf"] == 200
    assert statuses[f"/entries/{site['entry'].pk}/evidence/{site['evidence'].pk}/"] == 200
    assert statuses[f"/bundles/{site['bundles'][user.pk].pk}/download"] == 200
    assert statuses["/admin/"] == (200 if who == "superuser" else 302)


def test_an_audited_get_writes_one_access_event_and_nothing_else(client, site):
    client.force_login(site["officer"])
    before = AccessEvent.objects.count()

    response, writes = writes_during(client, f"/entries/{site['entry'].pk}/evidence/{site['evidence'].pk}/")

    assert response.status_code == 200
    assert len(writes) == 1 and AUDIT_ROW.match(writes[0])
    assert AccessEvent.objects.count() == before + 1
    assert AccessEvent.objects.latest("pk").what == "minutes.pdf"
