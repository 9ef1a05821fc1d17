"""On PostgreSQL, covering indexes let the team view and the project totals aggregate a month of
a million-row table from the index alone (index-only scans). SQLite has no INCLUDE; the composite
indexes of 0001 serve there."""

from django.db import migrations

INDEXES = {
    "tt_entry_start_cover_idx": "(start) INCLUDE (employee_id, project_id, billable, duration_minutes)",
    "tt_entry_project_cover_idx": "(project_id, start) INCLUDE (duration_minutes, billable, hourly_rate)",
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, definition in INDEXES.items():
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON timetracking_timeentry {definition}"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("timetracking", "0003_default_role_grants")]

    operations = [migrations.RunPython(create, drop)]
