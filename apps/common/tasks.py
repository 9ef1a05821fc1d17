"""Background work of the shared code: thin wrappers taking IDs."""

from __future__ import annotations

from django.tasks import task


@task
def render_export(export_id: int) -> None:
    """Render a requested export file once (after the requesting transaction committed)."""
    from apps.common.exports import export_render

    export_render(export_id=export_id)
