"""Daily totals per employee (``EmployeeDayTotal``), filled from the existing entries.

The team view sums a month of every employee from here (about 200 × 22 rows) instead of from
30,000–45,000 entries. A day is the local calendar day (``settings.TIME_ZONE``) of the entry's
start, as ``TimeEntry.objects.between()`` with local-midnight bounds counts it.

The fill is one ``INSERT … SELECT … GROUP BY`` on PostgreSQL; elsewhere it runs in Python. Then
the (day, employee) index of the model is built: on PostgreSQL as a covering index that includes
the sums (index-only scans), elsewhere plain (SQLite has no INCLUDE).

Entries written by code that does not know this table yet (an older release still serving during
the deploy) are not counted: run ``manage.py rebuild_time_totals`` once afterwards if that may
have happened.
"""

import datetime as dt
import zoneinfo

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

TABLE = "timetracking_employeedaytotal"
INDEX = "tt_daytotal_day_emp_idx"


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX {INDEX} ON {TABLE} (day, employee_id) "
            "INCLUDE (entry_count, minutes, billable_minutes)"
        )
    else:
        model = apps.get_model("timetracking", "EmployeeDayTotal")
        schema_editor.add_index(model, models.Index(fields=["day", "employee"], name=INDEX))


def drop_index(apps, schema_editor):
    schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


def fill(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                f"""
                INSERT INTO {TABLE} (employee_id, day, entry_count, minutes, billable_minutes)
                SELECT employee_id, (start AT TIME ZONE %s)::date, COUNT(*),
                       SUM(duration_minutes),
                       COALESCE(SUM(duration_minutes) FILTER (WHERE billable), 0)
                FROM timetracking_timeentry
                GROUP BY 1, 2
                """,  # noqa: S608 - constant table names only
                [settings.TIME_ZONE],
            )
            cursor.execute(f"ANALYZE {TABLE}")
        return
    entry_model = apps.get_model("timetracking", "TimeEntry")
    total_model = apps.get_model("timetracking", "EmployeeDayTotal")
    tz = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    sums: dict[tuple[int, dt.date], list[int]] = {}
    rows = entry_model.objects.values_list("employee_id", "start", "duration_minutes", "billable")
    for employee_id, start, minutes, billable in rows.iterator(chunk_size=10_000):
        row = sums.setdefault((employee_id, start.astimezone(tz).date()), [0, 0, 0])
        row[0] += 1
        row[1] += minutes
        row[2] += minutes if billable else 0
    total_model.objects.bulk_create(
        [
            total_model(
                employee_id=employee_id, day=day, entry_count=n, minutes=m, billable_minutes=b
            )
            for (employee_id, day), (n, m, b) in sums.items()
        ],
        batch_size=5_000,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("timetracking", "0006_employee_and_pending_covering_indexes"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="EmployeeDayTotal",
            fields=[
                (
                    "pk",
                    models.CompositePrimaryKey(
                        "employee",
                        "day",
                        blank=True,
                        editable=False,
                        primary_key=True,
                        serialize=False,
                    ),
                ),
                ("day", models.DateField(verbose_name="day")),
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
                        related_name="day_totals",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="employee",
                    ),
                ),
            ],
            options={
                "verbose_name": "daily total",
                "verbose_name_plural": "daily totals",
                "default_permissions": (),
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("billable_minutes__lte", models.F("minutes"))),
                        name="timetracking_employeedaytotal_billable_within_minutes",
                    )
                ],
            },
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddIndex(
                    model_name="employeedaytotal",
                    index=models.Index(fields=["day", "employee"], name=INDEX),
                ),
            ],
            database_operations=[migrations.RunPython(create_index, drop_index)],
        ),
    ]
