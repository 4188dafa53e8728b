"""The rank within type is stored on each assessment and kept in step: when results are imported,
when an agency changes type or size class (import or admin), and by the migration that added it."""

import importlib

from django.apps import apps as django_apps

from assessments.models import Agency, Assessment, competition_ranks
from tests import factories

migration = importlib.import_module("assessments.migrations.0009_rank_in_type")


def tools(score):
    return {"IIT": score, "EIT": score, "OIT": score}


def ranks(year=2565):
    return dict(Assessment.objects.filter(fiscal_year=year).values_list("agency__code", "rank_in_type"))


def test_equal_scores_share_a_rank_within_their_group_and_the_next_skips():
    entries = [("a", "x", 90), ("b", "x", 80), ("c", "x", 80), ("d", "x", 70), ("e", "x", None), ("f", "y", 10)]

    assert competition_ranks(entries) == {"a": 1, "b": 2, "c": 2, "d": 4, "f": 1}


def test_importing_one_agencys_results_moves_the_others_ranks(tmp_path, db):
    for code, score in [("A", "90.00"), ("B", "80.00")]:
        factories.summarised_assessment(factories.agency(code), 2565, tools(score))
    assert ranks() == {"A": 1, "B": 2}

    rows = [("A", "2565", tool, "", "70.00") for tool in ("IIT", "EIT", "OIT")]
    factories.import_command("import_results", tmp_path, rows, ("agency", "fiscal_year", "code", "part", "score"))

    assert ranks() == {"A": 2, "B": 1}


def test_an_agency_imported_under_another_type_leaves_its_old_ranks(tmp_path, db):
    for code, score in [("A", "90.00"), ("B", "80.00"), ("C", "70.00")]:
        factories.summarised_assessment(factories.agency(code), 2565, tools(score))

    header = ("code", "name_th", "short_name", "agency_type", "parent")
    factories.import_command("import_agencies", tmp_path, [("A", "หน่วยงาน A", "A", "กองทุน", "")], header)

    assert ranks() == {"A": 1, "B": 1, "C": 2}


def test_a_size_class_changed_in_the_admin_moves_the_ranks(client, db):
    for code, score in [("A", "90.00"), ("B", "80.00")]:
        agency = factories.agency(code, f"เทศบาลตำบล{code}", "subdistrict_municipality", size_class="M")
        factories.summarised_assessment(agency, 2568, tools(score))
    client.force_login(factories.user("root", is_superuser=True, is_staff=True))
    a = Agency.objects.get(code="A")
    form = {
        "code": "A",
        "name_th": a.name_th,
        "short_name": a.short_name,
        "agency_type": a.agency_type_id,
        "size_class": "L",
        "parent": "",
        "memberships-TOTAL_FORMS": "0",
        "memberships-INITIAL_FORMS": "0",
    }

    response = client.post(f"/admin/assessments/agency/{a.pk}/change/", form)

    assert response.status_code == 302, response.context["adminform"].form.errors
    assert ranks(2568) == {"A": 1, "B": 1}


def test_the_migration_stores_the_ranks_of_the_assessments_there_are(db):
    for code, score in [("A", "90.00"), ("B", "90.00"), ("C", "70.00")]:
        factories.summarised_assessment(factories.agency(code), 2565, tools(score))
    factories.summarised_assessment(factories.agency("U", agency_type="university"), 2565, tools("50.00"))
    Assessment.objects.update(rank_in_type=None)

    migration.store_ranks(django_apps, None)

    assert ranks() == {"A": 1, "B": 1, "C": 3, "U": 1}
