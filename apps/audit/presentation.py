"""Audit entries for people: field labels instead of names, readable values, links to objects.

Everything is resolved in bulk for a page of entries: one query per related model, never per row.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import formats, timezone
from django.utils.dateparse import parse_datetime
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from apps.audit.models import AuditEntry

EMPTY = "—"


@dataclass(frozen=True)
class ChangeRow:
    field: str
    label: str
    old: str
    new: str


def _field(model: type[models.Model] | None, name: str) -> models.Field[Any, Any] | None:
    if model is None:
        return None
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return None
    return field if isinstance(field, models.Field) else None


def _plain(field: models.Field[Any, Any] | None, value: Any) -> str | tuple[type, Any]:
    """A display string, or (related model, pk) to be resolved in bulk."""
    if value is None or value == "":
        return EMPTY
    if field is None:
        return str(value)
    if field.many_to_one or field.one_to_one:
        return (field.related_model, value)  # type: ignore[return-value]
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(field, models.BooleanField):
        return _("yes") if value else _("no")
    if isinstance(field, models.DateTimeField) and isinstance(value, str):
        parsed = parse_datetime(value)
        if parsed is not None:
            return formats.date_format(timezone.localtime(parsed), "SHORT_DATETIME_FORMAT")
    if isinstance(field, models.DateField) and isinstance(value, str):
        try:
            return formats.date_format(datetime.date.fromisoformat(value), "SHORT_DATE_FORMAT")
        except ValueError:
            return value
    if isinstance(value, list):
        return ", ".join(str(item) for item in value) or EMPTY
    return str(value)


def describe(entries: Sequence[AuditEntry]) -> Sequence[AuditEntry]:
    """Set ``entry.change_rows`` (list of ChangeRow) and ``entry.target_url`` on each entry."""
    pending: dict[type, set[Any]] = defaultdict(set)
    raw: list[tuple[AuditEntry, list[tuple[str, str, Any, Any]]]] = []
    for entry in entries:
        model = entry.content_type.model_class() if entry.content_type_id else None
        rows = []
        for name, change in (entry.changes or {}).items():
            field = _field(model, name)
            label = capfirst(str(field.verbose_name)) if field is not None else name
            old = _plain(field, change.get("old") if isinstance(change, dict) else None)
            new = _plain(field, change.get("new") if isinstance(change, dict) else change)
            for value in (old, new):
                if isinstance(value, tuple):
                    pending[value[0]].add(value[1])
            rows.append((name, label, old, new))
        raw.append((entry, rows))
    _targets(entries)
    resolved = {
        model: {str(pk): str(obj) for pk, obj in model._default_manager.in_bulk(ids).items()}
        for model, ids in pending.items()
    }

    def show(value: Any) -> str:
        if isinstance(value, tuple):
            return resolved.get(value[0], {}).get(str(value[1]), f"#{value[1]}")
        return value

    for entry, rows in raw:
        entry.change_rows = [  # type: ignore[attr-defined]
            ChangeRow(field=name, label=label, old=show(old), new=show(new))
            for name, label, old, new in rows
        ]
    return entries


def _targets(entries: Iterable[AuditEntry]) -> None:
    """``entry.target_url``: the object's page if it still exists and has one (bulk-loaded)."""
    by_model: dict[type, set[str]] = defaultdict(set)
    for entry in entries:
        model = entry.content_type.model_class() if entry.content_type_id else None
        if model is not None and entry.object_id and hasattr(model, "get_absolute_url"):
            by_model[model].add(entry.object_id)
    urls: dict[tuple[type, str], str] = {}
    for model, ids in by_model.items():
        for pk, obj in model._default_manager.in_bulk(list(ids)).items():
            urls[(model, str(pk))] = obj.get_absolute_url()
    for entry in entries:
        model = entry.content_type.model_class() if entry.content_type_id else None
        entry.target_url = urls.get((model, entry.object_id), "")  # type: ignore[attr-defined,arg-type]
