"""Minutes per employee, month and project (``EmployeeMonthProjectTotal``), filled from the
existing entries.

The team view ranks the biggest projects of a month per employee from here (about 130 rows per
employee) instead of from the month's entries. A month is the month of the local calendar day
(``settings.TIME_ZONE``) of the entry's start, as for the daily totals; ``project_key`` is the
project's id, 0 for entries without a project.

The fill is one ``INSERT … SELECT … GROUP BY`` on PostgreSQL; elsewhere it runs in Python. Then
the ranking index is built: on PostgreSQL in the ranking's exact order (``minutes DESC,
NULLIF(project_key, 0)``, so "no project" comes last among equal minutes) and covering the other
columns the ranking reads (index-only scan, no sort); elsewhere as the plain composite index of the
model.

Entries written by code that does not know this table yet (an older release still serving during
the deploy) are not counted: run ``manage.py rebuild_time_totals`` once afterwards if that may
have happened.
"""

import datetime as dt
import zoneinfo

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

TABLE = "timetracking_employeemonthprojecttotal"
INDEX = "tt_monthproj_rank_idx"


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX {INDEX} ON {TABLE} "
            "(month, employee_id, minutes DESC, NULLIF(project_key, 0)) "
            "INCLUDE (project_key, entry_count)"
        )
    else:
        model = apps.get_model("timetracking", "EmployeeMonthProjectTotal")
        schema_editor.add_index(
            model,
            models.Index(fields=["month", "employee", "-minutes", "project_key"], name=INDEX),
        )


def drop_index(apps, schema_editor):
    schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


def fill(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                f"""
                INSERT INTO {TABLE}
                    (employee_id, month, project_key, entry_count, minutes, billable_minutes)
                SELECT employee_id, date_trunc('month', start AT TIME ZONE %s)::date,
                       COALESCE(project_id, 0), COUNT(*), SUM(duration_minutes),
                       COALESCE(SUM(duration_minutes) FILTER (WHERE billable), 0)
                FROM timetracking_timeentry
                GROUP BY 1, 2, 3
                """,  # noqa: S608 - constant table names only
                [settings.TIME_ZONE],
            )
            cursor.execute(f"ANALYZE {TABLE}")
        return
    entry_model = apps.get_model("timetracking", "TimeEntry")
    total_model = apps.get_model("timetracking", "EmployeeMonthProjectTotal")
    tz = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    sums: dict[tuple[int, dt.date, int], list[int]] = {}
    rows = entry_model.objects.values_list(
        "employee_id", "project_id", "start", "duration_minutes", "billable"
    )
    for employee_id, project_id, start, minutes, billable in rows.iterator(chunk_size=10_000):
        month = start.astimezone(tz).date().replace(day=1)
        row = sums.setdefault((employee_id, month, project_id or 0), [0, 0, 0])
        row[0] += 1
        row[1] += minutes
        row[2] += minutes if billable else 0
    total_model.objects.bulk_create(
        [
            total_model(
                employee_id=employee_id,
                month=month,
                project_key=project_key,
                entry_count=n,
                minutes=m,
                billable_minutes=b,
            )
            for (employee_id, month, project_key), (n, m, b) in sums.items()
        ],
        batch_size=5_000,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("timetracking", "0007_employee_day_totals"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="EmployeeMonthProjectTotal",
            fields=[
                (
                    "pk",
                    models.CompositePrimaryKey(
                        "employee",
                        "month",
                        "project_key",
                        blank=True,
                        editable=False,
                        primary_key=True,
                        serialize=False,
                    ),
                ),
                (
                    "month",
                    models.DateField(help_text="first day of the month", verbose_name="month"),
                ),
                (
                    "project_key",
                    models.PositiveIntegerField(
                        help_text="0 = without project", verbose_name="project"
                    ),
                ),
                ("entry_count", models.PositiveIntegerField(default=0, verbose_name="entries")),
                ("minutes", models.PositiveIntegerField(default=0, verbose_name="minutes")),
                (
                    "billable_minutes",
                    models.PositiveIntegerField(default=0, verbose_name="billable minutes"),
                ),
                (
                    "employee",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="month_project_totals",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="employee",
                    ),
                ),
            ],
            options={
                "verbose_name": "monthly project total",
                "verbose_name_plural": "monthly project totals",
                "default_permissions": (),
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("billable_minutes__lte", models.F("minutes"))),
                        name="timetracking_employeemonthprojecttotal_billable_within_minutes",
                    )
                ],
            },
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddIndex(
                    model_name="employeemonthprojecttotal",
                    index=models.Index(
                        fields=["month", "employee", "-minutes", "project_key"], name=INDEX
                    ),
                ),
            ],
            database_operations=[migrations.RunPython(create_index, drop_index)],
        ),
    ]
