"""On PostgreSQL, two more covering indexes for the manager pages on a million entries:

- per employee and period with what the team view ranks (project, minutes, billable), so the top
  projects of one page of employees are read by index-only range scans instead of filtering a
  month of every employee's entries;
- the approval queue's partial index with the employee, so counting the queue (other employees'
  pending entries) needs no visit to the table.

SQLite has no INCLUDE; the composite indexes of 0001 serve there."""

from django.db import migrations

INDEXES = {
    "tt_entry_emp_cover_idx": (
        "(employee_id, start) INCLUDE (project_id, duration_minutes, billable)"
    ),
    "tt_entry_pending_cover_idx": (
        "(start, id) INCLUDE (employee_id) WHERE \"end\" IS NOT NULL AND status = 'pending'"
    ),
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
    dependencies = [("timetracking", "0005_billed_by_line_foreign_key")]

    operations = [migrations.RunPython(create, drop)]
