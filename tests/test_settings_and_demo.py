"""Start-up configuration and the demo data that `make run` loads."""

import os
import subprocess
import sys

from django.core.management import call_command

from assessments.models import Agency, Assessment, Membership


def run_settings(env):
    code = "import django, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'ita_tracker.settings'; django.setup()"
    clean_env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DJANGO_DEBUG")}
    return subprocess.run([sys.executable, "-c", code], env={**clean_env, **env}, capture_output=True, text=True)


def test_production_refuses_to_start_without_secret_key():
    completed = run_settings({})

    assert completed.returncode != 0
    assert "Set SECRET_KEY" in completed.stderr


def test_debug_runs_without_secret_key():
    assert run_settings({"DJANGO_DEBUG": "1"}).returncode == 0


def test_malformed_debug_flag_fails_loudly():
    completed = run_settings({"DJANGO_DEBUG": "maybe", "SECRET_KEY": "x"})

    assert completed.returncode != 0
    assert "DJANGO_DEBUG must be" in completed.stderr


def test_thai_is_the_default_language_and_bangkok_the_time_zone(settings):
    assert settings.LANGUAGE_CODE == "th"
    assert [code for code, _name in settings.LANGUAGES] == ["th", "en"]
    assert settings.TIME_ZONE == "Asia/Bangkok"


def test_demo_loads_the_published_results_of_the_example_documents(demo):
    results = {
        (a.agency.code, a.fiscal_year): a.result() for a in Assessment.objects.select_related("agency", "version")
    }

    assert f"{results[('TCEB', 2564)].shown('ITA'):.2f}" == "95.01"
    assert f"{results[('TCEB', 2565)].shown('ITA'):.2f}" == "97.04"
    assert results[("TCEB", 2565)].level.code == "AA"
    assert f"{results[('ANGTHONG-MUN', 2568)].shown('ITA'):.2f}" == "95.08"
    assert results[("ANGTHONG-MUN", 2568)].level.name == "ผ่านดี"
    assert [f.code for f in results[("ANGTHONG-MUN", 2568)].mismatches] == ["IND4"]
    assert f"{results[('FIO', 2563)].shown('IND9'):.2f}" == "95.28"
    suggestions = Assessment.objects.get(agency__code="TCEB", fiscal_year=2565).suggestions
    assert "1) ควรพัฒนาและปรับปรุงการดำเนินการการใช้ทรัพย์สินของราชการ" in suggestions


def test_demo_is_idempotent_and_has_one_user_per_role(demo):
    call_command("load_demo", stdout=open(os.devnull, "w"))

    assert Agency.objects.count() == 6
    roles = set(Membership.objects.values_list("user__username", "role"))
    assert {("officer", "officer"), ("unit", "unit_staff"), ("executive", "executive")} <= roles
    assert Agency.objects.get(code="ANGTHONG-MUN").parent.code == "ANGTHONG-PROV"


def test_demo_officer_logs_in_and_sees_the_demo_agencies(client, demo):
    assert client.post("/accounts/login/", {"username": "officer", "password": "ita-demo-2568"}).status_code == 302

    response = client.get("/")

    assert "เทศบาลเมืองอ่างทอง" in response.text
    assert "95.08" in response.text
    assert "97.04" in response.text
