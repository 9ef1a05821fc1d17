"""On PostgreSQL, the database itself refuses overlapping finished entries of one employee.

An exclusion constraint over (employee, tstzrange(start, end)) needs btree_gist. It is added only
on PostgreSQL (SQLite has no exclusion constraints); the services check overlaps on every
database anyway, under a row lock on the employee.
"""

from django.db import migrations

CONSTRAINT = "timetracking_timeentry_no_overlap"


def add_constraint(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
    schema_editor.execute(
        f"ALTER TABLE timetracking_timeentry ADD CONSTRAINT {CONSTRAINT} "
        "EXCLUDE USING gist (employee_id WITH =, tstzrange(start, \"end\", '[)') WITH &&) "
        "WHERE (\"end\" IS NOT NULL)"
    )


def drop_constraint(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"ALTER TABLE timetracking_timeentry DROP CONSTRAINT IF EXISTS {CONSTRAINT}"
    )


class Migration(migrations.Migration):
    dependencies = [("timetracking", "0001_initial")]

    operations = [migrations.RunPython(add_constraint, drop_constraint)]
