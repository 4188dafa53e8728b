from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils.translation import gettext_lazy as _

from ita_tracker.backup import (
    BackupError,
    check_migrations,
    in_thai_and_english,
    media_files,
    read_manifest,
    restore_backup,
    tables_with_rows,
)


class Command(BaseCommand):
    help = (
        "Restore a backup made by `backup DIR` into an empty database (run `migrate` only) and an empty "
        "media folder; --replace empties both first. Every file is checked before anything changes."
    )

    def add_arguments(self, parser):
        parser.add_argument("dir", help="The backup's folder")
        parser.add_argument(
            "--replace",
            action="store_true",
            help="Remove the data and media files already here (after a typed confirmation) and restore.",
        )
        parser.add_argument(
            "--noinput", "--no-input", action="store_false", dest="interactive", help="Do not ask to confirm --replace."
        )

    def handle(self, *args, dir, replace, interactive, **options):
        try:
            manifest = read_manifest(dir)
            check_migrations(manifest)
            if replace and interactive and (tables_with_rows() or media_files(settings.MEDIA_ROOT)):
                self.confirm(manifest)
            restore_backup(dir, manifest, replace=replace)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        rows = sum(entry["rows"] for entry in manifest["models"].values())
        self.stdout.write(
            self.style.SUCCESS(
                in_thai_and_english(
                    _(
                        "Restored %(rows)s rows of %(tables)s tables and %(files)s media files from the backup of "
                        "%(created)s. Sessions are not in backups: everyone signs in again."
                    ),
                    rows=f"{rows:,}",
                    tables=len(manifest["models"]),
                    files=f"{len(manifest['media']):,}",
                    created=manifest["created_at"],
                )
            )
        )

    def confirm(self, manifest):
        question = in_thai_and_english(
            _(
                "This removes everything in the database %(database)s and the media folder %(media)s and puts the "
                "backup of %(created)s in their place. Type 'yes' to go on."
            ),
            database=connection.settings_dict["NAME"],
            media=settings.MEDIA_ROOT,
            created=manifest["created_at"],
        )
        if input(f"{question} ") != "yes":
            raise BackupError(_("Restore cancelled: nothing was changed."))
