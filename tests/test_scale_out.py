"""Several instances of the app behind one address: files through Django's storage API (MEDIA_ROOT,
or an S3-compatible bucket when one is named), sessions in the database and a cache every
instance shares (the database's table, or Redis), so that any instance answers any request."""

import datetime
import io
import subprocess
import sys
import zipfile

import pytest
import time_machine
from django.conf import settings
from django.core.cache import cache
from django.core.cache.backends.db import DatabaseCache
from django.core.exceptions import ImproperlyConfigured
from django.core.files.base import ContentFile
from django.core.files.storage import InMemoryStorage, storages
from django.core.management import call_command
from django.db import connection
from django.test import Client

from accounts.models import Session
from ita_tracker import backup
from measures.models import Evidence
from reports.models import Bundle, BundleStatus
from tests import factories
from tests.clock import BANGKOK
from tests.conftest import load_agency_types
from tests.entries_support import PDF, form_data, upload
from tests.test_bundles import run_worker
from tests.test_production_settings import PRODUCTION, ROOT, load_settings, production_environment

ZIP_BYTES = b"PK\x05\x06" + bytes(18)  # an empty ZIP
NOON = datetime.datetime(2026, 5, 15, 12, 0, tzinfo=BANGKOK)
IN_MEMORY = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}


# --- Settings ---------------------------------------------------------------------------------


def test_without_a_bucket_files_are_kept_in_media_root_and_the_cache_in_the_database(monkeypatch):
    names = load_settings(monkeypatch, **PRODUCTION)

    assert names["STORAGES"]["default"] == {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    assert names["CACHES"]["default"] == {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "ita_cache",
    }


def test_a_bucket_puts_the_files_in_s3_compatible_storage(monkeypatch):
    names = load_settings(
        monkeypatch,
        **PRODUCTION,
        AWS_STORAGE_BUCKET_NAME="ita-files",
        AWS_S3_ENDPOINT_URL="http://minio:9000",
        AWS_S3_REGION_NAME="ap-southeast-7",
        AWS_LOCATION="/tracker/",
    )

    assert names["STORAGES"]["default"] == {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": "ita-files",
            "endpoint_url": "http://minio:9000",
            "region_name": "ap-southeast-7",
            "location": "tracker",
            "file_overwrite": False,
            "default_acl": None,
            "querystring_auth": True,
        },
    }


SHOW_STORAGE = """
import django
django.setup()
from django.core.cache import caches
from django.core.files.storage import default_storage, storages
print(type(storages["default"]).__module__, type(storages["default"]).__name__)
print(default_storage.bucket_name, default_storage.endpoint_url, default_storage.location)
print(default_storage.url("evidence/AG1/2566/7/minutes.pdf").split("?")[0])
print(type(caches["default"]).__name__)
"""


def test_a_real_start_up_with_a_bucket_uses_django_storages_s3_backend(tmp_path):
    environment = production_environment(
        tmp_path,
        DJANGO_SETTINGS_MODULE="ita_tracker.settings",
        AWS_STORAGE_BUCKET_NAME="ita-files",
        AWS_S3_ENDPOINT_URL="http://127.0.0.1:9",
        AWS_ACCESS_KEY_ID="test-key",
        AWS_SECRET_ACCESS_KEY="test-secret",
        AWS_S3_REGION_NAME="us-east-1",
    )

    completed = subprocess.run(
        [sys.executable, "-c", SHOW_STORAGE], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=120
    )

    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.splitlines() == [
        "storages.backends.s3 S3Storage",
        "ita-files http://127.0.0.1:9 ",
        "http://127.0.0.1:9/ita-files/evidence/AG1/2566/7/minutes.pdf",
        "DatabaseCache",
    ]


@pytest.mark.parametrize(
    ("environment", "message"),
    [
        (
            {"AWS_S3_ENDPOINT_URL": "http://minio:9000"},
            "AWS_S3_ENDPOINT_URL is set but AWS_STORAGE_BUCKET_NAME is not: name the bucket",
        ),
        (
            {"AWS_STORAGE_BUCKET_NAME": "ita", "AWS_S3_ENDPOINT_URL": "minio:9000"},
            "AWS_S3_ENDPOINT_URL must start with http:// or https://, not 'minio:9000'",
        ),
        ({"CACHE_URL": "memcached://cache:11211"}, "CACHE_URL must be a redis:// or rediss:// URL, not memcached"),
        ({"CACHE_URL": "cache:6379"}, "CACHE_URL must be a redis:// or rediss:// URL, not one without a scheme"),
    ],
)
def test_a_bad_storage_or_cache_setting_stops_start_up_naming_it(monkeypatch, environment, message):
    with pytest.raises(ImproperlyConfigured) as refused:
        load_settings(monkeypatch, **PRODUCTION, **environment)

    assert message in str(refused.value)


def test_redis_is_the_cache_when_a_redis_url_is_given(monkeypatch):
    try:
        names = load_settings(monkeypatch, **PRODUCTION, CACHE_URL="redis://:s3cret@cache:6379/0")
    except ImproperlyConfigured as refused:  # redis-py is only installed where Redis is used
        assert "the redis package is not installed" in str(refused)
        assert "s3cret" not in str(refused)
        return
    assert names["CACHES"]["default"] == {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://:s3cret@cache:6379/0",
    }


# --- A storage that is not the file system serves every stored file -------------------------


@pytest.fixture
def in_memory(settings, tmp_path):
    """Files in Django's InMemoryStorage, as they would be in a bucket: none may reach MEDIA_ROOT."""
    settings.STORAGES = IN_MEMORY
    storage = storages["default"]
    assert isinstance(storage, InMemoryStorage)
    yield storage
    assert not (tmp_path / "media").exists()


@pytest.fixture
def entry(agency, unit):
    factories.assessment(agency, 2565, {"I20": "70.70"})
    measure = factories.measure(agency, 2566, "สื่อสารขั้นตอนการขออนุญาต", lead_unit=unit, items=["I20"], months=[10])
    return measure.entries.get(unit=unit, round__kind="q1")


def test_evidence_is_uploaded_downloaded_and_removed_through_the_storage(client, in_memory, unit_staff, entry):
    client.force_login(unit_staff)

    saved = client.post(f"/entries/{entry.pk}/", {**form_data(entry), "files": [upload("รายงานการประชุม.pdf", PDF)]})

    assert saved.status_code == 302
    item = Evidence.objects.get(entry=entry)
    assert item.file.name.startswith(f"evidence/AG1/2566/{entry.pk}/")
    assert in_memory.exists(item.file.name) and in_memory.size(item.file.name) == len(PDF)
    download = client.get(f"/entries/{entry.pk}/evidence/{item.pk}/")
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF

    removed = client.post(f"/entries/{entry.pk}/evidence/{item.pk}/delete/")

    assert removed.status_code == 302 and not Evidence.objects.filter(pk=item.pk).exists()
    assert in_memory.exists(item.file.name)  # kept for the audit trail, as on the file system


def test_evidence_missing_from_the_storage_is_a_404(client, in_memory, executive, entry):
    item = Evidence.objects.create(
        entry=entry, file=ContentFile(PDF, name="x.pdf"), name="x.pdf", content_type="application/pdf", size=len(PDF)
    )
    in_memory.delete(item.file.name)
    client.force_login(executive)

    assert client.get(f"/entries/{entry.pk}/evidence/{item.pk}/").status_code == 404


def test_a_bundle_is_built_downloaded_and_deleted_through_the_storage(
    client, in_memory, agency, officer, monkeypatch, django_capture_on_commit_callbacks
):
    factories.assessment(agency, 2565)
    client.force_login(officer)
    client.post("/bundles/", {"organisation": "AG1", "fiscal_year": 2565})

    run_worker(monkeypatch)

    bundle = Bundle.objects.get()
    assert bundle.status == BundleStatus.DONE and bundle.file.name.startswith("bundles/ita-AG1-2565")
    assert bundle.file_size == in_memory.size(bundle.file.name)
    download = client.get(f"/bundles/{bundle.pk}/download")
    archive = zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content)))
    assert sorted(archive.namelist()) == [
        "AG1-2565/AG1/ita-analysis-AG1-2565.docx",
        "AG1-2565/AG1/ita-analysis-AG1-2565.pdf",
        "AG1-2565/AG1/ita-analysis-AG1-2565.xlsx",
        "AG1-2565/index.txt",
    ]

    with django_capture_on_commit_callbacks(execute=True):
        bundle.delete()

    assert not in_memory.exists(bundle.file.name)


def test_a_bundle_whose_file_left_the_storage_shows_as_missing(client, in_memory, agency, officer):
    bundle = Bundle.objects.create(
        organisation=agency, fiscal_year=2565, requested_by=officer, status=BundleStatus.DONE, file="bundles/gone.zip"
    )
    client.force_login(officer)

    assert "ไฟล์ของชุดเอกสารนี้ไม่มีอยู่ในเซิร์ฟเวอร์แล้ว" in client.get("/bundles/").text
    assert client.get(f"/bundles/{bundle.pk}/download").status_code == 404


# --- Sessions and the cache are the same for every instance ---------------------------------


def test_a_session_begun_on_one_instance_is_signed_in_on_another_and_signed_out_on_both(officer):
    first, second = Client(), Client()
    with time_machine.travel(NOON, tick=False):
        first.force_login(officer)
        second.cookies[settings.SESSION_COOKIE_NAME] = first.cookies[settings.SESSION_COOKIE_NAME].value

        assert second.get("/").status_code == 200
        assert Session.objects.get().user == officer  # kept in the database, which both read

        first.post("/accounts/logout/")

        assert second.get("/").url == "/accounts/login/?next=/"


def test_a_cache_value_written_by_one_instance_is_read_by_another(db):
    other_instance = DatabaseCache(settings.CACHE_TABLE, {})

    cache.set("bundle-page-note", "ชุดเอกสาร", 60)

    assert other_instance.get("bundle-page-note") == "ชุดเอกสาร"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {settings.CACHE_TABLE} WHERE cache_key LIKE '%bundle-page-note'")
        assert cursor.fetchone()[0] == 1
    other_instance.delete("bundle-page-note")
    assert cache.get("bundle-page-note") is None


# --- Backups of an instance whose files are in a bucket ------------------------------------------


def test_a_backup_copies_the_stored_files_and_a_restore_writes_them_back(settings, tmp_path, threads_db):
    settings.STORAGES = IN_MEMORY
    storage = storages["default"]
    bundle = Bundle.objects.create(
        organisation=factories.agency("AG1", "หน่วยงานทดสอบหนึ่ง"),
        fiscal_year=2565,
        requested_by=factories.user("officer"),
        status=BundleStatus.DONE,
    )
    bundle.file.save(bundle.filename, ContentFile(ZIP_BYTES))
    name, folder = bundle.file.name, tmp_path / "backup"

    made = backup.make_backup(folder)

    assert made.manifest["media"] == [
        {"path": name, "size": len(ZIP_BYTES), "sha256": made.manifest["media"][0]["sha256"]}
    ]
    assert made.missing == [] and (folder / "media" / name).read_bytes() == ZIP_BYTES
    assert not (tmp_path / "media").exists()

    call_command("flush", interactive=False, verbosity=0)
    load_agency_types()
    with pytest.raises(backup.BackupError) as refused:
        backup.restore_backup(folder, backup.read_manifest(folder))
    assert f"ที่เก็บไฟล์มีไฟล์ของข้อมูลสำรองนี้อยู่แล้ว ({name})" in str(refused.value)
    assert not Bundle.objects.exists()

    storage.delete(name)
    backup.restore_backup(folder, backup.read_manifest(folder))

    assert Bundle.objects.get().file.name == name
    with storage.open(name) as restored:
        assert restored.read() == ZIP_BYTES
