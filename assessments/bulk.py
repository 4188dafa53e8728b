"""Writing many rows at once where the ORM's bulk helpers are too slow for a national dataset."""

from django.db import connection, models

BATCH = 2000


# Values both database drivers take as the model holds them: preparing them field by field
# (get_db_prep_save) took most of the time of writing a national import's figures.
AS_THEY_ARE = (
    models.DecimalField,  # Decimals that have their places already
    models.CharField,
    models.TextField,
    models.IntegerField,
    models.BooleanField,
    models.ForeignKey,  # the id
)


def db_values(fields, obj):
    """The object's values of `fields` as the database driver takes them."""
    return [
        value if value is None or isinstance(field, AS_THEY_ARE) else field.get_db_prep_save(value, connection)
        for field in fields
        for value in (getattr(obj, field.attname),)
    ]


def update_rows(model, objects, names):
    """UPDATE each object's fields `names`, one statement run for all of them (executemany):
    `bulk_update` builds a CASE expression per object, which took ten minutes for a national plan
    and most of an import's time spent on the assessments' summaries."""
    fields = [model._meta.get_field(name) for name in names]
    table = connection.ops.quote_name(model._meta.db_table)
    columns = ", ".join(f"{connection.ops.quote_name(field.column)} = %s" for field in fields)
    sql = f"UPDATE {table} SET {columns} WHERE {connection.ops.quote_name(model._meta.pk.column)} = %s"
    with connection.cursor() as cursor:
        for start in range(0, len(objects), BATCH):
            cursor.executemany(
                sql,
                [[*db_values(fields, obj), obj.pk] for obj in objects[start : start + BATCH]],
            )


def insert_rows(model, objects, names):
    """INSERT the objects' fields `names` in one statement run for all of them (executemany), for
    rows nothing reads back at once: `bulk_create` spent longer building its SQL than the
    database took to write the rows (the dashboard's figures of a national import)."""
    fields = [model._meta.get_field(name) for name in names]
    table = connection.ops.quote_name(model._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(field.column) for field in fields)
    sql = f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * len(fields))})"
    with connection.cursor() as cursor:
        for start in range(0, len(objects), BATCH):
            cursor.executemany(
                sql,
                [db_values(fields, obj) for obj in objects[start : start + BATCH]],
            )


def insert_new(model, objects):
    """INSERT the objects with every field but the generated primary key, for rows whose ids
    nothing needs afterwards (history rows, review events of a generated country)."""
    names = [field.name for field in model._meta.concrete_fields if not isinstance(field, models.AutoField)]
    insert_rows(model, objects, names)


def insert_with_ids(model, objects):
    """INSERT the objects with every field but the generated primary key, as many rows a statement
    as the database takes, and give each object the id it was given (RETURNING, in the order of
    the rows, as bulk_create reads them): bulk_create prepared each field of each object in turn."""
    meta = model._meta
    fields = [field for field in meta.concrete_fields if not isinstance(field, models.AutoField)]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(field.column) for field in fields)
    row = f"({', '.join(['%s'] * len(fields))})"
    size = connection.ops.bulk_batch_size(fields, objects)
    with connection.cursor() as cursor:
        for start in range(0, len(objects), size):
            chunk = objects[start : start + size]
            cursor.execute(
                f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES {', '.join([row] * len(chunk))} "
                f"RETURNING {quote(meta.pk.column)}",
                [value for obj in chunk for value in db_values(fields, obj)],
            )
            for obj, (pk,) in zip(chunk, cursor.fetchall(), strict=True):
                obj.pk = pk
                obj._state.adding, obj._state.db = False, connection.alias
