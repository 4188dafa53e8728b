"""What the results pages need for many agencies is stored, not recomputed per request: each
assessment's dashboard figures (its indicators and ten weakest items), whether it is its agency's
latest, and the year and score before it."""

from decimal import Decimal

import django.db.models.deletion
from django.db import migrations, models

from assessments.analysis import dashboard_figures
from assessments.models import framework_spec, result_of

YEARS_BEFORE_FIELDS = ["is_latest", "previous_year", "previous_score", "score_change"]


def store_pages_figures(apps, schema_editor):
    # The same figures and years refresh_summary and refresh_years_before keep, with this
    # migration's models: the scoring functions are plain functions of the rows.
    FrameworkVersion = apps.get_model("assessments", "FrameworkVersion")
    Assessment = apps.get_model("assessments", "Assessment")
    Figure = apps.get_model("assessments", "Figure")
    versions = FrameworkVersion.objects.prefetch_related(
        "tools__parts",
        "levels",
        "indicators__tool",
        "items__indicator__tool",
        "items__sub_questions",
        "sub_topics__indicator",
        "sub_topics__items",
    )
    specs = {version.pk: framework_spec(version) for version in versions}
    no_score_last = Decimal("1000")  # as NO_SCORE_LAST
    ids = list(Assessment.objects.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), 500):
        figures = []
        for assessment in Assessment.objects.filter(pk__in=ids[start : start + 500]).prefetch_related("scores"):
            spec = specs[assessment.version_id]
            score = no_score_last if assessment.overall is None else assessment.overall
            for kind, code, part, shown, place in dashboard_figures(spec, result_of(spec, assessment.scores.all())):
                figures.append(
                    Figure(
                        assessment=assessment,
                        kind=kind,
                        code=code,
                        part=part,
                        shown=shown,
                        assessment_score=score,
                        position=place,
                    )
                )
        Figure.objects.bulk_create(figures, batch_size=500)
    rows = list(
        Assessment.objects.order_by("agency", "fiscal_year").values_list("pk", "agency", "fiscal_year", "overall")
    )
    changed = []
    for index, (pk, agency, _year, overall) in enumerate(rows):
        before = rows[index - 1] if index and rows[index - 1][1] == agency else None
        previous_score = before[3] if before else None
        changed.append(
            Assessment(
                pk=pk,
                is_latest=index + 1 == len(rows) or rows[index + 1][1] != agency,
                previous_year=before[2] if before else None,
                previous_score=previous_score,
                score_change=overall - previous_score if overall is not None and previous_score is not None else None,
            )
        )
    Assessment.objects.bulk_update(changed, YEARS_BEFORE_FIELDS, batch_size=500)


class Migration(migrations.Migration):

    dependencies = [
        ('assessments', '0009_rank_in_type'),
    ]

    operations = [
        migrations.CreateModel(
            name='Figure',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('indicator', 'indicator'), ('item', 'item')], max_length=10, verbose_name='kind')),
                ('code', models.CharField(max_length=16, verbose_name='code')),
                ('part', models.PositiveSmallIntegerField(default=0, verbose_name='part')),
                ('shown', models.DecimalField(decimal_places=2, max_digits=5, verbose_name='score')),
                ('assessment_score', models.DecimalField(decimal_places=2, max_digits=6, verbose_name='ITA score of the assessment')),
                ('position', models.PositiveSmallIntegerField(help_text="The figure's place in its framework.", verbose_name='position')),
            ],
            options={
                'verbose_name': 'dashboard figure',
                'verbose_name_plural': 'dashboard figures',
            },
        ),
        migrations.AddField(
            model_name='assessment',
            name='is_latest',
            field=models.BooleanField(default=False, editable=False, verbose_name='latest of the agency'),
        ),
        migrations.AddField(
            model_name='assessment',
            name='previous_score',
            field=models.DecimalField(decimal_places=2, editable=False, max_digits=5, null=True, verbose_name='previous ITA score'),
        ),
        migrations.AddField(
            model_name='assessment',
            name='previous_year',
            field=models.PositiveSmallIntegerField(editable=False, null=True, verbose_name='previous assessed year'),
        ),
        migrations.AddField(
            model_name='assessment',
            name='score_change',
            field=models.DecimalField(decimal_places=2, editable=False, max_digits=6, null=True, verbose_name='change from the previous year'),
        ),
        migrations.AddIndex(
            model_name='assessment',
            index=models.Index(fields=['is_latest', 'overall'], name='assessment_latest_overall'),
        ),
        migrations.AddIndex(
            model_name='assessment',
            index=models.Index(fields=['is_latest', 'score_change'], name='assessment_latest_change'),
        ),
        migrations.AddField(
            model_name='figure',
            name='assessment',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='figures', to='assessments.assessment'),
        ),
        migrations.AddIndex(
            model_name='figure',
            index=models.Index(fields=['kind', 'shown', 'assessment_score'], name='figure_kind_shown'),
        ),
        migrations.AddConstraint(
            model_name='figure',
            constraint=models.UniqueConstraint(fields=('assessment', 'kind', 'code', 'part'), name='one_figure_per_assessment'),
        ),
        migrations.RunPython(store_pages_figures, migrations.RunPython.noop),
    ]
