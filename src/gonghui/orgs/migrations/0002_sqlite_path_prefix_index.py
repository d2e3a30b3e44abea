"""SQLite only: an index on the tree path that SQLite's LIKE optimisation can use.

SQLite's LIKE is case-insensitive, so `path LIKE 'prefix%'` (a subtree) can only use an index built
with the NOCASE collation. Paths are upper-case letters and digits, so NOCASE changes no answer.
PostgreSQL already has the varchar_pattern_ops index Django creates for the unique `path` column.
"""

from django.db import migrations

INDEX = "orgs_organisation_path_nocase"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {INDEX} ON orgs_organisation (path COLLATE NOCASE)")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("orgs", "0001_initial")]
    operations = [migrations.RunPython(create, drop, elidable=False)]
