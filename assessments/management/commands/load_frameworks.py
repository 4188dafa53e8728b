from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from assessments.frameworks import FrameworkFileError, load_versions, read_versions
from assessments.text import in_thai_and_english

DEFAULT_FILE = Path(settings.BASE_DIR) / "fixtures" / "frameworks.yaml"


class Command(BaseCommand):
    help = "Load or update ITA framework versions from a YAML file (default: the reference frameworks). Safe to repeat."

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", default=str(DEFAULT_FILE))

    def handle(self, *args, file, **options):
        try:
            versions = load_versions(read_versions(Path(file).read_text(encoding="utf-8")))
        except FileNotFoundError as exc:
            raise CommandError(f"No such file: {file}") from exc
        except FrameworkFileError as exc:
            raise CommandError("\n".join(in_thai_and_english(p) for p in exc.problems)) from exc
        for version in versions:
            self.stdout.write(f"{version}: {version.items.count()} items")
        self.stdout.write(self.style.SUCCESS(f"Loaded {len(versions)} framework versions."))
