from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext_lazy as _

from ita_tracker.backup import BackupError, dated_folder, in_thai_and_english, make_backup, remove_older_backups


class Command(BaseCommand):
    help = (
        "Back up the database and the media folder (evidence, bundles) into DIR, which must not exist "
        "or be empty: one consistent snapshot, with a manifest and checksums. Restore with `restore DIR`. "
        "With --dated, DIR holds the backups, each in a folder named by its Bangkok date and time, and "
        "--keep N removes all but the newest N of them after a backup succeeds."
    )

    def add_arguments(self, parser):
        parser.add_argument("dir", help="A new or empty folder for the backup (with --dated: the folder of backups)")
        parser.add_argument(
            "--dated", action="store_true", help="Back up into DIR/<date and time>, for scheduled backups"
        )
        parser.add_argument(
            "--keep", type=int, metavar="N", help="With --dated: keep the newest N dated backups in DIR, remove older"
        )

    def handle(self, *args, dir, dated, keep, **options):
        if keep is not None and (not dated or keep < 1):
            raise CommandError(in_thai_and_english(_("--keep needs --dated and a number of at least 1.")))
        parent = dir
        if dated:
            dir = dated_folder(parent)
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
        if keep is not None:
            for folder in remove_older_backups(parent, keep):
                self.stdout.write(in_thai_and_english(_("Removed the older backup %(dir)s."), dir=folder))
