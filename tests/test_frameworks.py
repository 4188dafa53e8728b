"""Framework versions as data: the reference file, reloading it, and the administrator's YAML upload."""

import io
from decimal import Decimal

import pytest
import yaml
from django.conf import settings
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.utils import translation

from assessments.frameworks import FrameworkFileError, dump_version, dump_versions_yaml, load_versions, read_versions
from assessments.models import (
    Assessment,
    FrameworkVersion,
    Indicator,
    Item,
    Level,
    LevelScheme,
    SubQuestion,
    SubTopic,
    Tool,
    ToolPart,
)
from tests import factories

pytestmark = pytest.mark.django_db

UPLOAD_URL = "/admin/assessments/frameworkversion/upload/"
CHANGELIST_URL = "/admin/assessments/frameworkversion/"
FRAMEWORK_MODELS = (FrameworkVersion, Tool, ToolPart, Indicator, SubTopic, Item, SubQuestion, Level)


def framework_state():
    """Every framework row with its id and values: what 'nothing changed' means."""
    return {model.__name__: list(model.objects.order_by("pk").values()) for model in FRAMEWORK_MODELS}


def version(code):
    return FrameworkVersion.objects.get(code=code)


def dumped(code, **changes):
    """One version as the download action writes it, as a dict to edit."""
    data = yaml.safe_load(dump_versions_yaml(FrameworkVersion.objects.filter(code=code)))
    data["versions"][0].update(changes)
    return data


def yaml_file(data, name="frameworks.yaml"):
    text = data if isinstance(data, str) else yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="application/yaml")


@pytest.fixture
def admin_client(client, superuser):
    client.force_login(superuser)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


# The reference frameworks


def test_loading_the_reference_file_again_changes_nothing():
    before = framework_state()
    out = io.StringIO()

    call_command("load_frameworks", stdout=out)

    assert framework_state() == before
    assert out.getvalue().splitlines() == [
        "ITA 2562–2565 (ita_2562_2565): 88 items",
        "ITA 2566–2567 (ita_2566_2567): 0 items",
        "ITA 2568–2569 (ita_2568_2569): 52 items",
        "Loaded 3 framework versions.",
    ]


def test_reference_versions_and_their_sizes():
    counts = {
        v.code: (v.first_year, v.last_year, v.level_scheme, v.items_known, v.items.count(), v.indicators.count())
        for v in FrameworkVersion.objects.all()
    }

    assert counts == {
        "ita_2562_2565": (2562, 2565, LevelScheme.LETTERS, True, 88, 10),
        "ita_2566_2567": (2566, 2567, LevelScheme.PASS, False, 0, 10),
        "ita_2568_2569": (2568, 2569, LevelScheme.PASS, True, 52, 10),
    }


def test_2568_eit_items_are_scored_in_public_and_survey_parts():
    items = version("ita_2568_2569").items

    assert sorted(items.filter(scored_in_parts=True).values_list("code", flat=True), key=lambda c: int(c[1:])) == [
        f"e{n}" for n in range(1, 10)
    ]
    eit = version("ita_2568_2569").tools.get(code="EIT")
    assert [(p.number, p.label_th, p.name) for p in eit.parts.all()] == [
        (1, "ส่วนที่ 1", "EIT Public"),
        (2, "ส่วนที่ 2", "EIT Survey"),
    ]


def test_2566_eit_has_two_parts_but_no_items():
    eit = version("ita_2566_2567").tools.get(code="EIT")

    assert [p.label_th for p in eit.parts.all()] == ["ส่วนที่ 1", "ส่วนที่ 2"]
    assert version("ita_2566_2567").spec.tool_parts == {"EIT": (1, 2)}


def test_i1_has_two_sub_questions():
    item = version("ita_2562_2565").items.get(code="I1")

    assert [q.text_th for q in item.sub_questions.all()] == ["เป็นไปตามขั้นตอนที่กำหนด", "เป็นไปตามระยะเวลาที่กำหนด"]


def test_sub_topic_9_3_of_2568_is_procurement_with_o12_and_o13():
    topic = version("ita_2568_2569").sub_topics.get(code="9.3")

    assert topic.name_th == "การจัดซื้อจัดจ้าง"
    assert topic.indicator.number == 9
    assert list(topic.items.order_by("order").values_list("code", flat=True)) == ["o12", "o13"]


@pytest.mark.parametrize(
    "year, code",
    [
        (2561, None),
        (2562, "ita_2562_2565"),
        (2565, "ita_2562_2565"),
        (2566, "ita_2566_2567"),
        (2567, "ita_2566_2567"),
        (2569, "ita_2568_2569"),
        (2570, None),
    ],
)
def test_version_for_a_fiscal_year(year, code):
    found = FrameworkVersion.objects.for_year(year)

    assert (found.code if found else None) == code


def test_load_frameworks_refuses_a_broken_file_and_changes_nothing(tmp_path):
    data = dumped("ita_2568_2569")
    data["versions"][0]["items"][0]["indicator"] = 99
    path = tmp_path / "broken.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    before = framework_state()

    with pytest.raises(CommandError) as info:
        call_command("load_frameworks", str(path), stdout=io.StringIO())

    assert str(info.value).split(" | ")[-1] == "Version ita_2568_2569: item i1 names an unknown indicator."

    assert framework_state() == before


def test_load_frameworks_without_the_file_is_refused(tmp_path):
    with pytest.raises(CommandError, match="No such file"):
        call_command("load_frameworks", str(tmp_path / "nowhere.yaml"), stdout=io.StringIO())


# The administrator's upload page and download action


def test_administrator_adds_a_version_from_an_edited_download(admin_client, agency, tmp_path):
    data = dumped("ita_2568_2569", id="ita_2570", fiscal_years=[2570])

    response = admin_client.post(UPLOAD_URL, {"file": yaml_file(data)}, follow=True)

    assert response.redirect_chain == [(CHANGELIST_URL, 302)]
    assert "Loaded framework versions: ita_2570" in response.text
    new = version("ita_2570")
    assert (new.first_year, new.last_year, new.level_scheme, new.items.count()) == (2570, 2570, LevelScheme.PASS, 52)
    assert new.items.filter(scored_in_parts=True).count() == 9
    assert FrameworkVersion.objects.for_year(2570) == new
    results = tmp_path / "results.csv"
    results.write_bytes(
        factories.csv_bytes([("AG1", "2570", "E1", "public", "93.47"), ("AG1", "2570", "ITA", "", "95.08")])
    )
    call_command("import_results", str(results), stdout=io.StringIO())
    assessment = Assessment.objects.get(agency=agency, fiscal_year=2570)
    assert assessment.version == new
    assert assessment.official_figures() == {("e1", 1): Decimal("93.47"), ("ITA", 0): Decimal("95.08")}


def test_administrator_edits_a_version_keeping_row_ids(admin_client):
    data = dumped("ita_2568_2569")
    data["versions"][0]["indicators"][3]["name_en"] = "Use of state property"
    data["versions"][0]["items"] = [i for i in data["versions"][0]["items"] if i["code"] != "o28"]
    indicator = Indicator.objects.get(version__code="ita_2568_2569", number=4)
    item_ids = set(Item.objects.filter(version__code="ita_2568_2569").exclude(code="o28").values_list("pk", flat=True))

    response = admin_client.post(UPLOAD_URL, {"file": yaml_file(data)})

    assert response.status_code == 302
    indicator.refresh_from_db()
    assert indicator.name_en == "Use of state property"
    assert set(Item.objects.filter(version__code="ita_2568_2569").values_list("pk", flat=True)) == item_ids


def test_upload_with_years_overlapping_another_version_is_refused(admin_client):
    data = dumped("ita_2568_2569", id="ita_2570", fiscal_years=[2569, 2570])
    before = framework_state()

    response = admin_client.post(UPLOAD_URL, {"file": yaml_file(data)})

    assert response.status_code == 200
    assert "Version ita_2570: its years overlap version ita_2568_2569 (2568–2569)." in response.text
    assert framework_state() == before


def test_upload_with_two_versions_overlapping_each_other_is_refused(admin_client):
    first = dumped("ita_2568_2569", id="ita_2570", fiscal_years=[2570])["versions"][0]
    second = {**first, "id": "ita_2570_2571", "fiscal_years": [2570, 2571]}
    before = framework_state()

    response = admin_client.post(UPLOAD_URL, {"file": yaml_file({"versions": [first, second]})})

    assert response.status_code == 200
    assert "Version ita_2570_2571: its years overlap version ita_2570 (2570–2570)." in response.text
    assert framework_state() == before


def test_upload_with_an_item_under_an_unknown_indicator_is_refused(admin_client):
    data = dumped("ita_2568_2569", id="ita_2570", fiscal_years=[2570])
    data["versions"][0]["items"][0]["indicator"] = 11
    before = framework_state()

    response = admin_client.post(UPLOAD_URL, {"file": yaml_file(data)})

    assert response.status_code == 200
    assert "Version ita_2570: item i1 names an unknown indicator." in response.text
    assert framework_state() == before


def test_upload_of_a_broken_edit_leaves_the_existing_version_as_it_was(admin_client):
    data = dumped("ita_2568_2569")
    data["versions"][0]["weights"]["tools"]["OIT"] = 0.5
    data["versions"][0]["items"] = []
    before = framework_state()

    response = admin_client.post(UPLOAD_URL, {"file": yaml_file(data)})

    assert "Version ita_2568_2569: tool weights for IIT, EIT and OIT must add up to 1." in response.text
    assert framework_state() == before


@pytest.mark.parametrize(
    "content, message",
    [
        ("versions: [unclosed", "The file is not valid YAML:"),
        ("just: a mapping", "The file has no &#x27;versions&#x27; list."),
        ("versions: []", "The file has no &#x27;versions&#x27; list."),
    ],
)
def test_upload_of_a_file_that_is_not_a_framework_is_refused(admin_client, content, message):
    before = framework_state()

    response = admin_client.post(UPLOAD_URL, {"file": yaml_file(content)})

    assert response.status_code == 200
    assert message in response.text
    assert framework_state() == before


def test_upload_of_a_file_that_is_not_utf8_is_refused(admin_client):
    upload = SimpleUploadedFile("frameworks.yaml", "versions: []  # ภาษาไทย".encode("cp874"))

    response = admin_client.post(UPLOAD_URL, {"file": upload})

    assert response.status_code == 200
    assert "The file is not UTF-8 text." in response.text


def test_download_action_returns_yaml_that_loads_back(admin_client):
    pks = list(FrameworkVersion.objects.values_list("pk", flat=True))

    response = admin_client.post(CHANGELIST_URL, {"action": "download_yaml", "_selected_action": pks})

    assert response.status_code == 200
    assert response["Content-Type"] == "application/yaml; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="frameworks.yaml"'
    versions = read_versions(response.content.decode("utf-8"))
    assert [v["id"] for v in versions] == ["ita_2562_2565", "ita_2566_2567", "ita_2568_2569"]
    assert "การจัดซื้อจัดจ้าง" in response.content.decode("utf-8")


def test_download_then_upload_changes_nothing(admin_client):
    pks = list(FrameworkVersion.objects.values_list("pk", flat=True))
    downloaded = admin_client.post(CHANGELIST_URL, {"action": "download_yaml", "_selected_action": pks}).content
    before = framework_state()

    response = admin_client.post(UPLOAD_URL, {"file": SimpleUploadedFile("frameworks.yaml", downloaded)})

    assert response.status_code == 302
    assert framework_state() == before
    assert dump_versions_yaml(FrameworkVersion.objects.all()).encode("utf-8") == downloaded


def test_read_versions_names_every_problem():
    data = dumped("ita_2568_2569", id="ita_2570", fiscal_years=[2570, 2572])
    data["versions"][0]["items"].append(dict(data["versions"][0]["items"][0]))
    data["versions"][0]["levels"] = []

    # In English whatever language an earlier test left active.
    with translation.override("en"):
        with pytest.raises(FrameworkFileError) as info:
            read_versions(yaml.safe_dump(data, allow_unicode=True))

        assert [str(p) for p in info.value.problems] == [
            "Version ita_2570: 'fiscal_years' must be consecutive years.",
            "Version ita_2570: item i1 appears twice.",
            "Version ita_2570: 'levels' is empty.",
        ]


def edited_2570(edit):
    data = dumped("ita_2568_2569", id="ita_2570", fiscal_years=[2570])
    edit(data["versions"][0])
    return yaml.safe_dump(data, allow_unicode=True)


@pytest.mark.parametrize(
    "edit, problem",
    [
        pytest.param(
            lambda v: v["items"].append("i99"), "'items' must be a list of mappings.", id="item-not-a-mapping"
        ),
        pytest.param(
            lambda v: v.update(levels={"A": 85}), "'levels' must be a list of mappings.", id="levels-not-a-list"
        ),
        pytest.param(
            lambda v: v.update(fiscal_years=2570), "'fiscal_years' must list Buddhist-Era years.", id="year-not-a-list"
        ),
        pytest.param(
            lambda v: v["indicators"][0].update(number="1"),
            "'indicators' must be numbered 1 to 10.",
            id="indicator-number-text",
        ),
        pytest.param(
            lambda v: v["items"][0].update(code=5),
            "item 5: an item code is I, E or O and a number (I1, e3, o12).",
            id="item-code-number",
        ),
        pytest.param(
            lambda v: v["items"][0].update(code="IIT-1"),
            "item IIT-1: an item code is I, E or O and a number (I1, e3, o12).",
            id="item-code-unreadable",
        ),
        pytest.param(
            lambda v: v["sub_topics"][0].pop("name_th"), "sub-topic 9.1 has no Thai name.", id="sub-topic-unnamed"
        ),
        pytest.param(
            lambda v: v["tools"][1]["parts"].append({"code": 3, "label_th": "ส่วนที่ 3"}),
            "tool EIT: 'parts' must list at most two parts, each a mapping.",
            id="three-eit-parts",
        ),
        pytest.param(
            lambda v: v["tools"][1].update(parts=["public", "survey"]),
            "tool EIT: 'parts' must list at most two parts, each a mapping.",
            id="parts-not-mappings",
        ),
    ],
)
def test_malformed_version_is_refused_with_a_problem_not_an_error(edit, problem):
    with pytest.raises(FrameworkFileError) as info:
        read_versions(edited_2570(edit))

    with translation.override("en"):
        assert f"Version ita_2570: {problem}" in [str(p) for p in info.value.problems]


def test_malformed_upload_shows_the_problem_and_changes_nothing(admin_client):
    before = framework_state()

    response = admin_client.post(UPLOAD_URL, {"file": yaml_file(edited_2570(lambda v: v["items"].append("i99")))})

    assert response.status_code == 200
    assert "Version ita_2570: &#x27;items&#x27; must be a list of mappings." in response.text
    assert framework_state() == before


# Who may reach the upload page


def test_anonymous_is_sent_to_login(client, db):
    response = client.get(UPLOAD_URL)

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/admin/assessments/frameworkversion/upload/"


def test_non_staff_member_cannot_reach_the_upload_page(client, officer):
    client.force_login(officer)

    response = client.get(UPLOAD_URL)

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_staff_without_framework_permissions_cannot_upload(client, db):
    staff = factories.user("clerk", is_staff=True)
    client.force_login(staff)
    data = dumped("ita_2568_2569", id="ita_2570", fiscal_years=[2570])

    assert client.get(UPLOAD_URL).status_code == 403
    assert client.post(UPLOAD_URL, {"file": yaml_file(data)}).status_code == 403
    assert not FrameworkVersion.objects.filter(code="ita_2570").exists()


def test_staff_with_framework_permissions_can_upload(client, db):
    staff = factories.user("editor", is_staff=True)
    staff.user_permissions.add(
        *Permission.objects.filter(codename__in=["add_frameworkversion", "change_frameworkversion"])
    )
    client.force_login(staff)

    response = client.get(UPLOAD_URL)

    assert response.status_code == 200
    assert 'type="file"' in response.text


def test_upload_cannot_remove_an_item_that_has_saved_scores(agency):
    factories.assessment(agency, 2568, {"i1": "90.00"})
    version = FrameworkVersion.objects.get(code="ita_2568_2569")
    data = dump_version(version)
    data["items"] = [item for item in data["items"] if item["code"] != "i1"]

    with pytest.raises(FrameworkFileError) as info:
        load_versions([data])

    assert [english(p) for p in info.value.problems] == [
        "Version ita_2568_2569: items i1 have saved scores and cannot be removed."
    ]
    assert version.items.filter(code="i1").exists()


def test_upload_cannot_drop_a_year_that_has_saved_results(agency):
    factories.assessment(agency, 2569, {"ITA": "90.00"})
    data = dump_version(FrameworkVersion.objects.get(code="ita_2568_2569"))
    data["fiscal_years"] = [2568]

    with pytest.raises(FrameworkFileError) as info:
        load_versions([data])

    assert [english(p) for p in info.value.problems] == [
        "Version ita_2568_2569: results are saved for fiscal years 2569, which the file no longer covers."
    ]
    assert FrameworkVersion.objects.for_year(2569).code == "ita_2568_2569"


def english(message):
    with translation.override("en"):
        return str(message)
