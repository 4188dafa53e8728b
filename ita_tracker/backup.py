"""Backup and restore of a whole instance: the database and MEDIA_ROOT together, in one format for
SQLite and PostgreSQL, so that a backup of either restores into either.

A backup is a folder:

    data/<app_label>.<model>.jsonl.gz   every row of a model, Django's "jsonl" serializer, gzipped
    media/<path>                        every file under MEDIA_ROOT (files kept in a bucket
                                        instead: every file the database names)
    manifest.json                       what the folder holds, with checksums; written last

Content types and permissions are left out: `migrate` creates them, under ids that may differ, so
rows that point at them do so by natural key. Sessions are left out: after a restore everyone signs
in again. Everything else is in: users and their password hashes, second factors, the histories,
the task queue.
"""

import datetime
import gzip
import hashlib
import json
import os
import shutil
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import django
from botocore.exceptions import BotoCoreError, ClientError
from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.base_session import AbstractBaseSession
from django.core import serializers
from django.core.files import File
from django.core.files.storage import FileSystemStorage, storages
from django.core.management.color import no_style
from django.core.serializers import jsonl
from django.core.serializers.base import DeserializationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import DatabaseError, connection, models, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

FORMAT = 1
MANIFEST = "manifest.json"
CHUNK_ROWS = 2000
COPY_BYTES = 1024 * 1024
# Where a restore puts the media files it copies before the database is loaded; they are moved
# into place once the load has committed, and removed if it failed.
STAGING = ".restore-partial"
# Rows that `migrate` creates itself, under ids that may differ from the backed-up instance's.
RECREATED_BY_MIGRATE = (ContentType, Permission)
# Reference rows that `migrate` seeds (the NACC's agency types, migration assessments 0008) and an
# administrator may then edit. A backup holds them as they were; a restore into a just-migrated
# database does not count them as data, and puts the backed-up ones in their place.
SEEDED_BY_MIGRATE = ("assessments.agencytype", "assessments.historicalagencytype")


class BackupError(Exception):
    """A backup or restore that cannot go on; its message is shown in Thai and English."""

    def __init__(self, message, **values):
        super().__init__(message)
        self.message, self.values = message, values

    def __str__(self):
        return in_thai_and_english(self.message, **self.values)


def in_thai_and_english(message, **values):
    """One line for command output, which has no language switch: "ไทย | English"."""
    lines = []
    for language in ("th", "en"):
        with translation.override(language):
            lines.append(str(message) % values if values else str(message))
    return lines[0] if lines[0] == lines[1] else " | ".join(lines)


def backed_up_models():
    """Every model whose rows a backup holds, auto-created many-to-many tables included: those are
    loaded as rows of their own, so that loading sends no m2m_changed signal (simple_history would
    record each as a change)."""
    found = []
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if not meta.managed or meta.proxy or meta.swapped:
            continue
        if issubclass(model, RECREATED_BY_MIGRATE) or issubclass(model, AbstractBaseSession):
            continue
        found.append(model)
    return sorted(found, key=lambda model: model._meta.label_lower)


def session_models():
    return [model for model in apps.get_models() if issubclass(model, AbstractBaseSession)]


class ExactEncoder(DjangoJSONEncoder):
    """Times to the microsecond: Django's encoder cuts them to milliseconds, and a restored row
    would then differ from the one backed up."""

    def default(self, o):
        if isinstance(o, (datetime.datetime, datetime.time)):
            return o.isoformat()
        return super().default(o)


class RowSerializer(jsonl.Serializer):
    """jsonl with natural keys only towards content types and permissions. Every other row keeps
    its id, so a plain id is the faster and simpler reference (a natural key costs a query a row
    to write and another to read back)."""

    def handle_fk_field(self, obj, field):
        if issubclass(field.related_model, RECREATED_BY_MIGRATE):
            related = getattr(obj, field.name)
            self._current[field.name] = related.natural_key() if related is not None else None
        else:
            super().handle_fk_field(obj, field)


def row_fields(model):
    """The fields written for each row: the concrete ones. Many-to-many values are in the
    through tables' own files."""
    return [f.name for f in model._meta.concrete_fields if not f.primary_key]


def natural_key_joins(model):
    """The joins that give each row's natural keys without a query per row."""
    joins = []
    for f in model._meta.concrete_fields:
        if f.is_relation and issubclass(f.related_model, RECREATED_BY_MIGRATE):
            joins.append(f.name)
            if issubclass(f.related_model, Permission):
                joins.append(f"{f.name}__content_type")
    return joins


def data_file(model):
    return f"data/{model._meta.label_lower}.jsonl.gz"


def sha256_of(path):
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(COPY_BYTES):
            digest.update(chunk)
    return digest.hexdigest()


def copy_with_digest(source, target):
    """Copy a file a chunk at a time; return its size and sha256."""
    with open(source, "rb") as reading:
        return copy_stream_with_digest(reading, target)


def copy_stream_with_digest(reading, target):
    """Copy an open file (from disk or from the storage) into `target` a chunk at a time; return
    its size and sha256."""
    digest, size = hashlib.sha256(), 0
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(target, "wb") as writing:
        while chunk := reading.read(COPY_BYTES):
            digest.update(chunk)
            writing.write(chunk)
            size += len(chunk)
    return size, digest.hexdigest()


def file_storage():
    """Where the app keeps its files (evidence, bundles): None when it is MEDIA_ROOT on this
    machine, which the backup copies whole; the storage (an S3-compatible bucket) otherwise, from
    which it copies every file the database names."""
    storage = storages["default"]
    return None if isinstance(storage, FileSystemStorage) else storage


def latest_migrations():
    """The latest applied migration of each app, as the recorder has them."""
    latest: dict[str, str] = {}
    for app, name in MigrationRecorder(connection).applied_migrations():
        latest[app] = max(latest.get(app, name), name)
    return dict(sorted(latest.items()))


@contextmanager
def read_snapshot():
    """Everything read inside sees the database as it was at one moment, while others go on writing.

    PostgreSQL: a repeatable-read, read-only transaction. SQLite: the settings begin transactions
    IMMEDIATE, which would take the write lock and hold every writer off for the whole backup, so
    a DEFERRED one is begun by hand: in WAL mode its first read fixes a snapshot and writers go on.
    """
    if connection.vendor == "postgresql":
        connection.ensure_connection()
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            yield
    elif connection.vendor == "sqlite":
        if connection.in_atomic_block:
            raise BackupError(_("A backup cannot be taken inside another transaction."))
        with connection.cursor() as cursor:
            cursor.execute("BEGIN DEFERRED")
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute("COMMIT")
    else:
        raise BackupError(
            _("Backups are made of SQLite and PostgreSQL databases only, not %(vendor)s."), vendor=connection.vendor
        )


@dataclass
class Backup:
    manifest: dict
    # (model label, pk, file name) of each file the database names that was not in MEDIA_ROOT.
    missing: list = field(default_factory=list)

    @property
    def rows(self):
        return sum(entry["rows"] for entry in self.manifest["models"].values())


def make_backup(target):
    """Back the instance up into the folder `target`, which must not exist or be empty. The work is
    done in `target`.partial and renamed at the end, so a folder under the given name is complete."""
    target = Path(target)
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise BackupError(_("%(folder)s already exists and is not empty: back up into a new folder."), folder=target)
    partial = target.with_name(f"{target.name}.partial")
    if partial.exists():
        raise BackupError(
            _("%(partial)s exists: an earlier backup into %(folder)s stopped halfway. Remove it and try again."),
            partial=partial,
            folder=target,
        )
    if target.resolve().is_relative_to(Path(settings.MEDIA_ROOT).resolve()):
        raise BackupError(
            _("%(folder)s is inside the media folder, which the backup copies: back up into a folder outside it."),
            folder=target,
        )
    try:
        partial.mkdir(parents=True)
        try:
            backup = write_backup(partial)
            if target.exists():
                target.rmdir()
            partial.rename(target)
        except BaseException:
            shutil.rmtree(partial, ignore_errors=True)
            raise
    except OSError as exc:
        raise BackupError(_("The backup could not be written (%(error)s). Nothing was kept."), error=exc) from exc
    return backup


# A dated backup's folder: its Bangkok date and time, so that names sort as the backups were made.
DATED_NAME = "%Y-%m-%dT%H%M%S"


def dated_folder(parent, now=None):
    """The folder for a backup made now inside `parent`: parent/2026-12-02T020000."""
    moment = timezone.localtime(now or timezone.now())
    return Path(parent) / moment.strftime(DATED_NAME)


def dated_backups(parent):
    """The complete dated backups in `parent` (with a manifest), oldest first."""
    found = []
    for folder in Path(parent).iterdir() if Path(parent).is_dir() else []:
        try:
            datetime.datetime.strptime(folder.name, DATED_NAME)
        except ValueError:
            continue
        if (folder / MANIFEST).is_file():
            found.append(folder)
    return sorted(found)


def remove_older_backups(parent, keep):
    """Keeps the newest `keep` dated backups in `parent` and removes the others; returns those removed.
    Other folders (a backup made by hand, an unfinished .partial) are left alone."""
    backups = dated_backups(parent)
    removed = backups[: max(len(backups) - keep, 0)]
    for folder in removed:
        shutil.rmtree(folder)
    return removed


def write_backup(folder):
    (folder / "data").mkdir()
    manifest = {"format": FORMAT, "created_at": "", "django": django.get_version(), "database": connection.vendor}
    named_files: list[tuple[str, object, str]] = []
    with read_snapshot():
        # The first read fixes the snapshot (SQLite), so the moment is taken with it.
        manifest["migrations"] = latest_migrations()
        manifest["created_at"] = timezone.now().astimezone(datetime.UTC).isoformat()
        manifest["models"] = {}
        for model in backed_up_models():
            path = folder / data_file(model)
            rows = dump_rows(model, path, named_files)
            manifest["models"][model._meta.label_lower] = {
                "file": data_file(model),
                "rows": rows,
                "sha256": sha256_of(path),
            }
    # Files are copied after the rows: a file added meanwhile is copied too, harmlessly; one named
    # in the rows is there unless it was removed meanwhile, which the check below reports.
    if (storage := file_storage()) is None:
        manifest["media"] = copy_media(Path(settings.MEDIA_ROOT), folder / "media")
    else:
        manifest["media"] = copy_stored(storage, {str(name) for _label, _pk, name in named_files}, folder / "media")
    copied = {entry["path"] for entry in manifest["media"]}
    missing = [(label, pk, name) for label, pk, name in named_files if name not in copied]
    with open(folder / MANIFEST, "w", encoding="utf-8") as handle:
        json.dump(manifest, handle, ensure_ascii=False, indent=1)
    return Backup(manifest, missing)


def dump_rows(model, path, named_files):
    """Write every row of `model` to `path`, a chunk of rows at a time; note the files its rows
    name. Returns the number of rows."""
    file_fields = [f for f in model._meta.concrete_fields if isinstance(f, models.FileField)]
    label = model._meta.label_lower
    count = 0

    def rows():
        nonlocal count
        queryset = model._base_manager.order_by("pk")
        if joins := natural_key_joins(model):
            queryset = queryset.select_related(*joins)
        for row in queryset.iterator(chunk_size=CHUNK_ROWS):
            count += 1
            named_files.extend((label, row.pk, name) for f in file_fields if (name := getattr(row, f.attname)))
            yield row

    with gzip.open(path, "wt", encoding="utf-8") as stream:
        RowSerializer().serialize(rows(), stream=stream, fields=row_fields(model), cls=ExactEncoder)
    return count


def media_files(root):
    """Relative POSIX paths of every file under `root`, a restore's staging folder left out."""
    root = Path(root)
    if not root.is_dir():
        return []
    found = []
    for directory, folders, files in os.walk(root):
        if Path(directory) == root and STAGING in folders:
            folders.remove(STAGING)
        folders.sort()
        found += [(Path(directory) / name).relative_to(root).as_posix() for name in sorted(files)]
    return found


def copy_media(root, target):
    copied = []
    for name in media_files(root):
        try:
            size, digest = copy_with_digest(root / name, target / name)
        except FileNotFoundError:
            continue  # removed while the backup ran (a bundle replaced by a newer one)
        copied.append({"path": name, "size": size, "sha256": digest})
    return copied


def copy_stored(storage, names, target):
    """Copy the files `names` from the storage; like copy_media, for files kept in a bucket."""
    copied = []
    for name in sorted(names):
        if not safe_media_path(name):
            continue  # no file the app writes is named so; a restore would refuse it
        try:
            with storage.open(name, "rb") as reading:
                size, digest = copy_stream_with_digest(reading, target / name)
        except FileNotFoundError:
            continue  # removed meanwhile, or never there: reported as missing
        copied.append({"path": name, "size": size, "sha256": digest})
    return copied


# Restore ------------------------------------------------------------------------------------


def read_manifest(folder):
    """The manifest of the backup in `folder`, after checking that every file it lists is there
    and unchanged and that it holds the tables of this version. Nothing is written."""
    folder = Path(folder)
    path = folder / MANIFEST
    if not path.is_file():
        raise BackupError(
            _(
                "%(folder)s has no manifest.json: it is not a backup, or the backup did not finish. "
                "Nothing was restored."
            ),
            folder=folder,
        )
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
        entries = [*manifest["models"].values(), *manifest["media"]]
        if manifest["format"] != FORMAT:
            raise BackupError(
                _("This backup's format (%(format)s) is not one this version can restore. Nothing was restored."),
                format=manifest["format"],
            )
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise BackupError(
            _("The manifest.json of %(folder)s cannot be read (%(error)s). Nothing was restored."),
            folder=folder,
            error=exc,
        ) from exc
    for entry in manifest["media"]:
        if not safe_media_path(entry["path"]):
            raise BackupError(
                _("%(file)s in the manifest points outside the media folder. Nothing was restored."),
                file=entry["path"],
            )
    for entry in entries:
        name = entry["file"] if "file" in entry else f"media/{entry['path']}"
        file = folder / name
        if not file.is_file():
            raise BackupError(_("%(file)s is missing from the backup. Nothing was restored."), file=name)
        try:
            digest = sha256_of(file)
        except OSError as exc:
            raise BackupError(
                _("%(file)s cannot be read (%(error)s). Nothing was restored."), file=name, error=exc
            ) from exc
        if digest != entry["sha256"]:
            raise BackupError(
                _("%(file)s is damaged: its checksum differs from the manifest's. Nothing was restored."), file=name
            )
    ours = {model._meta.label_lower for model in backed_up_models()}
    theirs = set(manifest["models"])
    if ours != theirs:
        raise BackupError(
            _(
                "The backup's tables differ from this version's (%(tables)s): restore it with the version of "
                "ITA Tracker that made it. Nothing was restored."
            ),
            tables=", ".join(sorted(ours ^ theirs)),
        )
    return manifest


def safe_media_path(name):
    path = PurePosixPath(name)
    return bool(name) and not path.is_absolute() and ".." not in path.parts and path.parts[0] != STAGING


def check_migrations(manifest):
    """Refuse a database whose schema is not the one the backup was taken from."""
    if not MigrationRecorder(connection).has_table():
        raise BackupError(
            _("The database has no tables yet: run `python manage.py migrate` first. Nothing was restored.")
        )
    ours, theirs = latest_migrations(), manifest["migrations"]
    differing = [
        f"{app} ({theirs.get(app, '-')} / {ours.get(app, '-')})"
        for app in sorted(set(ours) | set(theirs))
        if ours.get(app) != theirs.get(app)
    ]
    if differing:
        raise BackupError(
            _(
                "The database's migrations differ from the backup's, app (backup / this database): %(apps)s. "
                "Restore into a database migrated by the version of ITA Tracker that made the backup. "
                "Nothing was restored."
            ),
            apps=", ".join(differing),
        )


def tables_with_rows():
    """Labels of the backed-up models that already hold rows here."""
    return [
        model._meta.label_lower
        for model in backed_up_models()
        if model._meta.label_lower not in SEEDED_BY_MIGRATE and model._base_manager.exists()
    ]


def restore_backup(folder, manifest, *, replace=False):
    """Load a checked backup (`read_manifest`) into this instance: the rows in one transaction, the
    media files copied beside their places first and moved there once the rows are in. With
    `replace`, the database's rows and sessions and MEDIA_ROOT's files are removed first;
    otherwise both must be empty."""
    folder, root = Path(folder), Path(settings.MEDIA_ROOT)
    check_migrations(manifest)
    if (storage := file_storage()) is not None:
        return restore_into_storage(folder, manifest, storage, replace=replace)
    if not replace:
        if occupied := tables_with_rows():
            raise BackupError(
                _(
                    "The database already holds data (%(tables)s). Restore needs an empty database (run "
                    "`python manage.py migrate` only), or --replace to empty it first. Nothing was restored."
                ),
                tables=", ".join(occupied[:5]) + (", …" if len(occupied) > 5 else ""),
            )
        if media_files(root):
            raise BackupError(
                _(
                    "The media folder %(folder)s already holds files. Restore needs it empty, or --replace "
                    "to empty it first. Nothing was restored."
                ),
                folder=root,
            )
    staging = root / STAGING
    shutil.rmtree(staging, ignore_errors=True)
    try:
        try:
            stage_media(folder, manifest, staging)
        except OSError as exc:
            raise BackupError(
                _("The media files could not be copied into %(folder)s (%(error)s). Nothing was restored."),
                folder=root,
                error=exc,
            ) from exc
        load_rows(folder, manifest, replace=replace)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    try:
        place_media(manifest, root, staging, replace=replace)
    except OSError as exc:
        raise BackupError(
            _(
                "The database is restored, but the media files could not be moved into %(folder)s (%(error)s). "
                "Make room and run restore again with --replace."
            ),
            folder=root,
            error=exc,
        ) from exc


def restore_into_storage(folder, manifest, storage, *, replace):
    """`restore_backup` when files are kept in a bucket: the rows in one transaction, then each
    file written to the storage under its own name (the backup's files were checked first).
    Without `replace` none of them may be there already; with it, they are overwritten. Files in
    the bucket that the backup does not hold are left: the bucket may be shared."""
    if not replace:
        if occupied := tables_with_rows():
            raise BackupError(
                _(
                    "The database already holds data (%(tables)s). Restore needs an empty database (run "
                    "`python manage.py migrate` only), or --replace to empty it first. Nothing was restored."
                ),
                tables=", ".join(occupied[:5]) + (", …" if len(occupied) > 5 else ""),
            )
        if present := [entry["path"] for entry in manifest["media"] if storage.exists(entry["path"])]:
            raise BackupError(
                _(
                    "The file storage already holds files of this backup (%(files)s). Restore needs them "
                    "absent, or --replace to overwrite them. Nothing was restored."
                ),
                files=", ".join(present[:3]) + (", …" if len(present) > 3 else ""),
            )
    load_rows(folder, manifest, replace=replace)
    try:
        for entry in manifest["media"]:
            name = entry["path"]
            if storage.exists(name):
                storage.delete(name)
            with open(folder / "media" / name, "rb") as reading:
                saved = storage.save(name, File(reading, name=name))
            if saved != name:
                raise OSError(f"{name} was stored as {saved}")
    except (OSError, BotoCoreError, ClientError) as exc:
        raise BackupError(
            _(
                "The database is restored, but the files could not be written to the file storage (%(error)s). "
                "Run restore again with --replace."
            ),
            error=exc,
        ) from exc


def stage_media(folder, manifest, staging):
    for entry in manifest["media"]:
        size, digest = copy_with_digest(folder / "media" / entry["path"], staging / entry["path"])
        if (size, digest) != (entry["size"], entry["sha256"]):
            raise BackupError(
                _("%(file)s is damaged: its checksum differs from the manifest's. Nothing was restored."),
                file=f"media/{entry['path']}",
            )


def place_media(manifest, root, staging, *, replace):
    kept = {entry["path"] for entry in manifest["media"]}
    for name in sorted(kept):
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        os.replace(staging / name, root / name)
    if replace:
        for name in media_files(root):
            if name not in kept:
                (root / name).unlink()
    shutil.rmtree(staging, ignore_errors=True)


def load_rows(folder, manifest, *, replace):
    """All rows in one transaction, as loaddata does: constraints checked once all are in, then
    the id sequences moved past the loaded ids (PostgreSQL) and the counts compared."""
    loaded = backed_up_models()
    label = ""
    ContentType.objects.clear_cache()
    try:
        with transaction.atomic():
            if replace:
                empty_tables([*loaded, *session_models()])
            else:
                # No agency refers to them yet (the database has no data); a raw delete sends no
                # signal, so the audit history records no deletion.
                for model in loaded:
                    if model._meta.label_lower in SEEDED_BY_MIGRATE:
                        model._base_manager.all()._raw_delete(connection.alias)
            with connection.constraint_checks_disabled():
                for model in loaded:
                    label = model._meta.label_lower
                    load_file(folder / manifest["models"][label]["file"])
            label = ""
            connection.check_constraints(table_names=[model._meta.db_table for model in loaded])
            with connection.cursor() as cursor:
                for statement in connection.ops.sequence_reset_sql(no_style(), loaded):
                    cursor.execute(statement)
            for model in loaded:
                expected = manifest["models"][model._meta.label_lower]["rows"]
                if (found := model._base_manager.count()) != expected:
                    raise BackupError(
                        _(
                            "%(table)s has %(found)s rows after loading, the manifest says %(expected)s. "
                            "Nothing was restored."
                        ),
                        table=model._meta.label_lower,
                        found=found,
                        expected=expected,
                    )
    except (DeserializationError, DatabaseError, ValueError) as exc:
        raise BackupError(
            _("The backup could not be loaded (%(table)s: %(error)s). Nothing was restored."),
            table=label or _("checking the references"),
            error=exc,
        ) from exc


def load_file(path):
    with gzip.open(path, "rt", encoding="utf-8") as stream:
        for row in serializers.deserialize("jsonl", stream):
            # Raw saves: no model save() and signals told so (simple_history then records nothing).
            row.save(force_insert=True)


def empty_tables(models_to_empty):
    tables = [model._meta.db_table for model in models_to_empty]
    connection.ops.execute_sql_flush(connection.ops.sql_flush(no_style(), tables))
