from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext_lazy as _

from ita_tracker.backup import BackupError, in_thai_and_english, make_backup


class Command(BaseCommand):
    help = (
        "Back up the database and the media folder (evidence, bundles) into DIR, which must not exist "
        "or be empty: one consistent snapshot, with a manifest and checksums. Restore with `restore DIR`."
    )

    def add_arguments(self, parser):
        parser.add_argument("dir", help="A new or empty folder for the backup")

    def handle(self, *args, dir, **options):
        try:
            backup = make_backup(dir)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        if backup.missing:
            self.stderr.write(
                self.style.WARNING(
                    in_thai_and_english(
                        _(
                            "Files named in the database but not in the media folder, so not in the backup "
                            "either (removed by hand, or while the backup ran): %(count)s"
                        ),
                        count=len(backup.missing),
                    )
                )
            )
            for label, pk, name in backup.missing:
                self.stderr.write(f"  {label} {pk}: {name}")
        manifest = backup.manifest
        self.stdout.write(
            self.style.SUCCESS(
                in_thai_and_english(
                    _(
                        "Backed up %(rows)s rows of %(tables)s tables and %(files)s media files (%(size)s MB) "
                        "into %(dir)s."
                    ),
                    rows=f"{backup.rows:,}",
                    tables=len(manifest["models"]),
                    files=f"{len(manifest['media']):,}",
                    size=f"{sum(entry['size'] for entry in manifest['media']) / 1e6:,.1f}",
                    dir=dir,
                )
            )
        )
