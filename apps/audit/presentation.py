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
    targets = _target_keys(entries)
    for model, pk in targets.values():
        pending[model].add(pk)
    # One query per model, for the changed foreign keys and the entries' targets together.
    loaded = {model: _in_bulk(model, ids) for model, ids in pending.items()}

    def show(value: Any) -> str:
        if isinstance(value, tuple):
            obj = loaded.get(value[0], {}).get(str(value[1]))
            return str(obj) if obj is not None else f"#{value[1]}"
        return value

    for entry, rows in raw:
        entry.change_rows = [  # type: ignore[attr-defined]
            ChangeRow(field=name, label=label, old=show(old), new=show(new))
            for name, label, old, new in rows
        ]
        target = targets.get(entry.pk)
        obj = loaded[target[0]].get(target[1]) if target else None
        # The object's page if it still exists.
        entry.target_url = obj.get_absolute_url() if obj is not None else ""  # type: ignore[attr-defined]
    return entries


def _in_bulk(model: type[models.Model], ids: set[Any]) -> dict[str, models.Model]:
    return {str(pk): obj for pk, obj in model._default_manager.in_bulk(list(ids)).items()}


def _target_keys(entries: Iterable[AuditEntry]) -> dict[int, tuple[type[models.Model], str]]:
    """entry pk -> (model, object id) for entries whose object has a page."""
    keys = {}
    for entry in entries:
        model = entry.content_type.model_class() if entry.content_type_id else None
        if model is not None and entry.object_id and hasattr(model, "get_absolute_url"):
            keys[entry.pk] = (model, entry.object_id)
    return keys
