"""Background work: thin wrappers taking IDs and calling services."""

from __future__ import annotations

from django.tasks import task

RESULT_ROWS = 200  # as many rows as the result page lists


@task
def run_customer_import(import_id: int) -> None:
    """Create the customers of a confirmed CSV import (once)."""
    from apps.crm.importing import customer_import_run

    customer_import_run(job_id=import_id, keep_rows=RESULT_ROWS)
