"""Writing the audit log. Services call these inside their own transaction."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.http import HttpRequest
from django.utils import timezone

from apps.audit.models import AuditAction, AuditEntry
from apps.common.request_context import current_request_info
from apps.common.sequences import next_value, next_values

GENESIS_HASH = "0" * 64
_UNSET: Any = object()
_bound_actor: ContextVar[Any] = ContextVar("audit_actor", default=_UNSET)


def _jsonable(value: Any) -> Any:
    """Decimals, dates, UUIDs... as the strings they will be after a JSON round trip."""
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def snapshot(obj: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    """Current values of ``fields`` (foreign keys by id), for a later ``diff``."""
    values = {}
    for name in fields:
        field = obj._meta.get_field(name)
        values[name] = getattr(obj, field.attname)  # type: ignore[union-attr]
    return _jsonable(values)


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        name: {"old": before.get(name), "new": after.get(name)}
        for name in after
        if before.get(name) != after.get(name)
    }


@dataclass(frozen=True)
class _Actor:
    user: Any
    ip: str | None


@contextmanager
def audit_actor(actor: Any) -> Iterator[None]:
    """Inside the block, entries written without an explicit actor are ``actor``'s.

    For entries written far from the service that knows who acts (the password hook in
    apps.audit.signals); it wins over the request's user."""
    token = _bound_actor.set(actor)
    try:
        yield
    finally:
        _bound_actor.reset(token)


def _current_actor(actor: Any) -> _Actor:
    info = current_request_info()
    if actor is _UNSET:
        actor = _bound_actor.get()
    if actor is _UNSET:
        user = getattr(info.request, "user", None) if info and info.request else None
        actor = user if user is not None and user.is_authenticated else None
    return _Actor(user=actor, ip=info.ip if info else None)


def _entry(
    *,
    seq: int,
    prev_hash: str,
    timestamp: Any,
    who: _Actor,
    action: str,
    target: models.Model | None,
    changes: dict[str, Any] | None,
    message: str,
    object_repr: str | None,
) -> AuditEntry:
    """The entry ``seq`` after ``prev_hash``, hashed (not saved)."""
    entry = AuditEntry(
        seq=seq,
        timestamp=timestamp,
        actor=who.user if who.user is not None and who.user.pk else None,
        actor_repr=str(who.user)[:300] if who.user is not None else "",
        action=action,
        content_type=ContentType.objects.get_for_model(target) if target is not None else None,
        object_id=str(target.pk) if target is not None and target.pk is not None else "",
        object_repr=(object_repr if object_repr is not None else str(target or ""))[:300],
        changes=_jsonable(changes or {}),
        message=message,
        ip=who.ip,
        prev_hash=prev_hash,
    )
    entry.hash = entry.compute_hash()
    return entry


def _previous_hash(seq: int) -> str:
    previous = (
        AuditEntry.objects.filter(seq=seq - 1).values_list("hash", flat=True).first()
        if seq > 1
        else None
    )
    return previous or GENESIS_HASH


def audit_record(
    *,
    action: str,
    target: models.Model | None = None,
    actor: Any = _UNSET,
    changes: dict[str, Any] | None = None,
    message: str = "",
    object_repr: str | None = None,
) -> AuditEntry:
    """Append one entry to the chain (the actor and IP default to the current request's)."""
    who = _current_actor(actor)
    with transaction.atomic():
        seq = next_value("audit_log")  # serialises writers: the chain has one order
        entry = _entry(
            seq=seq,
            prev_hash=_previous_hash(seq),
            timestamp=timezone.now(),
            who=who,
            action=action,
            target=target,
            changes=changes,
            message=message,
            object_repr=object_repr,
        )
        entry.save(force_insert=True)
    return entry


def audit_record_many(
    *,
    action: str,
    records: Sequence[tuple[models.Model, dict[str, Any]]],
    actor: Any = _UNSET,
    message: str = "",
) -> list[AuditEntry]:
    """Append one entry per ``(target, changes)``, in that order, as ``audit_record`` would.

    For many records at once (a customer's hundreds of activities): the sequence numbers are
    reserved with one locked update and the entries inserted in batches, instead of a few queries
    per entry. The chain is the same: consecutive numbers, each entry linked to the one before."""
    if not records:
        return []
    who = _current_actor(actor)
    with transaction.atomic():
        seqs = next_values("audit_log", len(records))  # serialises writers, as next_value does
        prev_hash = _previous_hash(seqs[0])
        now = timezone.now()
        entries = []
        for seq, (target, changes) in zip(seqs, records, strict=True):
            entry = _entry(
                seq=seq,
                prev_hash=prev_hash,
                timestamp=now,
                who=who,
                action=action,
                target=target,
                changes=changes,
                message=message,
                object_repr=None,
            )
            entries.append(entry)
            prev_hash = entry.hash
        AuditEntry.objects.bulk_create(entries, batch_size=500)
    return entries


def deletion_changes(target: models.Model, fields: Iterable[str]) -> dict[str, dict[str, Any]]:
    """What a DELETE entry keeps of ``target``: its non-empty values of ``fields`` as old values."""
    before = snapshot(target, fields)
    return {k: {"old": v, "new": None} for k, v in before.items() if v not in (None, "")}


def audit_deleted(
    *, records: Iterable[tuple[models.Model, Iterable[str]]], actor: Any = _UNSET
) -> list[AuditEntry]:
    """One DELETE entry per ``(record, fields)`` that keeps the record's values of ``fields``.

    Call it before deleting: for one record (``activity_delete``) as for a record and everything
    its deletion cascades to (``customer_delete``), so both write the same entries."""
    return audit_record_many(
        action=AuditAction.DELETE,
        records=[(record, deletion_changes(record, fields)) for record, fields in records],
        actor=actor,
    )


def audit_created(*, target: models.Model, fields: Iterable[str], actor: Any = _UNSET) -> None:
    after = snapshot(target, fields)
    audit_record(
        action=AuditAction.CREATE,
        target=target,
        actor=actor,
        changes={k: {"old": None, "new": v} for k, v in after.items() if v not in (None, "")},
    )


def audit_changed(
    *,
    target: models.Model,
    before: dict[str, Any],
    actor: Any = _UNSET,
    action: str = AuditAction.UPDATE,
    message: str = "",
) -> dict[str, dict[str, Any]]:
    """Record what changed since ``before`` (a ``snapshot``); nothing is written if nothing did."""
    changes = diff(before, snapshot(target, before.keys()))
    if changes:
        audit_record(action=action, target=target, actor=actor, changes=changes, message=message)
    return changes


def audit_permission_denied(
    *, request: HttpRequest, permission: str, target: models.Model | None = None
) -> None:
    audit_record(
        action=AuditAction.PERMISSION_DENIED,
        target=target,
        message=f"{request.method} {request.path[:200]} ({permission})",
    )


@dataclass(frozen=True)
class ChainBreak:
    seq: int
    reason: str


def audit_chain_verify() -> tuple[int, ChainBreak | None]:
    """Walk the chain in order; return the number of entries checked and the first break."""
    expected_prev = GENESIS_HASH
    expected_seq = 1
    checked = 0
    for entry in AuditEntry.objects.order_by("seq").iterator(chunk_size=2000):
        if entry.seq != expected_seq:
            return checked, ChainBreak(expected_seq, "entry missing (deleted)")
        if entry.prev_hash != expected_prev:
            return checked, ChainBreak(entry.seq, "link to the previous entry does not match")
        if entry.compute_hash() != entry.hash:
            return checked, ChainBreak(entry.seq, "content was altered")
        expected_prev = entry.hash
        expected_seq += 1
        checked += 1
    return checked, None
