"""Reads of documents, already scoped to what the user may see."""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Prefetch, Q, QuerySet

from apps.documents.models import Document, DocumentLink, DocumentUserObjectPermission

CONFIDENTIAL_PERM = "documents.read_confidential_document"
VIEW_PERM = "documents.view_document"


def _shared_ids(user: Any) -> QuerySet[DocumentUserObjectPermission]:
    return DocumentUserObjectPermission.objects.filter(
        user=user, permission__codename="view_document"
    ).values("content_object_id")


def documents_for_user(user: Any) -> QuerySet[Document]:
    """Documents the user may see.

    * non-confidential documents: holders of ``documents.view_document`` (and the owner);
    * confidential documents: the owner, employees it was shared with (guardian object permission)
      and holders of ``documents.read_confidential_document``.
    """
    qs = Document.objects.select_related("owner", "uploaded_by").order_by("-created_at", "-id")
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return qs.none()
    may_view = user.has_perm(VIEW_PERM)
    if may_view and user.has_perm(CONFIDENTIAL_PERM):
        return qs
    visible = Q(owner=user) | Q(pk__in=_shared_ids(user))
    if may_view:
        visible |= Q(confidential=False)
    return qs.filter(visible)


def with_links(qs: QuerySet[Document]) -> QuerySet[Document]:
    """Prefetch the links and the records they point to (one query per record type)."""
    return qs.prefetch_related(
        Prefetch(
            "links",
            queryset=DocumentLink.objects.select_related("content_type").prefetch_related("target"),
        )
    )


def documents_for_target(user: Any, target: models.Model) -> QuerySet[Document]:
    content_type = ContentType.objects.get_for_model(target)
    return documents_for_user(user).filter(
        links__content_type=content_type, links__object_id=target.pk
    )


def document_links(document: Document) -> list[DocumentLink]:
    return list(
        document.links.select_related("content_type")
        .prefetch_related("target")
        .order_by("created_at", "id")
    )


def document_shares(document: Document) -> list[Any]:
    """Employees a document was shared with (guardian object permission view_document)."""
    from apps.employees.models import Employee

    ids = DocumentUserObjectPermission.objects.filter(
        content_object=document, permission__codename="view_document"
    ).values("user_id")
    return list(Employee.objects.filter(pk__in=ids).order_by("last_name", "first_name", "id"))


def document_get_by_sha256(sha256: str) -> Document | None:
    return Document.objects.filter(sha256=sha256).select_related("owner").first()
