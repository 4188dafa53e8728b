"""`manage.py backup DIR` and `restore DIR`: the database and the media folder together, checked
before anything changes. The suite runs on SQLite and on PostgreSQL, so both engines are covered."""

import datetime
import gzip
import io
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import time_machine
from axes.models import AccessAttempt, AccessAttemptExpiration
from django.contrib.admin.models import ADDITION, LogEntry
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core import serializers
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import AccessEvent, Session
from assessments.models import Agency
from ita_tracker import backup
from measures.models import Evidence, ProgressEntry
from reports.actions import do_request_bundle
from reports.models import BundleStatus
from tests import factories
from tests.conftest import load_agency_types
from tests.entries_support import PDF

pytestmark = pytest.mark.usefixtures("threads_db")

BUNDLE_BYTES = b"PK\x05\x06" + bytes(18)  # an empty ZIP
# A fixed moment with microseconds, which a round trip must keep.
FINISHED_AT = datetime.datetime(2026, 12, 2, 9, 30, 15, 123456, tzinfo=datetime.UTC)
BY_HAND = "notes/วางไว้เอง.txt"


def run(command, *args, **options):
    out, err = io.StringIO(), io.StringIO()
    call_command(command, *(str(arg) for arg in args), stdout=out, stderr=err, **options)
    return out.getvalue(), err.getvalue()


def fill_instance(settings):
    """Results, a plan with its entries, evidence, a built bundle with its queued task, histories,
    second factors, permissions, admin log, the audit and axes' records, and a file nobody names."""
    ministry = factories.agency("MIN", "กระทรวงทดสอบ", agency_type="ministry")
    agency = factories.agency("AG1", "หน่วยงานทดสอบหนึ่ง", parent=ministry)
    officer = factories.member("officer", agency, "officer")
    overseer = factories.member("overseer", ministry, "officer", oversight=True)
    staff = factories.member("unitstaff", agency, "unit_staff")
    root = factories.user("root", is_superuser=True, is_staff=True)
    unit = factories.unit(agency, "สำนักงานบริหารกลาง", "ส.บก.", members=[staff])
    factories.summarised_assessment(agency, 2565, {"I20": "70.70", "IIT": "88.25"})
    measure = factories.measure(agency, 2566, "สื่อสารขั้นตอนการขออนุญาต", lead_unit=unit, items=("I20",))
    entry = ProgressEntry.objects.get(measure=measure, unit=unit, round__kind="q1")
    entry.result = "ชี้แจงครบทุกกอง"
    entry.save()
    evidence = Evidence.objects.create(
        entry=entry,
        file=ContentFile(PDF, name="รายงานการประชุม.pdf"),
        name="รายงานการประชุม.pdf",
        content_type="application/pdf",
        size=len(PDF),
        uploaded_by=staff,
    )
    bundle = do_request_bundle(user=overseer, organisation=ministry, fiscal_year=2566)
    bundle.file.save(bundle.filename, ContentFile(BUNDLE_BYTES), save=False)
    bundle.status, bundle.finished_at = BundleStatus.DONE, FINISHED_AT
    bundle.save()
    TOTPDevice.objects.create(user=officer, name="โทรศัพท์", confirmed=True)
    StaticDevice.objects.create(user=officer, name="สำรอง").token_set.create(token="k3y5t0k3")
    group = Group.objects.create(name="ผู้ตรวจ")
    group.permissions.set(Permission.objects.filter(codename__in=["view_agency", "view_bundle"]))
    officer.groups.add(group)
    officer.user_permissions.add(Permission.objects.get(codename="change_agency"))
    LogEntry.objects.create(
        user=root,
        content_type=ContentType.objects.get_for_model(Agency),
        object_id=str(agency.pk),
        object_repr=str(agency),
        action_flag=ADDITION,
        change_message="[]",
    )
    attempt = AccessAttempt.objects.create(
        username="officer",
        ip_address="192.0.2.1",
        user_agent="pytest",
        http_accept="*/*",
        path_info="/accounts/login/",
        get_data="",
        post_data="username=officer",
        failures_since_start=3,
    )
    AccessAttemptExpiration.objects.create(
        access_attempt=attempt, expires_at=FINISHED_AT + datetime.timedelta(minutes=15)
    )
    AccessEvent.objects.create(kind=AccessEvent.Kind.LOGIN, user=officer, username="officer", address="192.0.2.1")
    by_hand = Path(settings.MEDIA_ROOT) / BY_HAND
    by_hand.parent.mkdir(parents=True)
    by_hand.write_text("ไฟล์ที่ไม่มีแถวใดอ้างถึง", encoding="utf-8")
    Client().force_login(officer)  # a session, which the backup leaves out
    return {"officer": officer, "overseer": overseer, "evidence": evidence, "bundle": bundle}


def every_row():
    """Every backed-up row as plain values; references to content types and permissions by natural key."""
    return {
        model._meta.label_lower: serializers.serialize(
            "python", model._base_manager.order_by("pk"), use_natural_foreign_keys=True
        )
        for model in backup.backed_up_models()
    }


def every_file(settings):
    root = Path(settings.MEDIA_ROOT)
    return {name: (root / name).read_bytes() for name in backup.media_files(root)}


def empty_the_instance(settings):
    """What `migrate` alone leaves: no rows but content types and permissions (made again under
    new ids) and the NACC's agency types, no media folder."""
    call_command("flush", interactive=False, verbosity=0)
    load_agency_types()
    shutil.rmtree(settings.MEDIA_ROOT, ignore_errors=True)
    assert backup.tables_with_rows() == []


def small_instance(settings):
    factories.user("officer")
    path = Path(settings.MEDIA_ROOT) / BY_HAND
    path.parent.mkdir(parents=True)
    path.write_text("ไฟล์", encoding="utf-8")


def test_a_restored_instance_has_every_row_and_file_of_the_backed_up_one_and_works(settings, tmp_path):
    cast = fill_instance(settings)
    rows, files = every_row(), every_file(settings)
    assert Session.objects.exists()

    out, err = run("backup", tmp_path / "backup")
    empty_the_instance(settings)
    restored, _ = run("restore", tmp_path / "backup")

    assert err == ""
    assert "Backed up" in out and "Restored" in restored
    assert every_row() == rows
    assert every_file(settings) == files
    assert set(files) == {cast["evidence"].file.name, cast["bundle"].file.name, BY_HAND}
    # The instance held what the test means to cover (and the comparison above found it all again).
    assert all(
        rows[label] for label in ("measures.historicalmeasure", "measures.measure_items", "auth.group_permissions")
    )
    assert len(rows["measures.evidence"]) == len(rows["reports.bundle"]) == len(rows["otp_totp.totpdevice"]) == 1
    assert len(rows["django_tasks_database.dbtaskresult"]) == 1
    assert not Session.objects.exists()
    # The app reads the restored files through its pages.
    client = Client()
    client.force_login(cast["officer"])
    evidence = cast["evidence"]
    response = client.get(f"/entries/{evidence.entry_id}/evidence/{evidence.pk}/")
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    client.force_login(cast["overseer"])
    response = client.get(f"/bundles/{cast['bundle'].pk}/download")
    assert response.status_code == 200 and b"".join(response.streaming_content) == BUNDLE_BYTES
    # New rows are numbered after the restored ones.
    assert factories.agency("NEW").pk > max(row["pk"] for row in rows["assessments.agency"])


def test_the_manifest_lists_every_table_and_file_with_counts_and_checksums_and_leaves_sessions_out(settings, tmp_path):
    small_instance(settings)
    run("backup", tmp_path / "backup")

    manifest = json.loads((tmp_path / "backup" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["format"] == 1 and manifest["database"] == connection.vendor
    assert manifest["migrations"]["measures"].startswith("00")
    assert datetime.datetime.fromisoformat(manifest["created_at"]).utcoffset() == datetime.timedelta(0)
    assert manifest["models"]["auth.user"]["rows"] == 1
    assert manifest["models"]["auth.user"]["sha256"] == backup.sha256_of(tmp_path / "backup/data/auth.user.jsonl.gz")
    assert {"auth.permission", "contenttypes.contenttype", "sessions.session", "accounts.session"}.isdisjoint(
        manifest["models"]
    )
    assert {"measures.measure_items", "auth.user_groups", "measures.historicalmeasure"} <= set(manifest["models"])
    assert manifest["media"] == [
        {"path": BY_HAND, "size": len("ไฟล์".encode()), "sha256": backup.sha256_of(tmp_path / "backup/media" / BY_HAND)}
    ]
    assert not (tmp_path / "backup.partial").exists()


def test_a_writer_commits_while_the_backup_reads_and_the_backup_does_not_see_its_row(settings, tmp_path, monkeypatch):
    factories.user("before")
    outcome = {}

    def write_a_user():
        try:
            factories.user("during")
            outcome["written"] = True
        except Exception as exc:  # noqa: BLE001 - the test asserts on it
            outcome["written"] = exc
        finally:
            connection.close()

    dump_rows = backup.dump_rows

    def write_while_dumping(model, path, named_files):
        if "seconds" not in outcome:  # the snapshot is taken: the migrations were read first
            started, writer = time.monotonic(), threading.Thread(target=write_a_user)
            writer.start()
            writer.join(timeout=15)
            outcome["seconds"] = time.monotonic() - started
        return dump_rows(model, path, named_files)

    monkeypatch.setattr(backup, "dump_rows", write_while_dumping)
    run("backup", tmp_path / "backup")

    assert outcome.get("written") is True and outcome["seconds"] < 10
    assert set(get_user_model().objects.values_list("username", flat=True)) == {"before", "during"}
    empty_the_instance(settings)
    run("restore", tmp_path / "backup")
    assert list(get_user_model().objects.values_list("username", flat=True)) == ["before"]


def damage(folder, name):
    path = folder / name
    content = bytearray(path.read_bytes())
    content[len(content) // 2] ^= 0x01
    path.write_bytes(bytes(content))


def other_migrations(folder):
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    manifest["migrations"]["measures"] = "0001_initial"
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")


def test_a_damaged_incomplete_or_foreign_backup_is_refused_and_nothing_is_restored(settings, tmp_path):
    small_instance(settings)
    run("backup", tmp_path / "backup")
    latest = backup.latest_migrations()["measures"]
    empty_the_instance(settings)
    cases = {
        "one byte of a table changed": (
            lambda folder: damage(folder, "data/auth.user.jsonl.gz"),
            "data/auth.user.jsonl.gz is damaged: its checksum differs from the manifest's",
        ),
        "one byte of a media file changed": (
            lambda folder: damage(folder, f"media/{BY_HAND}"),
            f"media/{BY_HAND} is damaged",
        ),
        "a table's file missing": (
            lambda folder: (folder / "data/auth.user.jsonl.gz").unlink(),
            "data/auth.user.jsonl.gz is missing from the backup",
        ),
        "no manifest": (
            lambda folder: (folder / "manifest.json").unlink(),
            "has no manifest.json: it is not a backup, or the backup did not finish",
        ),
        "other migrations": (
            other_migrations,
            rf"app \(backup / this database\): measures \(0001_initial / {latest}\)",
        ),
    }
    for case, (spoil, message) in cases.items():
        folder = tmp_path / case.replace(" ", "-").replace("'", "")
        shutil.copytree(tmp_path / "backup", folder)
        spoil(folder)

        with pytest.raises(CommandError, match=message):
            run("restore", folder)

        assert backup.tables_with_rows() == [], case
        assert not Path(settings.MEDIA_ROOT).exists(), case


def test_restoring_over_data_is_refused_without_replace(settings, tmp_path):
    small_instance(settings)
    run("backup", tmp_path / "backup")

    with pytest.raises(CommandError, match=r"already holds data \(assessments\.frameworkversion, .*or --replace"):
        run("restore", tmp_path / "backup")

    call_command("flush", interactive=False, verbosity=0)
    with pytest.raises(CommandError, match="already holds files"):
        run("restore", tmp_path / "backup")
    assert backup.tables_with_rows() == []


def test_replace_removes_what_was_there_and_restores_the_backup(settings, tmp_path):
    small_instance(settings)
    rows, files = every_row(), every_file(settings)
    run("backup", tmp_path / "backup")
    later = factories.user("later")
    Client().force_login(later)
    (Path(settings.MEDIA_ROOT) / "later.txt").write_text("ภายหลัง", encoding="utf-8")

    run("restore", tmp_path / "backup", "--replace", "--noinput")

    assert every_row() == rows
    assert every_file(settings) == files
    assert not Session.objects.exists()


def test_replace_asks_first_and_a_no_changes_nothing(settings, tmp_path, monkeypatch):
    small_instance(settings)
    run("backup", tmp_path / "backup")
    factories.user("later")
    questions = []
    monkeypatch.setattr("builtins.input", lambda question: questions.append(question) or "no")

    with pytest.raises(CommandError, match="Restore cancelled: nothing was changed"):
        run("restore", tmp_path / "backup", "--replace")

    assert "Type 'yes' to go on" in questions[0]
    assert get_user_model().objects.filter(username="later").exists()


def test_a_file_the_database_names_but_the_media_folder_lacks_is_reported(settings, tmp_path):
    cast = fill_instance(settings)
    Path(cast["evidence"].file.path).unlink()

    out, err = run("backup", tmp_path / "backup")

    assert "not in the media folder, so not in the backup either (removed by hand, or while the backup ran): 1" in err
    assert f"measures.evidence {cast['evidence'].pk}: {cast['evidence'].file.name}" in err
    assert (tmp_path / "backup" / "manifest.json").exists()


def test_the_backup_goes_only_into_a_new_or_empty_folder(settings, tmp_path):
    small_instance(settings)
    (tmp_path / "used").mkdir()
    (tmp_path / "used" / "old.txt").write_text("x")
    (tmp_path / "empty").mkdir()

    with pytest.raises(CommandError, match="already exists and is not empty"):
        run("backup", tmp_path / "used")
    with pytest.raises(CommandError, match="is inside the media folder, which the backup copies"):
        run("backup", Path(settings.MEDIA_ROOT) / "backups")
    run("backup", tmp_path / "empty")

    assert (tmp_path / "empty" / "manifest.json").exists()
    assert sorted(path.name for path in tmp_path.iterdir() if path.name != "media") == ["empty", "used"]


SQLITE_INSTANCE = """
import django
from pathlib import Path
django.setup()
from django.conf import settings
from django.core.management import call_command
from tests import factories
from tests.conftest import FAST_PASSWORD_HASHERS
settings.PASSWORD_HASHERS = FAST_PASSWORD_HASHERS
call_command("migrate", verbosity=0)
call_command("load_frameworks", verbosity=0)
agency = factories.agency("AG1", "หน่วยงานทดสอบหนึ่ง")
factories.member("officer", agency, "officer")
factories.summarised_assessment(agency, 2565, {"I20": "70.70"})
(Path(settings.MEDIA_ROOT) / "evidence").mkdir(parents=True)
(Path(settings.MEDIA_ROOT) / "evidence" / "หลักฐาน.pdf").write_bytes(b"%PDF-1.4 evidence")
call_command("backup", "backup", verbosity=0)
"""


def test_a_backup_of_another_instance_on_sqlite_restores_here(settings, tmp_path):
    """A separate instance on an SQLite file: restored into this run's database, SQLite or (in
    the PostgreSQL run) PostgreSQL, which is how an agency moves to production."""
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "ita_tracker.settings",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'old.sqlite3'}",
        "MEDIA_ROOT": str(tmp_path / "old-media"),
        "PYTHONPATH": str(settings.BASE_DIR),
    }
    made = subprocess.run(
        [sys.executable, "-c", SQLITE_INSTANCE], env=environment, cwd=tmp_path, capture_output=True, text=True
    )
    assert made.returncode == 0, made.stderr
    empty_the_instance(settings)

    run("restore", tmp_path / "backup")
    run("backup", tmp_path / "again")

    for name, entry in json.loads((tmp_path / "backup/manifest.json").read_text(encoding="utf-8"))["models"].items():
        with (
            gzip.open(tmp_path / "backup" / entry["file"]) as before,
            gzip.open(tmp_path / "again" / entry["file"]) as after,
        ):
            assert before.read() == after.read(), name
    assert get_user_model().objects.get(username="officer").check_password(factories.PASSWORD)
    assert (Path(settings.MEDIA_ROOT) / "evidence" / "หลักฐาน.pdf").read_bytes() == b"%PDF-1.4 evidence"


def test_dated_backups_are_named_by_bangkok_time_and_keep_removes_the_oldest(settings, tmp_path):
    small_instance(settings)
    backups = tmp_path / "backups"
    (backups / "by-hand").mkdir(parents=True)  # not a dated backup: never removed
    (backups / "2026-01-01T020000.partial").mkdir()  # an unfinished one: left for the operator
    moments = ["2026-11-30T19:00:00Z", "2026-12-01T19:00:00Z", "2026-12-02T19:00:00Z"]

    outputs = []
    for moment in moments:
        with time_machine.travel(moment, tick=False):
            outputs.append(run("backup", backups, "--dated", "--keep", 2)[0])

    # 19:00 UTC is 02:00 the next day in Bangkok.
    assert sorted(path.name for path in backups.iterdir()) == [
        "2026-01-01T020000.partial",
        "2026-12-02T020000",
        "2026-12-03T020000",
        "by-hand",
    ]
    assert "2026-12-01T020000" in outputs[2] and "2026-12-01T020000" not in outputs[1]
    out, _ = run("restore", backups / "2026-12-03T020000", "--replace", "--noinput")
    assert get_user_model().objects.filter(username="officer").exists()


def test_keep_without_dated_or_below_one_is_refused_and_backs_nothing_up(settings, tmp_path):
    for args in (["--keep", "2"], ["--dated", "--keep", "0"]):
        with pytest.raises(CommandError, match="--keep"):
            run("backup", tmp_path / "backups", *args)

    assert not (tmp_path / "backups").exists()
