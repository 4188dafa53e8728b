from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('reports', '0002_bundle_heartbeat'),
    ]

    operations = [
        migrations.AddConstraint(
            model_name='bundle',
            constraint=models.UniqueConstraint(condition=models.Q(('status__in', ('queued', 'running'))), fields=('requested_by', 'organisation', 'fiscal_year'), name='one_bundle_building_per_request'),
        ),
    ]
