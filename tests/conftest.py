import contextlib
import importlib
import io
import tempfile

import pytest
import time_machine
from django.apps import apps as django_apps
from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.core.management import call_command
from django.db import connection, transaction
from django.test import override_settings
from hypothesis import settings as hypothesis_settings

from accounts import second_factor
from tests import factories

# Creating a user with the production hasher takes about a second; tests create many.
FAST_PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


# Hypothesis keeps no example database: tests write only under pytest's temporary folders.
hypothesis_settings.register_profile("ita", database=None)
hypothesis_settings.load_profile("ita")


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix, tmp_path_factory):
    # SQLite's in-memory test database fails at once with "table is locked" when two threads
    # write, where a real database file waits; the concurrency tests need the real behaviour.
    database = settings.DATABASES["default"]
    if database["ENGINE"] == "django.db.backends.sqlite3":
        database.setdefault("TEST", {})["NAME"] = str(tmp_path_factory.mktemp("db") / "test.sqlite3")


def load_frameworks():
    call_command("load_frameworks", verbosity=0, stdout=io.StringIO())


def load_agency_types():
    """The NACC's agency types, as migration 0008 creates them: a flushed database has lost them."""
    migration = importlib.import_module("assessments.migrations.0008_agency_types")
    migration.add_nacc_types(django_apps, None)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    # The reference frameworks are data every test reads; load them once per test database.
    with django_db_blocker.unblock():
        load_frameworks()
        keep_postgres_estimates_from_sizes()


def keep_postgres_estimates_from_sizes():
    """Every test's rows are rolled back, so PostgreSQL's autovacuum finds the tables empty and
    records "0 rows in n pages"; the planner then takes a table a test has filled for one row
    and joins it by nested loops over every row (a query of a few thousand rows took seconds,
    and one plan ran past an hour on CI). Without autovacuum a table keeps "never counted", and
    the planner estimates it from its size. What the suite leaves behind is a few megabytes."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT format('ALTER TABLE %I SET (autovacuum_enabled = off)', tablename)"
            " FROM pg_tables WHERE schemaname = current_schema()"
        )
        for (statement,) in cursor.fetchall():
            cursor.execute(statement)


@pytest.fixture
def threads_db(transactional_db):
    """A committed database that threads share, for tests of simultaneous requests. It is
    emptied after each such test (pytest-django runs these after the others), so the
    frameworks and agency types are loaded again first."""
    load_frameworks()
    load_agency_types()


@pytest.fixture(autouse=True)
def media(settings, tmp_path, monkeypatch):
    """Every file a test makes goes under its tmp_path: evidence and bundles (MEDIA_ROOT is
    otherwise the repository's media/ folder), large uploads and the bundle worker's
    temporary files (otherwise the system's temporary folder)."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))


@pytest.fixture(autouse=True)
def fast_password_hasher(settings):
    settings.PASSWORD_HASHERS = FAST_PASSWORD_HASHERS


@pytest.fixture(scope="module")
def demo_for_module(request, django_db_setup, django_db_blocker):
    """The demo that `make run` loads, loaded once per test module rather than once per test
    (about 6 s a load). It is written in a transaction that stays open while the module's tests
    run and is rolled back after them; each test runs in a savepoint inside it (as every `db`
    test does), so what a test writes is undone and the next one finds the demo as loaded.
    The demo is loaded at the moment the module's clock marker pins, as it was in each test."""
    marker = request.node.get_closest_marker("time_machine")
    clock = time_machine.travel(*marker.args, **marker.kwargs) if marker else contextlib.nullcontext()
    module_transaction = transaction.atomic()
    with django_db_blocker.unblock():
        module_transaction.__enter__()
        try:
            with clock, override_settings(PASSWORD_HASHERS=FAST_PASSWORD_HASHERS):
                call_command("load_demo", stdout=io.StringIO())
        except BaseException:
            module_transaction.__exit__(None, None, None)
            raise
    yield
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        module_transaction.__exit__(None, None, None)


def _second_factor_given(sender, request, user, **kwargs):
    request.session[second_factor.STEP_KEY] = second_factor.DONE


@pytest.fixture(autouse=True)
def second_factor_given(request):
    """Sign-ins (force_login above all) count as having given the second factor, so that the tests
    of pages need not go through it; the tests of the second factor itself are marked
    `second_factor` and sign in as production does. Connected after the app's own receiver, so it
    runs after it and has the last word."""
    if request.node.get_closest_marker("second_factor"):
        yield
        return
    user_logged_in.connect(_second_factor_given, dispatch_uid="tests.second_factor_given")
    yield
    user_logged_in.disconnect(dispatch_uid="tests.second_factor_given")


@pytest.fixture
def demo(demo_for_module, db):
    """The demo data, as `make run` loads it (see demo_for_module)."""


@pytest.fixture
def agency(db):
    return factories.agency("AG1", "หน่วยงานทดสอบหนึ่ง")


@pytest.fixture
def other_agency(db):
    return factories.agency("AG2", "หน่วยงานทดสอบสอง")


@pytest.fixture
def officer(agency):
    return factories.member("officer", agency, "officer")


@pytest.fixture
def executive(agency):
    return factories.member("executive", agency, "executive")


@pytest.fixture
def outsider(other_agency):
    return factories.member("outsider", other_agency, "officer")


@pytest.fixture
def superuser(db):
    return factories.user("root", is_superuser=True, is_staff=True)


# The measures cast: two units of AG1, each with its own staff member.


@pytest.fixture
def unit(agency):
    return factories.unit(agency, "สำนักงานบริหารกลาง", "ส.บก.")


@pytest.fixture
def other_unit(agency):
    return factories.unit(agency, "กองการเจ้าหน้าที่", "กจ.")


@pytest.fixture
def unit_staff(agency, unit):
    account = factories.member("unitstaff", agency, "unit_staff")
    unit.members.add(account)
    return account


@pytest.fixture
def other_unit_staff(agency, other_unit):
    account = factories.member("otherunitstaff", agency, "unit_staff")
    other_unit.members.add(account)
    return account
