from pathlib import Path

import yaml
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from assessments.models import Item
from measures.models import MeasureTemplate

DEFAULT_FILE = Path(settings.BASE_DIR) / "fixtures" / "measure_templates.yaml"
TEXT_FIELDS = ("name", "analysis", "steps", "kpi", "target", "source")


def read_templates(text):
    """[{indicator_number, item_code, name, …}] from the YAML list; CommandError naming every problem."""
    try:
        entries = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise CommandError(f"Not valid YAML: {exc}") from None
    if not isinstance(entries, list):
        raise CommandError("The file must be a list of templates.")
    # Where a framework has the item, the template's indicator must be the item's.
    indicators_of = {}
    for code, number in Item.objects.values_list("code", "indicator__number"):
        indicators_of.setdefault(code, set()).add(number)
    templates, problems = [], []
    for position, entry in enumerate(entries, 1):
        if not isinstance(entry, dict):
            problems.append(f"template {position}: not a mapping of fields")
            continue
        number, code = entry.get("indicator"), str(entry.get("item") or "").strip()
        fields = {name: str(entry.get(name) or "").strip() for name in TEXT_FIELDS}
        if not isinstance(number, int) or not 1 <= number <= 10:
            problems.append(f"template {position}: indicator must be a number from 1 to 10, not {number!r}")
        if not fields["name"]:
            problems.append(f"template {position}: name is missing")
        elif len(fields["name"]) > 500:
            problems.append(f"template {position}: name is longer than 500 characters")
        if len(code) > 10:
            problems.append(f"template {position}: item code {code!r} is longer than 10 characters")
        elif code in indicators_of and number not in indicators_of[code]:
            problems.append(
                f"template {position}: item {code} belongs to indicator {sorted(indicators_of[code])}, not {number}"
            )
        for name in ("target", "source"):
            if len(fields[name]) > 255:
                problems.append(f"template {position}: {name} is longer than 255 characters")
        templates.append({"indicator_number": number, "item_code": code, **fields})
    if problems:
        raise CommandError("\n".join(problems))
    return templates


class Command(BaseCommand):
    help = (
        "Load the library of measure templates from a YAML file (default: fixtures/measure_templates.yaml). "
        "Safe to repeat: a template with the same indicator, item and name is updated, not added again."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", default=str(DEFAULT_FILE))

    def handle(self, *args, file, **options):
        try:
            text = Path(file).read_text(encoding="utf-8")
        except FileNotFoundError:
            raise CommandError(f"No such file: {file}") from None
        templates = read_templates(text)
        created = 0
        with transaction.atomic():
            for fields in templates:
                key = {name: fields.pop(name) for name in ("indicator_number", "item_code", "name")}
                _template, new = MeasureTemplate.objects.update_or_create(**key, defaults=fields)
                created += new
        self.stdout.write(
            self.style.SUCCESS(
                f"Loaded {len(templates)} measure templates: {created} new, {len(templates) - created} updated."
            )
        )
