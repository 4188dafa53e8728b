import io
import tempfile

import pytest
from hypothesis import settings as hypothesis_settings
from django.conf import settings
from django.core.management import call_command

from tests import factories


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


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    # The reference frameworks are data every test reads; load them once per test database.
    with django_db_blocker.unblock():
        load_frameworks()


@pytest.fixture
def threads_db(transactional_db):
    """A committed database that threads share, for tests of simultaneous requests. It is
    emptied after each such test (pytest-django runs these after the others), so the
    frameworks are loaded again first."""
    load_frameworks()


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
    # Creating a user with the production hasher takes about a second; tests create many.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


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
