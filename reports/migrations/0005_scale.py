# The table of the database cache (settings.CACHES without CACHE_URL), made here so that every
# way of setting a database up (migrate in the container, make run, the test database) has it.

from django.core.management.commands.createcachetable import Command as CreateCacheTable
from django.db import migrations

CACHE_TABLE = "ita_cache"  # settings.CACHE_TABLE


def create_cache_table(apps, schema_editor):
    # Made whatever CACHES says today, so that moving from Redis to the database later needs nothing.
    command = CreateCacheTable()
    command.verbosity = 0
    command.create_table(schema_editor.connection.alias, CACHE_TABLE, dry_run=False)


def drop_cache_table(apps, schema_editor):
    schema_editor.execute(f"DROP TABLE IF EXISTS {schema_editor.quote_name(CACHE_TABLE)}")


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0004_publishing"),
    ]

    operations = [
        migrations.RunPython(create_cache_table, drop_cache_table),
    ]
