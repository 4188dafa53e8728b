"""The rank within type is stored on each assessment instead of counted for every row of a page."""

from django.db import migrations, models


def store_ranks(apps, schema_editor):
    # The same ranks the overview counted before: by overall score within the year, type and size class.
    Assessment = apps.get_model("assessments", "Assessment")
    groups = {}
    rows = Assessment.objects.filter(overall__isnull=False).values_list(
        "pk", "fiscal_year", "agency__agency_type_id", "agency__size_class", "overall"
    )
    for pk, year, kind, size, overall in rows:
        groups.setdefault((year, kind, size), []).append((overall, pk))
    changed = []
    for members in groups.values():
        members.sort(reverse=True)
        first_place = {}
        for place, (overall, pk) in enumerate(members, start=1):
            changed.append(Assessment(pk=pk, rank_in_type=first_place.setdefault(overall, place)))
    Assessment.objects.bulk_update(changed, ["rank_in_type"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0008_agency_types"),
    ]

    operations = [
        migrations.AddField(
            model_name="assessment",
            name="rank_in_type",
            field=models.PositiveIntegerField(editable=False, null=True, verbose_name="rank within type"),
        ),
        migrations.AddIndex(
            model_name="assessment",
            index=models.Index(fields=["fiscal_year", "rank_in_type"], name="assessment_year_rank"),
        ),
        migrations.RunPython(store_ranks, migrations.RunPython.noop),
    ]
