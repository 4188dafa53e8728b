"""The Django admin cannot go around the app's rules: measures and rounds are written through the
plan pages' actions, progress entries, review steps and official results only shown; and every
admin page of every registered model still opens."""

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.test import Client, RequestFactory
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from assessments.models import Assessment, Item, Score
from measures.actions import do_review_step
from measures.models import Action, Measure, MeasureTemplate, ProgressEntry, ReportingRound, ReviewEvent, State, Unit
from oit.models import Guidance
from reports.models import Bundle, BundleStatus
from reports.tasks import build_bundle
from tests import factories, published
from tests.entries_support import step_data
from tests.test_plan import YEAR, form_data, visible

CHANGED = ("Someone else saved this measure", "มีผู้อื่นบันทึกมาตรการนี้")


@pytest.fixture
def results_2568(agency):
    return factories.assessment(agency, 2568, published.angthong_2568_figures())


@pytest.fixture
def measure(agency, unit, results_2568):
    return factories.measure(agency, YEAR, "มาตรการเดิม", lead_unit=unit, items=("o12",), months=[10, 11, 12])


@pytest.fixture
def root(superuser):
    browser = Client()
    browser.force_login(superuser)
    return browser


def change_url(obj):
    return f"/admin/{obj._meta.app_label}/{obj._meta.model_name}/{obj.pk}/change/"


def admin_form_data(root, obj, **changes):
    """What the admin's change page of `obj` posts when saved as drawn, with `changes`."""
    page = root.get(change_url(obj))
    assert page.status_code == 200
    return {**form_data(page.context["adminform"].form), "_save": "Save", **changes}


def shows_changed_meanwhile(text):
    return any(words in text for words in CHANGED)


# --- Measures go through the measure form's action -------------------------------------------


def test_an_admin_rename_refuses_the_officers_older_form_and_stays(client, officer, superuser, measure, root):
    edit = f"/measures/{measure.pk}/edit/"
    client.force_login(officer)
    opened = form_data(client.get(edit).context["form"])
    assert opened["revision"] == "0"

    saved = root.post(change_url(measure), admin_form_data(root, measure, name="ชื่อที่ผู้ดูแลระบบแก้"))

    assert saved.status_code == 302
    measure.refresh_from_db()
    assert (measure.name, measure.revision) == ("ชื่อที่ผู้ดูแลระบบแก้", 1)
    assert measure.history.order_by("-history_date", "-history_id").first().history_user == superuser

    refused = client.post(edit, {**opened, "name": "ชื่อที่เจ้าหน้าที่พิมพ์"})

    assert refused.status_code == 409
    assert shows_changed_meanwhile(visible(refused))
    measure.refresh_from_db()
    assert measure.name == "ชื่อที่ผู้ดูแลระบบแก้"


def test_a_supporting_unit_added_in_the_admin_gets_its_entries(measure, unit, other_unit, superuser, root):
    assert not measure.entries.filter(unit=other_unit).exists()

    saved = root.post(change_url(measure), admin_form_data(root, measure, supporting_units=[str(other_unit.pk)]))

    assert saved.status_code == 302
    entries = ProgressEntry.objects.filter(measure=measure, unit=other_unit).select_related("round")
    assert sorted(e.round.kind for e in entries) == ["q1", "q2", "q3", "q4"]
    measure.refresh_from_db()
    assert measure.revision == 1 and list(measure.supporting_units.all()) == [other_unit]


def test_a_measure_moved_within_its_plan_in_the_admin_takes_a_new_revision(measure, superuser, root):
    saved = root.post(change_url(measure), admin_form_data(root, measure, order="5"))

    assert saved.status_code == 302
    measure.refresh_from_db()
    assert (measure.order, measure.revision) == (5, 1)
    assert measure.history.order_by("-history_date", "-history_id").first().history_user == superuser


def test_the_admin_checks_a_measure_as_the_form_does(measure, other_agency, root):
    foreign = factories.unit(other_agency, "หน่วยงานอื่น")

    refused = root.post(change_url(measure), admin_form_data(root, measure, lead_unit=str(foreign.pk), name="ชื่อใหม่"))

    assert refused.status_code == 200 and "lead_unit" in refused.context["adminform"].form.errors
    measure.refresh_from_db()
    assert (measure.name, measure.lead_unit.agency.code, measure.revision) == ("มาตรการเดิม", "AG1", 0)


def test_an_admin_save_over_a_newer_officer_save_is_refused(client, officer, measure, root):
    stale = admin_form_data(root, measure, name="ชื่อที่ผู้ดูแลระบบแก้")
    client.force_login(officer)
    data = form_data(client.get(f"/measures/{measure.pk}/edit/").context["form"], name="ชื่อที่เจ้าหน้าที่บันทึก")
    assert client.post(f"/measures/{measure.pk}/edit/", data).status_code == 302

    refused = root.post(change_url(measure), stale, follow=True)

    assert refused.redirect_chain == [(change_url(measure), 302)]
    assert shows_changed_meanwhile(visible(refused))
    measure.refresh_from_db()
    assert (measure.name, measure.revision) == ("ชื่อที่เจ้าหน้าที่บันทึก", 1)


def test_measures_are_neither_added_nor_deleted_with_their_entries_in_the_admin(measure, root):
    assert root.get("/admin/measures/measure/add/").status_code == 403

    refused = root.post(f"/admin/measures/measure/{measure.pk}/delete/", {"post": "yes"})
    bulk = root.post(
        "/admin/measures/measure/", {"action": "delete_selected", "_selected_action": [measure.pk], "post": "yes"}
    )

    assert refused.status_code == 403
    assert bulk.status_code == 403
    assert Measure.objects.filter(pk=measure.pk).exists() and measure.entries.count() == 4


# --- Rounds go through the rounds page's action --------------------------------------------------


def test_a_round_switched_on_in_the_admin_gets_its_entries(measure, unit, root):
    six_months = ReportingRound.objects.get(agency=measure.agency, fiscal_year=YEAR, kind="6m")
    assert not six_months.active and not measure.entries.filter(round=six_months).exists()

    saved = root.post(change_url(six_months), admin_form_data(root, six_months, active="on"))

    assert saved.status_code == 302
    assert list(measure.entries.filter(round=six_months).values_list("unit", flat=True)) == [unit.pk]


def test_a_round_due_date_is_checked_in_the_admin_as_on_the_rounds_page(measure, root):
    q1 = ReportingRound.objects.get(agency=measure.agency, fiscal_year=YEAR, kind="q1")
    due = q1.due_date

    refused = root.post(change_url(q1), admin_form_data(root, q1, due_date="2000-01-01"))

    assert refused.status_code == 200 and "due_date" in refused.context["adminform"].form.errors
    q1.refresh_from_db()
    assert q1.due_date == due
    assert root.get("/admin/measures/reportinground/add/").status_code == 403
    assert root.post(f"/admin/measures/reportinground/{q1.pk}/delete/", {"post": "yes"}).status_code == 403


# --- Entries and review steps are only shown ----------------------------------------------------


def test_an_entry_cannot_be_approved_in_the_admin_only_on_its_page(client, officer, unit_staff, measure, root):
    entry = measure.entries.get(round__kind="q1")
    ProgressEntry.objects.filter(pk=entry.pk).update(result="ดำเนินการแล้ว")
    do_review_step(entry=entry, action=Action.SUBMIT, user=unit_staff)

    page = root.get(change_url(entry))
    assert page.status_code == 200 and 'name="state"' not in page.content.decode()
    refused = root.post(
        change_url(entry),
        {
            "measure": measure.pk,
            "round": entry.round_id,
            "unit": entry.unit_id,
            "result": "ดำเนินการแล้ว",
            "percent": 100,
            "status": "done",
            "state": "approved",
            "obstacles": "",
            "suggestions": "",
            "links": "",
            "_save": "Save",
        },
    )

    assert refused.status_code == 403
    assert ProgressEntry.objects.get(pk=entry.pk).state == State.SUBMITTED
    assert not ReviewEvent.objects.filter(entry=entry, action=Action.APPROVE).exists()

    client.force_login(officer)
    assert client.post(f"/entries/{entry.pk}/approve/", step_data(entry)).status_code == 302
    assert ProgressEntry.objects.get(pk=entry.pk).state == State.APPROVED
    assert list(ReviewEvent.objects.filter(entry=entry).values_list("action", "user")) == [
        (Action.SUBMIT, unit_staff.pk),
        (Action.APPROVE, officer.pk),
    ]


def test_entries_are_neither_added_nor_deleted_in_the_admin_nor_with_their_unit(
    agency, unit, other_unit, results_2568, root
):
    measure = factories.measure(agency, YEAR, "มาตรการร่วม", lead_unit=unit, supporting=[other_unit])
    entry = measure.entries.get(unit=other_unit, round__kind="q1")

    assert root.get("/admin/measures/progressentry/add/").status_code == 403
    assert root.post(f"/admin/measures/progressentry/{entry.pk}/delete/", {"post": "yes"}).status_code == 403
    # A supporting unit's entries would go with it; a lead unit is protected by its measures.
    assert root.post(f"/admin/measures/unit/{other_unit.pk}/delete/", {"post": "yes"}).status_code == 403
    root.post(f"/admin/measures/unit/{unit.pk}/delete/", {"post": "yes"})
    assert Unit.objects.filter(pk__in=[unit.pk, other_unit.pk]).count() == 2
    assert ProgressEntry.objects.filter(measure=measure).count() == 8


# --- Units stay the admin's, under the units page's rules ------------------------------------------


def test_a_unit_is_renamed_in_the_admin_but_keeps_its_agency(agency, other_agency, unit, root):
    data = admin_form_data(root, unit, name="สำนักงานบริหารกลาง (ใหม่)", agency=str(other_agency.pk))

    assert "agency" not in root.get(change_url(unit)).context["adminform"].form.fields
    assert root.post(change_url(unit), data).status_code == 302
    unit.refresh_from_db()
    assert (unit.name, unit.agency_id) == ("สำนักงานบริหารกลาง (ใหม่)", agency.pk)


def test_a_unit_parent_and_members_follow_the_units_page_rules_in_the_admin(
    agency, other_agency, unit, other_unit, unit_staff, outsider, root
):
    foreign = factories.unit(other_agency, "หน่วยงานอื่น")
    other_unit.parent = unit
    other_unit.save()

    cases = [
        (unit, {"parent": str(foreign.pk)}, "parent"),  # another agency's unit
        (unit, {"parent": str(other_unit.pk)}, "parent"),  # one of its own sub-units
        (unit, {"members": [str(unit_staff.pk), str(outsider.pk)]}, "members"),  # someone without a role in the agency
    ]
    for target, changes, field in cases:
        refused = root.post(change_url(target), admin_form_data(root, target, **changes))
        assert refused.status_code == 200 and field in refused.context["adminform"].form.errors, changes

    added = root.post(
        "/admin/measures/unit/add/",
        {"agency": agency.pk, "name": "กองใหม่", "abbreviation": "", "parent": foreign.pk, "_save": "Save"},
    )
    assert added.status_code == 200 and "parent" in added.context["adminform"].form.errors
    unit.refresh_from_db()
    assert unit.parent is None and list(unit.members.all()) == [unit_staff]
    assert not Unit.objects.filter(name="กองใหม่").exists()
    ok = root.post(
        "/admin/measures/unit/add/",
        {"agency": agency.pk, "name": "กองใหม่", "abbreviation": "", "parent": unit.pk, "_save": "Save"},
    )
    assert ok.status_code == 302 and Unit.objects.get(name="กองใหม่").parent == unit


# --- Official results are only shown ---------------------------------------------------------------


def test_official_results_cannot_be_changed_added_or_deleted_in_the_admin(results_2568, root):
    score = results_2568.scores.get(code="o12", part=0)
    data = {
        "agency": results_2568.agency_id,
        "fiscal_year": 2568,
        "version": results_2568.version_id,
        "suggestions": "แก้ในหน้าผู้ดูแล",
        "tier_scheme": "target",
        "tier_target": "85",
        "tier_lower": "50",
        "tier_upper": "85",
        "scores-TOTAL_FORMS": "1",
        "scores-INITIAL_FORMS": "1",
        "scores-0-id": score.pk,
        "scores-0-assessment": results_2568.pk,
        "scores-0-code": "o12",
        "scores-0-part": "0",
        "scores-0-score": "99.00",
        "_save": "Save",
    }

    assert root.get(change_url(results_2568)).status_code == 200
    assert root.post(change_url(results_2568), data).status_code == 403
    assert root.get("/admin/assessments/assessment/add/").status_code == 403
    assert root.post(f"/admin/assessments/assessment/{results_2568.pk}/delete/", {"post": "yes"}).status_code == 403
    assert root.post(f"/admin/assessments/agency/{results_2568.agency_id}/delete/", {"post": "yes"}).status_code == 403
    assert Score.objects.get(pk=score.pk).score == score.score
    assert Assessment.objects.get(pk=results_2568.pk).suggestions == ""


# --- Every admin page still opens ------------------------------------------------------------------


@pytest.fixture
def one_of_each(settings, tmp_path, agency, officer, unit_staff, measure):
    """At least one row of every model the admin lists."""
    settings.MEDIA_ROOT = tmp_path / "media"
    bundle = Bundle.objects.create(
        organisation=agency,
        fiscal_year=YEAR,
        requested_by=officer,
        status=BundleStatus.DONE,
        file=ContentFile(b"PK\x05\x06" + b"\0" * 18, name="bundle.zip"),
    )
    bundle.task_id = str(build_bundle.enqueue(bundle.pk).id)
    bundle.save(update_fields=["task_id"])
    MeasureTemplate.objects.create(indicator_number=1, name="แม่แบบทดสอบ")
    Group.objects.create(name="ทดสอบ")
    # A second factor and a throttled sign-in (django-otp's and django-axes' admin pages).
    TOTPDevice.objects.create(user=officer, name="authenticator", confirmed=True)
    StaticToken.objects.create(device=StaticDevice.objects.create(user=officer, name="backup"), token="abcd2345ef")
    AccessAttempt.objects.create(username="guess", ip_address="192.0.2.1", failures_since_start=1)
    AccessFailureLog.objects.create(username="guess", ip_address="192.0.2.1")
    AccessLog.objects.create(username="officer", ip_address="192.0.2.2")
    # The OIT guidance of an item (oit's admin).
    Guidance.objects.create(item=Item.objects.get(version__first_year=2568, code="o1"), text="คำอธิบายข้อ o1")


def test_every_admin_page_of_every_registered_model_opens(one_of_each, superuser, root):
    request = RequestFactory().get("/admin/")
    request.user = superuser
    failures = {}
    for model, model_admin in admin.site._registry.items():
        obj = model._default_manager.order_by("pk").first()
        assert obj is not None, f"no {model.__name__} to open in the admin"
        base = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
        expected = {
            base: 200,
            f"{base}add/": 200 if model_admin.has_add_permission(request) else 403,
            f"{base}{obj.pk}/change/": 200,
            f"{base}{obj.pk}/history/": 200,
            f"{base}{obj.pk}/delete/": 200 if model_admin.has_delete_permission(request, obj) else 403,
        }
        for url, status in expected.items():
            got = root.get(url).status_code
            if got != status:
                failures[url] = (got, status)

    assert failures == {}


# --- Agencies: the line of parents stays a line ----------------------------------------------

NO_MEMBERSHIPS_CHANGED = {"memberships-TOTAL_FORMS": "0", "memberships-INITIAL_FORMS": "0"}


@pytest.mark.parametrize("above", ["itself", "its child", "its grandchild"])
def test_an_agency_cannot_be_put_under_itself_in_the_admin(root, agency, above):
    child = factories.agency("CHILD", parent=agency)
    grandchild = factories.agency("GRANDCHILD", parent=child)
    parent = {"itself": agency, "its child": child, "its grandchild": grandchild}[above]

    page = root.post(change_url(agency), admin_form_data(root, agency, parent=parent.pk, **NO_MEMBERSHIPS_CHANGED))

    assert page.status_code == 200  # the form again, with the message
    assert "หน่วยงานไม่สามารถเป็นต้นสังกัดของตนเองได้ ไม่ว่าโดยตรงหรือผ่านหน่วยงานอื่น" in page.text
    agency.refresh_from_db()
    assert agency.parent_id is None


def test_an_agency_moved_under_another_line_in_the_admin_is_saved(root, agency):
    ministry = factories.agency("MIN2", agency_type="ministry")

    page = root.post(change_url(agency), admin_form_data(root, agency, parent=ministry.pk, **NO_MEMBERSHIPS_CHANGED))

    assert page.status_code == 302
    agency.refresh_from_db()
    assert agency.parent_id == ministry.pk
