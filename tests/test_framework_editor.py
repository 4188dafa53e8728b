"""A new fiscal year's framework in the browser: the list of versions, the draft copied from the
latest version, its preview against it, and saving it as `load_frameworks` saves a file.

Today is 15 November 2026, fiscal year 2570; the latest reference version is ita_2568_2569."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.core import signing

from assessments.drafts import Change, next_year_draft
from assessments.frameworks import load_versions
from assessments.models import FrameworkVersion, Item
from assessments.views.frameworks import DRAFT_SALT, sign
from tests import factories
from tests.clock import pinned

pytestmark = pinned(2026, 11, 15)

ITEMS_2568 = [f"i{n}" for n in range(1, 16)] + [f"e{n}" for n in range(1, 10)] + [f"o{n}" for n in range(1, 29)]
LEVELS_2568 = [
    {"code": "excellent", "name_th": "ผ่านดีเยี่ยม", "min_score": "95.0", "every_tool_min": "95.0"},
    {"code": "good", "name_th": "ผ่านดี", "min_score": "85.0", "every_tool_min": "85.0"},
    {"code": "pass", "name_th": "ผ่าน", "min_score": "85.0", "every_tool_min": None},
    {"code": "improve", "name_th": "ต้องปรับปรุง", "min_score": "70.0", "every_tool_min": None},
    {"code": "urgent", "name_th": "ต้องปรับปรุงโดยด่วน", "min_score": "0.0", "every_tool_min": None},
]
NEW_ITEM_TEXT = "หน่วยงานเปิดเผยแผนป้องกันการทุจริตประจำปี"


def typed(response):
    """What the editor's forms hold, as the browser would post it back (unchanged)."""
    data = {"draft": response.context["signed"]}
    for name in ("version", "weights", "levels", "indicators", "items"):
        form = response.context[name]
        forms = [form.management_form, *form.forms] if hasattr(form, "forms") else [form]
        for each in forms:
            for field in each:
                value = field.value()
                if value is True:
                    data[field.html_name] = "on"
                elif value not in (None, False):
                    data[field.html_name] = str(value)
    return data


def item_rows(data):
    """{code: form prefix} of the item rows in posted data."""
    return {
        value: key.removesuffix("-code")
        for key, value in data.items()
        if key.startswith("items-") and key.endswith("-code")
    }


def edited(data):
    """The test's edits: IIT weight 0.25 and OIT 0.45, item o28 deleted, a new item o29 under indicator 9."""
    data = dict(data)
    data["weights-IIT"] = "0.25"
    data["weights-OIT"] = "0.45"
    data[item_rows(data)["o28"] + "-DELETE"] = "on"
    blank = int(data["items-TOTAL_FORMS"]) - 1  # the blank row at the end
    data.update(
        {f"items-{blank}-code": "o29", f"items-{blank}-text_th": NEW_ITEM_TEXT, f"items-{blank}-indicator": "9"}
    )
    return data


@pytest.fixture
def admin_client(client, superuser):
    client.force_login(superuser)
    return client


@pytest.fixture
def editor_page(admin_client):
    return admin_client.get("/frameworks/new/")


# --- who gets in --------------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/frameworks/", "/frameworks/new/"])
def test_anonymous_is_sent_to_sign_in(client, db, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


@pytest.mark.parametrize("url", ["/frameworks/", "/frameworks/new/"])
def test_an_integrity_officer_is_refused(client, officer, url):
    client.force_login(officer)
    assert client.get(url).status_code == 403
    assert client.post(url, {"action": "save"}).status_code in (403, 405)
    assert "/frameworks/" not in client.get("/").content.decode()


def test_staff_without_the_framework_permissions_is_refused(client, db):
    client.force_login(factories.user("staff", is_staff=True))
    assert client.get("/frameworks/").status_code == 403


def test_staff_with_the_framework_permissions_gets_in(client, db):
    account = factories.user("frameworks", is_staff=True)
    account.user_permissions.add(
        *Permission.objects.filter(codename__in=["add_frameworkversion", "change_frameworkversion"])
    )
    client.force_login(account)
    assert client.get("/frameworks/").status_code == 200
    assert client.get("/frameworks/new/").status_code == 200


def test_the_superuser_sees_every_version_and_the_menu_link(admin_client):
    response = admin_client.get("/frameworks/")
    assert response.status_code == 200
    rows = [(v.code, v.first_year, v.last_year, v.item_count) for v in response.context["versions"]]
    assert rows == [
        ("ita_2562_2565", 2562, 2565, 88),
        ("ita_2566_2567", 2566, 2567, 0),
        ("ita_2568_2569", 2568, 2569, 52),
    ]
    page = response.content.decode()
    assert '<a href="/frameworks/">' in page
    assert "2568–2569" in page


def test_the_list_page_asks_the_same_number_of_queries_however_many_versions(admin_client, django_assert_num_queries):
    # the session, the user, the menu's three questions, the versions with their items counted
    with django_assert_num_queries(6):
        admin_client.get("/frameworks/")
    _base, draft = next_year_draft(datetime.date(2026, 11, 15))
    load_versions([draft])
    with django_assert_num_queries(6):
        response = admin_client.get("/frameworks/")
    assert [v.code for v in response.context["versions"]][-1] == "ita_2570"


# --- the copy -------------------------------------------------------------------------------------


def test_the_draft_is_the_latest_version_copied_for_fiscal_year_2570(editor_page):
    context = editor_page.context
    assert context["base"]["id"] == "ita_2568_2569"
    version = context["version"].initial
    assert (version["code"], version["first_year"], version["last_year"], version["level_scheme"]) == (
        "ita_2570",
        2570,
        2570,
        "pass",
    )
    assert context["weights"].initial == {"IIT": "0.3", "EIT": "0.3", "OIT": "0.4"}
    assert context["levels"].initial == LEVELS_2568
    items = context["items"].initial
    assert [item["code"] for item in items] == ITEMS_2568
    assert items[0]["indicator"] == 1
    assert [item["code"] for item in items if item["in_parts"]] == [f"e{n}" for n in range(1, 10)]
    assert [i["number"] for i in context["indicators"].initial] == list(range(1, 11))
    assert len(context["items"].forms) == len(ITEMS_2568) + 1  # a blank row to add an item


def test_opening_the_editor_writes_nothing(editor_page):
    assert not FrameworkVersion.objects.filter(code="ita_2570").exists()


def test_adding_a_row_keeps_what_was_typed_and_gives_a_new_blank_row(admin_client, editor_page):
    data = typed(editor_page)
    blank = int(data["levels-TOTAL_FORMS"]) - 1
    data.update({f"levels-{blank}-code": "top", f"levels-{blank}-min_score": "99", "action": "add"})
    response = admin_client.post("/frameworks/new/", data)
    assert response.status_code == 200
    assert [row["code"] for row in response.context["levels"].initial][-1] == "top"
    assert len(response.context["levels"].forms) == len(LEVELS_2568) + 2
    assert not FrameworkVersion.objects.filter(code="ita_2570").exists()


# --- the preview and saving ---------------------------------------------------------------------


def test_the_preview_lists_the_edited_weights_the_new_item_and_the_removed_one(admin_client, editor_page):
    response = admin_client.post("/frameworks/new/", edited(typed(editor_page)) | {"action": "preview"})
    assert response.status_code == 200
    assert response.templates[0].name == "assessments/frameworks/preview.html"
    assert response.context["changes"] == [
        Change("ฉบับ", "รหัส", "changed", "ita_2568_2569", "ita_2570"),
        Change("ฉบับ", "ปีงบประมาณ", "changed", "2568–2569", "2570"),
        Change("น้ำหนักของเครื่องมือการประเมิน", "IIT", "changed", "0.30", "0.25"),
        Change("น้ำหนักของเครื่องมือการประเมิน", "OIT", "changed", "0.40", "0.45"),
        Change("ข้อคำถาม", "o29", "added", "", f"ตัวชี้วัดที่ 9: {NEW_ITEM_TEXT}"),
        Change(
            "ข้อคำถาม",
            "o28",
            "removed",
            "ตัวชี้วัดที่ 10: " + Item.objects.get(version__code="ita_2568_2569", code="o28").text_th,
            "",
        ),
    ]
    page = response.content.decode()
    assert "0.25" in page and NEW_ITEM_TEXT in page
    assert not FrameworkVersion.objects.filter(code="ita_2570").exists()


def test_saving_the_previewed_draft_creates_version_2570_with_exactly_the_edits(admin_client, editor_page):
    preview = admin_client.post("/frameworks/new/", edited(typed(editor_page)) | {"action": "preview"})
    response = admin_client.post("/frameworks/new/", {"draft": preview.context["signed"], "action": "save"})
    assert response.status_code == 302
    assert response.url == "/frameworks/"
    version = FrameworkVersion.objects.get(code="ita_2570")
    assert (version.first_year, version.last_year, version.level_scheme) == (2570, 2570, "pass")
    assert (version.weight_iit, version.weight_eit, version.weight_oit) == (
        Decimal("0.25"),
        Decimal("0.3"),
        Decimal("0.45"),
    )
    assert list(version.items.values_list("code", flat=True)) == ITEMS_2568[:-1] + ["o29"]
    new = version.items.get(code="o29")
    assert (new.indicator.number, new.text_th, new.scored_in_parts) == (9, NEW_ITEM_TEXT, False)
    copied = version.items.get(code="e1")
    assert copied.scored_in_parts
    assert (
        copied.sub_questions.count() == Item.objects.get(version__code="ita_2568_2569", code="e1").sub_questions.count()
    )
    assert list(version.levels.values_list("code", "min_score", "every_tool_min")) == [
        ("excellent", Decimal("95.00"), Decimal("95.00")),
        ("good", Decimal("85.00"), Decimal("85.00")),
        ("pass", Decimal("85.00"), None),
        ("improve", Decimal("70.00"), None),
        ("urgent", Decimal("0.00"), None),
    ]
    assert list(version.tools.get(code="EIT").parts.values_list("name", flat=True)) == ["EIT Public", "EIT Survey"]
    assert FrameworkVersion.objects.get(code="ita_2568_2569").items.count() == 52  # the copied one is untouched


def test_weights_not_adding_up_to_one_are_refused_with_the_message_and_the_input_kept(admin_client, editor_page):
    data = typed(editor_page) | {"weights-OIT": "0.3", "action": "preview"}
    response = admin_client.post("/frameworks/new/", data)
    assert response.status_code == 200
    assert response.templates[0].name == "assessments/frameworks/new.html"
    assert [str(p) for p in response.context["problems"]] == [
        "กรอบการประเมินฉบับ ita_2570: น้ำหนักของเครื่องมือการประเมิน IIT, EIT และ OIT ต้องรวมกันได้ 1"
    ]
    assert 'name="weights-OIT" value="0.3"' in response.content.decode()
    assert response.context["weights"]["OIT"].value() == "0.3"
    assert not FrameworkVersion.objects.filter(code="ita_2570").exists()


def test_a_signed_draft_with_bad_weights_is_refused_on_saving(admin_client, editor_page):
    base = editor_page.context["base"]
    draft = signing.loads(editor_page.context["signed"], salt=DRAFT_SALT)["draft"]
    draft["weights"]["tools"]["OIT"] = "0.3"
    response = admin_client.post("/frameworks/new/", {"draft": sign(base, draft), "action": "save"})
    assert response.status_code == 200
    assert [str(p) for p in response.context["problems"]] == [
        "กรอบการประเมินฉบับ ita_2570: น้ำหนักของเครื่องมือการประเมิน IIT, EIT และ OIT ต้องรวมกันได้ 1"
    ]
    assert response.context["weights"].initial["OIT"] == "0.3"
    assert not FrameworkVersion.objects.filter(code="ita_2570").exists()


def test_a_code_already_taken_is_refused(admin_client, editor_page):
    data = typed(editor_page) | {"version-code": "ita_2568_2569", "action": "preview"}
    response = admin_client.post("/frameworks/new/", data)
    assert [str(p) for p in response.context["problems"]] == [
        "มีกรอบการประเมินฉบับ ita_2568_2569 อยู่แล้ว: ตั้งรหัสของฉบับใหม่ให้ไม่ซ้ำกับฉบับที่มีอยู่"
    ]
    assert FrameworkVersion.objects.get(code="ita_2568_2569").last_year == 2569


def test_years_another_version_covers_are_refused(admin_client, editor_page):
    data = typed(editor_page) | {"version-first_year": "2569", "action": "preview"}
    response = admin_client.post("/frameworks/new/", data)
    assert [str(p) for p in response.context["problems"]] == [
        "กรอบการประเมินฉบับ ita_2570: ปีงบประมาณซ้อนทับกับฉบับ ita_2568_2569 (2568–2569)"
    ]
    assert not FrameworkVersion.objects.filter(code="ita_2570").exists()


def test_a_tampered_draft_is_refused_and_nothing_is_written(admin_client, editor_page):
    preview = admin_client.post("/frameworks/new/", edited(typed(editor_page)) | {"action": "preview"})
    signed = preview.context["signed"]
    tampered = signed[:-3] + ("AAA" if not signed.endswith("AAA") else "BBB")
    count = FrameworkVersion.objects.count()
    response = admin_client.post("/frameworks/new/", {"draft": tampered, "action": "save"})
    assert response.status_code == 400
    assert "ร่างถูกแก้ไขนอกหน้านี้" in response.content.decode()
    assert FrameworkVersion.objects.count() == count
    assert admin_client.post("/frameworks/new/", {"action": "save"}).status_code == 400
