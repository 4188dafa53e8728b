"""The NACC's agency types as data: imports name them as agencies and the NACC do, local governments
carry a size class, ranks compare agencies of one type and size, and old agencies are moved over."""

import importlib

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from assessments.agency_import import AGENCY_COLUMNS, check_agencies
from assessments.models import Agency, AgencyType, Assessment
from tests import factories

migration = importlib.import_module("assessments.migrations.0008_agency_types")

HEADER = ("code", "name_th", "short_name", "agency_type", "parent", "size_class")

# The NACC's names and the usual short forms, with the code of the type each names.
NACC_NAMES = [
    ("ศาล", "court"),
    ("หน่วยธุรการขององค์กรศาล", "court"),
    ("องค์กรอิสระ", "independent"),
    ("องค์กรอัยการ", "public_prosecution"),
    ("หน่วยงานในสังกัดรัฐสภา", "parliamentary"),
    ("ส่วนราชการระดับกระทรวง", "ministry"),
    ("ส่วนราชการระดับกรม", "department"),
    ("กรมหรือเทียบเท่า", "department"),
    ("จังหวัด", "province"),
    ("รัฐวิสาหกิจ", "state_enterprise"),
    ("องค์การมหาชน", "public_organisation"),
    ("กองทุน", "fund"),
    ("หน่วยงานของรัฐอื่น", "other"),
    ("หน่วยงานของรัฐอื่น ๆ", "other"),
    ("หน่วยงานของรัฐอื่นๆ", "other"),
    ("สถาบันอุดมศึกษา", "university"),
    ("องค์การบริหารส่วนจังหวัด", "provincial_administration"),
    ("อบจ.", "provincial_administration"),
    ("เทศบาลนคร", "city_municipality"),
    ("ทน.", "city_municipality"),
    ("เทศบาลเมือง", "town_municipality"),
    ("ทม.", "town_municipality"),
    ("เทศบาลตำบล", "subdistrict_municipality"),
    ("ทต.", "subdistrict_municipality"),
    ("องค์การบริหารส่วนตำบล", "subdistrict_administration"),
    ("อบต.", "subdistrict_administration"),
    ("กรุงเทพมหานคร", "bangkok"),
    ("กทม.", "bangkok"),
    ("เมืองพัทยา", "pattaya"),
    ("องค์กรปกครองส่วนท้องถิ่น", "local_government"),
    ("อปท.", "local_government"),
]

ENGLISH_NAMES = [
    ("Court", "court"),
    ("Independent organisation", "independent"),
    ("Public prosecution organisation", "public_prosecution"),
    ("Parliamentary agency", "parliamentary"),
    ("Ministry", "ministry"),
    ("Department", "department"),
    ("Province", "province"),
    ("State enterprise", "state_enterprise"),
    ("Public organisation", "public_organisation"),
    ("Fund", "fund"),
    ("Other state agency", "other"),
    ("Higher education institution", "university"),
    ("Provincial administrative organisation", "provincial_administration"),
    ("City municipality", "city_municipality"),
    ("Town municipality", "town_municipality"),
    ("Sub-district municipality", "subdistrict_municipality"),
    ("Sub-district administrative organisation", "subdistrict_administration"),
    ("Bangkok Metropolitan Administration", "bangkok"),
    ("Pattaya City", "pattaya"),
]


def import_agencies(tmp_path, rows, header=HEADER):
    return factories.import_command("import_agencies", tmp_path, rows, header)


def refusal(tmp_path, rows, header=HEADER):
    with pytest.raises(CommandError) as refused:
        import_agencies(tmp_path, rows, header)
    return str(refused.value)


def imported_types():
    return dict(Agency.objects.values_list("code", "agency_type__code"))


# --- The NACC's list ------------------------------------------------------------------------


def test_the_migration_creates_the_nacc_types_in_the_nacc_order(db):
    types = list(AgencyType.objects.values_list("name_th", "is_local_government"))

    assert types == [
        ("ศาล", False),
        ("องค์กรอิสระ", False),
        ("องค์กรอัยการ", False),
        ("หน่วยงานในสังกัดรัฐสภา", False),
        ("ส่วนราชการระดับกระทรวง", False),
        ("ส่วนราชการระดับกรม", False),
        ("จังหวัด", False),
        ("รัฐวิสาหกิจ", False),
        ("องค์การมหาชน", False),
        ("กองทุน", False),
        ("หน่วยงานของรัฐอื่น ๆ", False),
        ("สถาบันอุดมศึกษา", False),
        ("องค์การบริหารส่วนจังหวัด", True),
        ("เทศบาลนคร", True),
        ("เทศบาลเมือง", True),
        ("เทศบาลตำบล", True),
        ("องค์การบริหารส่วนตำบล", True),
        ("กรุงเทพมหานคร", True),
        ("เมืองพัทยา", True),
        ("องค์กรปกครองส่วนท้องถิ่น (ไม่ระบุประเภท)", True),
    ]
    assert AgencyType.objects.get(code="bangkok").history.get().history_type == "+"


# --- Import: every name the NACC and agencies use ---------------------------------------------


@pytest.mark.parametrize(("name", "code"), NACC_NAMES)
def test_import_accepts_each_nacc_name_and_short_form(tmp_path, db, name, code):
    out = import_agencies(tmp_path, [("AG1", "หน่วยงานทดสอบ", "", name, "", "")])

    assert out.strip() == "Imported 1 agencies."
    assert imported_types() == {"AG1": code}


@pytest.mark.parametrize(("name", "code"), ENGLISH_NAMES)
def test_import_accepts_each_english_name(tmp_path, db, name, code):
    import_agencies(tmp_path, [("AG1", "Test agency", "", name, "", "")])

    assert imported_types() == {"AG1": code}


def test_import_ignores_spaces_case_and_a_final_full_stop_and_takes_the_old_codes(tmp_path, db):
    rows = [
        ("A1", "องค์การบริหารส่วนตำบลหนึ่ง", "", " อบต ", "", ""),
        ("A2", "เทศบาลตำบลสอง", "", "ท ต.", "", ""),
        ("A3", "บริษัท สาม", "", "STATE ENTERPRISE", "", ""),
        ("A4", "กรมสี่", "", "department", "", ""),
        ("A5", "สำนักงานห้า", "", "Public_Organisation", "", ""),
        ("A6", "เทศบาลหก", "", "local_government", "", ""),
    ]

    import_agencies(tmp_path, rows)

    assert imported_types() == {
        "A1": "subdistrict_administration",
        "A2": "subdistrict_municipality",
        "A3": "state_enterprise",
        "A4": "department",
        "A5": "public_organisation",
        "A6": "local_government",
    }


def test_an_unknown_type_is_refused_with_the_accepted_names_and_nothing_is_written(tmp_path, db):
    rows = [("A1", "เทศบาลหนึ่ง", "", "อบต.", "", ""), ("A2", "เทศบาลสอง", "", "เทศบาล", "", "")]

    message = refusal(tmp_path, rows)

    assert message.startswith("Nothing imported.\nแถว 3: ไม่รู้จักประเภทหน่วยงาน 'เทศบาล' ใช้ได้: ศาล (หน่วยธุรการขององค์กรศาล),")
    assert "เทศบาลตำบล (ทต.), องค์การบริหารส่วนตำบล (อบต.), กรุงเทพมหานคร (กทม.), เมืองพัทยา," in message
    assert "Row 3: unknown agency type 'เทศบาล'; use one of: ศาล (หน่วยธุรการขององค์กรศาล)," in message
    assert not Agency.objects.exists()


def test_a_type_an_administrator_adds_is_accepted_and_listed(tmp_path, db):
    AgencyType.objects.create(code="school", name_th="สถานศึกษา", name_en="School", short_names="รร.", order=999)

    assert "สถานศึกษา (รร.)" in refusal(tmp_path, [("A1", "โรงเรียนหนึ่ง", "", "โรงเรียน", "", "")])
    import_agencies(tmp_path, [("A1", "โรงเรียนหนึ่ง", "", "รร", "", "")])

    assert imported_types() == {"A1": "school"}


def test_the_types_are_read_once_whatever_the_number_of_rows(db):
    def queries(count):
        rows = [(n, {"code": f"A{n}", "name_th": f"อบต. {n}", "agency_type": "อบต."}) for n in range(2, count + 2)]
        with CaptureQueriesContext(connection) as captured:
            agencies, problems = check_agencies(rows)
        assert (len(agencies), problems) == (count, [])
        return len(captured)

    assert queries(1) == queries(200) == 3


# --- Size classes -------------------------------------------------------------------------------


def test_a_local_government_takes_its_size_class_in_either_case(tmp_path, db):
    rows = [
        ("A1", "องค์การบริหารส่วนตำบลหนึ่ง", "", "อบต.", "", "l"),
        ("A2", "เทศบาลตำบลสอง", "", "ทต.", "", " M "),
        ("A3", "เทศบาลตำบลสาม", "", "ทต.", "", ""),
        ("A4", "เทศบาลตำบลสี่", "", "ทต.", "", "ขนาดเล็ก"),
        ("A5", "เทศบาลเมืองห้า", "", "ทม.", "", "กลาง"),
        ("A6", "เทศบาลนครหก", "", "ทน.", "", "Large"),
    ]

    import_agencies(tmp_path, rows)

    assert dict(Agency.objects.values_list("code", "size_class")) == {
        "A1": "L",
        "A2": "M",
        "A3": "",
        "A4": "S",
        "A5": "M",
        "A6": "L",
    }


def test_a_size_class_is_refused_for_a_type_that_is_not_local_and_an_unknown_one_too(tmp_path, db):
    rows = [
        ("A1", "กรมหนึ่ง", "", "ส่วนราชการระดับกรม", "", "L"),
        ("A2", "องค์การบริหารส่วนตำบลสอง", "", "อบต.", "", "XL"),
    ]

    message = refusal(tmp_path, rows)

    assert "แถว 2: ขนาด (L, M, S) ใช้กับองค์กรปกครองส่วนท้องถิ่นเท่านั้น ไม่ใช้กับประเภทหน่วยงาน 'ส่วนราชการระดับกรม'" in message
    assert (
        "Row 2: a size class (L, M, S) is only for local governments, not for agency type 'ส่วนราชการระดับกรม'" in message
    )
    assert "Row 3: unknown size class 'XL'; use L, M or S (ใหญ่, กลาง, เล็ก), or leave it empty" in message
    assert "แถว 3: ไม่รู้จักขนาด 'XL' ใช้ L, M หรือ S (ใหญ่ กลาง เล็ก) หรือเว้นว่าง" in message
    assert not Agency.objects.exists()


def test_a_file_without_the_size_class_column_keeps_the_saved_one(tmp_path, db):
    factories.agency("A1", "องค์การบริหารส่วนตำบลหนึ่ง", agency_type="subdistrict_administration", size_class="S")
    factories.agency("A2", "เทศบาลตำบลสอง", agency_type="subdistrict_municipality", size_class="M")

    import_agencies(
        tmp_path,
        [("A1", "อบต.หนึ่ง", "", "อบต.", ""), ("A2", "กรมสอง", "", "กรม", "")],
        header=HEADER[:5],
    )

    assert dict(Agency.objects.values_list("code", "size_class")) == {"A1": "S", "A2": ""}  # a department has none


def test_the_model_refuses_a_size_class_for_a_type_that_is_not_local(db):
    department = factories.agency("A1", agency_type="department")
    department.size_class = "S"

    with pytest.raises(ValidationError) as refused:
        department.full_clean()

    assert list(refused.value.message_dict) == ["size_class"]
    town = factories.agency("A2", agency_type="town_municipality", size_class="S")
    town.full_clean()


def test_agency_columns_end_with_the_optional_size_class():
    assert AGENCY_COLUMNS == HEADER


# --- Ranks within a type and size class --------------------------------------------------------


def test_rank_within_type_compares_agencies_of_the_same_type_and_size_class(db):
    def sao(code, size, score):
        agency = factories.agency(code, f"องค์การบริหารส่วนตำบล{code}", "subdistrict_administration", size_class=size)
        factories.summarised_assessment(agency, 2568, {"IIT": score, "EIT": score, "OIT": score})

    sao("L1", "L", "90.00")
    sao("L2", "L", "95.00")
    sao("M1", "M", "80.00")
    sao("M2", "M", "96.00")
    sao("N1", "", "70.00")
    town = factories.agency("T1", "เทศบาลตำบลหนึ่ง", "subdistrict_municipality", size_class="L")
    factories.summarised_assessment(town, 2568, {"IIT": "99.00", "EIT": "99.00", "OIT": "99.00"})

    ranks = Assessment.objects.for_overview(2568).values_list("agency__code", "overall", "rank_in_type")

    assert {code: (f"{overall:.2f}", rank) for code, overall, rank in ranks} == {
        "L1": ("90.00", 2),
        "L2": ("95.00", 1),
        "M1": ("80.00", 2),
        "M2": ("96.00", 1),
        "N1": ("70.00", 1),
        "T1": ("99.00", 1),
    }


# --- Names in the active language, the overview's filter -------------------------------------


def test_the_type_is_shown_in_the_active_language(db):
    agency = factories.agency("A1", agency_type="subdistrict_administration")

    with translation.override("en"):
        assert agency.get_agency_type_display() == "Sub-district administrative organisation"
    with translation.override("th"):
        assert agency.get_agency_type_display() == "องค์การบริหารส่วนตำบล"


def test_the_overview_filter_lists_the_types_of_the_table_and_filters_by_code(client, superuser):
    AgencyType.objects.create(code="school", name_th="สถานศึกษา", name_en="School", order=999)
    sao = factories.agency("SAO", "องค์การบริหารส่วนตำบลทดสอบ", "subdistrict_administration", size_class="S")
    town = factories.agency("TOWN", "เทศบาลตำบลทดสอบ", "subdistrict_municipality")
    factories.summarised_assessment(sao, 2568, {"IIT": "90.00", "EIT": "90.00", "OIT": "90.00"})
    factories.summarised_assessment(town, 2568, {"IIT": "80.00", "EIT": "80.00", "OIT": "80.00"})
    client.force_login(superuser)

    page = client.get("/overview/2568/")
    only_sao = client.get("/overview/2568/", {"agency_type": "subdistrict_administration"})
    unknown = client.get("/overview/2568/", {"agency_type": "planet"})

    assert '<option value="school">สถานศึกษา</option>' in page.text
    assert '<option value="subdistrict_administration">องค์การบริหารส่วนตำบล</option>' in page.text
    assert "องค์การบริหารส่วนตำบลทดสอบ" in only_sao.text and "เทศบาลตำบลทดสอบ" not in only_sao.text
    assert "agency_type" in unknown.context["filter"].form.errors


# --- The admin ----------------------------------------------------------------------------------


@pytest.fixture
def root(superuser):
    browser = Client()
    browser.force_login(superuser)
    return browser


def type_form(**changes):
    return {
        "code": "school",
        "name_th": "สถานศึกษา",
        "name_en": "School",
        "short_names": "รร.",
        "order": "999",
        "_save": "Save",
        **changes,
    }


def test_an_administrator_adds_a_type_in_the_admin_with_its_history(root):
    saved = root.post("/admin/assessments/agencytype/add/", type_form())

    assert saved.status_code == 302
    school = AgencyType.objects.get(code="school")
    assert (school.name_th, school.short_forms(), school.is_local_government) == ("สถานศึกษา", ["รร."], False)
    assert school.history.get().history_type == "+"


def test_the_admin_refuses_a_short_form_that_already_names_another_type(root):
    refused = root.post("/admin/assessments/agencytype/add/", type_form(short_names="รร., อบต"))

    assert refused.status_code == 200
    assert refused.context["adminform"].form.errors["__all__"] == [
        "อบต เป็นชื่อของประเภทหน่วยงาน 'องค์การบริหารส่วนตำบล' อยู่แล้ว ชื่อและชื่อย่อแต่ละชื่อใช้ได้กับประเภทเดียว"
    ]
    assert not AgencyType.objects.filter(code="school").exists()


def test_a_type_whose_agencies_have_a_size_class_stays_local(root):
    factories.agency("A1", agency_type="subdistrict_administration", size_class="L")
    sao = AgencyType.objects.get(code="subdistrict_administration")
    form = type_form(code=sao.code, name_th=sao.name_th, name_en=sao.name_en, short_names=sao.short_names)

    refused = root.post(f"/admin/assessments/agencytype/{sao.pk}/change/", form)  # is_local_government unticked

    assert refused.context["adminform"].form.errors["is_local_government"] == [
        "หน่วยงานประเภทนี้มีขนาด (L, M, S) กำหนดไว้ ให้ลบขนาดของหน่วยงานเหล่านั้นก่อน"
    ]
    assert AgencyType.objects.get(code="subdistrict_administration").is_local_government


def test_a_type_given_to_an_agency_cannot_be_deleted(root):
    factories.agency("A1", agency_type="fund")
    fund = AgencyType.objects.get(code="fund")

    root.post(f"/admin/assessments/agencytype/{fund.pk}/delete/", {"post": "yes"})

    assert AgencyType.objects.filter(code="fund").exists()


def test_only_administrators_open_the_types_in_the_admin(client, officer):
    client.force_login(officer)

    assert client.get("/admin/assessments/agencytype/").status_code == 302


# --- The data migration -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "name_th", "new"),
    [
        ("ministry", "กระทรวงมหาดไทย", "ministry"),
        ("department", "กรมบัญชีกลาง", "department"),
        ("province", "จังหวัดอ่างทอง", "province"),
        ("state_enterprise", "องค์การอุตสาหกรรมป่าไม้", "state_enterprise"),
        ("public_organisation", "สำนักงานส่งเสริมการจัดประชุมและนิทรรศการ", "public_organisation"),
        ("university", "มหาวิทยาลัยมหิดล", "university"),
        ("independent", "สำนักงานการตรวจเงินแผ่นดิน", "independent"),
        ("other", "สำนักงานอื่น", "other"),
        ("local_government", "องค์การบริหารส่วนจังหวัดอ่างทอง", "provincial_administration"),
        ("local_government", "เทศบาลนครนนทบุรี", "city_municipality"),
        ("local_government", "เทศบาลเมืองอ่างทอง", "town_municipality"),
        ("local_government", "เทศบาลตำบลบางปลา", "subdistrict_municipality"),
        ("local_government", "องค์การบริหารส่วนตำบล ท่าช้าง", "subdistrict_administration"),
        ("local_government", "กรุงเทพมหานคร", "bangkok"),
        ("local_government", "เมืองพัทยา", "pattaya"),
        ("local_government", "สภาตำบลหนองบัว", "local_government"),
        ("local_government", "เทศบาลหนองบัว", "local_government"),
    ],
)
def test_the_migration_maps_each_old_choice_to_a_nacc_type(old, name_th, new):
    assert migration.nacc_type_for(old, name_th) == new


def test_the_migration_moves_old_agencies_to_the_nacc_types_and_back(transactional_db):
    target = ("assessments", "0008_agency_types")
    executor = MigrationExecutor(connection)
    before = executor.loader.graph.node_map[target].parents
    (previous,) = [node.key for node in before if node.key[0] == "assessments"]
    executor.migrate([previous])
    old_apps = executor.loader.project_state([previous]).apps
    OldAgency = old_apps.get_model("assessments", "Agency")
    OldAgency.objects.create(code="PROV", name_th="จังหวัดอ่างทอง", agency_type="province")
    OldAgency.objects.create(code="TAO", name_th="องค์การบริหารส่วนตำบลโพสะ", agency_type="local_government")
    OldAgency.objects.create(code="MUN", name_th="เทศบาลเมืองอ่างทอง", agency_type="local_government")
    OldAgency.objects.create(code="SAPHA", name_th="สภาตำบลหนองบัว", agency_type="local_government")

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    moved = imported_types()
    executor = MigrationExecutor(connection)
    executor.migrate([previous])
    back = dict(OldAgency.objects.values_list("code", "agency_type"))
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    assert moved == {
        "PROV": "province",
        "TAO": "subdistrict_administration",
        "MUN": "town_municipality",
        "SAPHA": "local_government",
    }
    assert back == {
        "PROV": "province",
        "TAO": "local_government",
        "MUN": "local_government",
        "SAPHA": "local_government",
    }
