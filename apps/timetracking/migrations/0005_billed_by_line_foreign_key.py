"""``billed_by_line_id`` becomes a real foreign key to ``invoices.InvoiceLine`` (PROTECT).

The column keeps its name and its values; only the constraint is added (SQLite rebuilds the
table). In the model state the field is renamed from ``billed_by_line_id`` (a plain integer) to
``billed_by_line`` (whose column is ``billed_by_line_id``)."""

import django.db.models.deletion
from django.db import migrations, models

FOREIGN_KEY = dict(
    to="invoices.invoiceline",
    verbose_name="invoice line",
    null=True,
    blank=True,
    on_delete=django.db.models.deletion.PROTECT,
    related_name="time_entries",
    db_index=False,
)


class Migration(migrations.Migration):
    dependencies = [
        ("invoices", "0001_initial"),
        ("timetracking", "0004_covering_indexes_on_postgresql"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.AlterField(
                    model_name="timeentry",
                    name="billed_by_line_id",
                    field=models.ForeignKey(db_column="billed_by_line_id", **FOREIGN_KEY),
                ),
            ],
            state_operations=[
                migrations.RemoveField(model_name="timeentry", name="billed_by_line_id"),
                migrations.AddField(
                    model_name="timeentry",
                    name="billed_by_line",
                    field=models.ForeignKey(**FOREIGN_KEY),
                ),
            ],
        ),
        migrations.AddIndex(
            model_name="timeentry",
            index=models.Index(
                condition=models.Q(("billed_by_line__isnull", False)),
                fields=["billed_by_line"],
                name="tt_entry_billed_line_idx",
            ),
        ),
    ]
