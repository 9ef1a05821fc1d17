"""Documents: the library, the record panel (upload, link, unlink), detail with preview, edit,
share, delete, and the permission-checked file responses.

Files are streamed through the app (FileResponse over the storage backend, local or S3) after the
permission check; no storage URL ever reaches the browser.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import models
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseClientRedirect

from apps.common.htmx import render_page
from apps.common.http import AuthedRequest
from apps.common.permissions import (
    can,
    object_permission,
    permission_required_for,
)
from apps.documents import selectors, services
from apps.documents.filters import DocumentFilter
from apps.documents.forms import DocumentEditForm, LinkForm, ShareForm, UploadOptionsForm
from apps.documents.models import Document
from apps.documents.targets import target_permission, target_url
from apps.documents.uploads import OVERSIZE_ATTR, DocumentUploadHandler
from apps.documents.validation import EXTENSION_FOR_MIME, file_extension
from apps.employees.models import Employee

PANEL_ID = "documents-panel"
logger = logging.getLogger(__name__)


@dataclass
class UploadOutcome:
    name: str
    document: Document | None = None
    duplicate: Document | None = None
    duplicate_visible: bool = False
    duplicate_linked: bool = False
    error: str = ""


def _may_upload(user: Any) -> bool:
    return bool(user.has_perm("documents.add_document"))


def _may_link(user: Any, document: Document) -> bool:
    return _may_upload(user) or can(user, "documents.change_document", document)


def _deletable_ids(user: Any, documents: list[Document]) -> set[int]:
    if user.has_perm("documents.delete_document"):
        return {d.pk for d in documents}
    return {d.pk for d in documents if d.owner_id == user.pk}


def _render_panel(
    request: AuthedRequest,
    target: models.Model,
    *,
    outcomes: list[UploadOutcome] | None = None,
    status: int = 200,
) -> HttpResponse:
    documents = list(selectors.documents_for_target(request.user, target))
    content_type = ContentType.objects.get_for_model(target)
    context = {
        "target": target,
        "ct_id": content_type.pk,
        "documents": documents,
        "deletable": _deletable_ids(request.user, documents),
        "can_unlink": request.user.has_perm("documents.change_document"),
        "can_upload": _may_upload(request.user),
        "upload_form": UploadOptionsForm(
            initial={"confidential": content_type.model == "employee"}
        ),
        "outcomes": outcomes or [],
        "max_mb": f"{settings.DOCUMENT_MAX_BYTES / 1024 / 1024:g}",
    }
    return render_page(
        request,
        "documents/document_panel.html",
        context,
        partials={PANEL_ID: "panel"},
        status=status,
    )


def _back(request: AuthedRequest, target: models.Model) -> str:
    panel = reverse(
        "documents:document_panel",
        args=[ContentType.objects.get_for_model(target).pk, target.pk],
    )
    return target_url(target, panel)


# --- Library ------------------------------------------------------------------------------------


@require_GET
@permission_required_for("documents.view_document")
def document_list(request: AuthedRequest) -> HttpResponse:
    filterset = DocumentFilter(
        request.GET, queryset=selectors.with_links(selectors.documents_for_user(request.user))
    )
    page = Paginator(filterset.qs, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    return render_page(
        request,
        "documents/document_list.html",
        {"filter": filterset, "page": page},
        partials={"document-results": "results"},
    )


# --- Record panel -------------------------------------------------------------------------------


@require_GET
@target_permission()
def document_panel(request: AuthedRequest, target: models.Model) -> HttpResponse:
    return _render_panel(request, target)


@csrf_exempt  # CSRF is checked below, after the size-limiting upload handler is installed
@require_POST
@permission_required_for("documents.add_document")
@target_permission()
def document_upload(request: AuthedRequest, target: models.Model) -> HttpResponse:
    request.upload_handlers = [DocumentUploadHandler(request)]
    return _document_upload(request, target)


@csrf_protect
def _document_upload(request: AuthedRequest, target: models.Model) -> HttpResponse:
    files = request.FILES.getlist("files")
    options = UploadOptionsForm(request.POST)
    outcomes: list[UploadOutcome] = []
    limit = f"{settings.DOCUMENT_MAX_BYTES / 1024 / 1024:g}"
    for name in getattr(request, OVERSIZE_ATTR, []):
        message = _("The file is larger than %(limit)s MB.") % {"limit": limit}
        if name == "*":
            message = _("The upload is larger than %(limit)s MB per file allows.") % {
                "limit": limit
            }
        outcomes.append(UploadOutcome(name=name if name != "*" else "", error=message))
    if not options.is_valid():
        outcomes.append(UploadOutcome(name="", error=_("Please choose a valid category.")))
        files = []
    elif not files and not outcomes:
        outcomes.append(UploadOutcome(name="", error=_("Please choose at least one file.")))
    for uploaded in files[: settings.DOCUMENT_MAX_FILES_PER_UPLOAD]:
        outcomes.append(_upload_one(request, target, uploaded, options.cleaned_data))
    if len(files) > settings.DOCUMENT_MAX_FILES_PER_UPLOAD:
        outcomes.append(
            UploadOutcome(
                name="",
                error=_("At most %(count)s files per upload.")
                % {"count": settings.DOCUMENT_MAX_FILES_PER_UPLOAD},
            )
        )
    succeeded = any(o.document or o.duplicate for o in outcomes)
    if not request.htmx:
        for outcome in outcomes:
            level = messages.ERROR if outcome.error else messages.SUCCESS
            messages.add_message(request, level, _outcome_text(outcome))
        return redirect(_back(request, target))
    return _render_panel(request, target, outcomes=outcomes, status=200 if succeeded else 422)


def _outcome_text(outcome: UploadOutcome) -> str:
    if outcome.error:
        return f"{outcome.name}: {outcome.error}" if outcome.name else outcome.error
    if outcome.duplicate:
        return _("“%(name)s” is already stored; nothing new was saved.") % {"name": outcome.name}
    return _("“%(name)s” was uploaded.") % {"name": outcome.name}


def _upload_one(
    request: AuthedRequest, target: models.Model, uploaded: Any, options: dict[str, Any]
) -> UploadOutcome:
    from apps.documents.validation import sanitize_file_name

    name = sanitize_file_name(uploaded.name)
    try:
        document = services.document_upload(
            uploaded=uploaded,
            uploaded_by=request.user,
            target=target,
            category=options["category"],
            confidential=options["confidential"],
        )
    except services.DuplicateDocument as duplicate:
        existing = duplicate.existing
        visible = selectors.documents_for_user(request.user).filter(pk=existing.pk).exists()
        linked = existing.links.filter(
            content_type=ContentType.objects.get_for_model(target), object_id=target.pk
        ).exists()
        return UploadOutcome(
            name=name,
            duplicate=existing if visible else None,
            duplicate_visible=visible,
            duplicate_linked=linked,
            error=""
            if visible
            else _(
                "An identical file is already stored, but you have no access to it. Please ask "
                "its owner to share it."
            ),
        )
    except ValidationError as error:
        return UploadOutcome(name=name, error=" ".join(error.messages))
    finally:
        uploaded.close()
    return UploadOutcome(name=name, document=document)


@require_POST
@target_permission()
def document_link(request: AuthedRequest, target: models.Model) -> HttpResponse:
    form = LinkForm(request.POST)
    if not form.is_valid():
        return HttpResponse(_("Invalid document."), status=400)
    document = get_object_or_404(
        selectors.documents_for_user(request.user), pk=form.cleaned_data["document"]
    )
    if not _may_link(request.user, document):
        raise PermissionDenied
    services.document_link(document=document, target=target, actor=request.user)
    if not request.htmx:
        messages.success(request, _("The document was linked."))
        return redirect(_back(request, target))
    return _render_panel(request, target)


@require_POST
@target_permission()
def document_unlink(request: AuthedRequest, target: models.Model, document_pk: int) -> HttpResponse:
    document = get_object_or_404(selectors.documents_for_user(request.user), pk=document_pk)
    if not can(request.user, "documents.change_document", document):
        raise PermissionDenied
    link = get_object_or_404(
        document.links,
        content_type=ContentType.objects.get_for_model(target),
        object_id=target.pk,
    )
    services.document_unlink(link=link, actor=request.user)
    if not request.htmx:
        messages.success(request, _("The document was removed from this record."))
        return redirect(_back(request, target))
    return _render_panel(request, target)


# --- One document -------------------------------------------------------------------------------


def _detail_context(request: AuthedRequest, document: Document, **extra: Any) -> dict[str, Any]:
    user = request.user
    can_change = can(user, "documents.change_document", document)
    context = {
        "document": document,
        "links": selectors.document_links(document),
        "can_change": can_change,
        "can_delete": can(user, "documents.delete_document", document),
        "can_share": can_change,
        "shares": selectors.document_shares(document) if can_change else [],
        "share_form": ShareForm() if can_change else None,
        "edit_form": DocumentEditForm(
            initial={
                "title": document.title,
                "category": document.category,
                "confidential": document.confidential,
            }
        )
        if can_change
        else None,
    }
    context.update(extra)
    return context


@require_GET
@object_permission("documents.view_document", Document, queryset=selectors.documents_for_user)
def document_detail(request: AuthedRequest, document: Document) -> HttpResponse:
    return render_page(
        request,
        "documents/document_detail.html",
        _detail_context(request, document),
        partials={"document-shares": "shares", "document-form": "form"},
    )


@require_POST
@object_permission("documents.change_document", Document, queryset=selectors.documents_for_user)
def document_edit(request: AuthedRequest, document: Document) -> HttpResponse:
    form = DocumentEditForm(request.POST)
    if form.is_valid():
        services.document_update(document=document, actor=request.user, **form.cleaned_data)
        messages.success(request, _("The document was saved."))
        if request.htmx:
            return HttpResponseClientRedirect(document.get_absolute_url())
        return redirect(document)
    return render_page(
        request,
        "documents/document_detail.html",
        _detail_context(request, document, edit_form=form),
        partials={"document-form": "form"},
        status=422,
    )


@require_POST
@object_permission("documents.change_document", Document, queryset=selectors.documents_for_user)
def document_share(request: AuthedRequest, document: Document) -> HttpResponse:
    form = ShareForm(request.POST)
    status = 200
    if form.is_valid():
        try:
            services.document_share(
                document=document, employee=form.cleaned_data["employee"], actor=request.user
            )
        except ValidationError as error:
            form.add_error("employee", error)
            status = 422
        else:
            form = ShareForm()
    else:
        status = 422
    if not request.htmx:
        if status == 200:
            messages.success(request, _("The document was shared."))
        else:
            messages.error(request, _("Please choose an active employee."))
        return redirect(document)
    return render_page(
        request,
        "documents/document_detail.html",
        _detail_context(request, document, share_form=form),
        partials={"document-shares": "shares"},
        status=status,
    )


@require_POST
@object_permission("documents.change_document", Document, queryset=selectors.documents_for_user)
def document_unshare(request: AuthedRequest, document: Document) -> HttpResponse:
    raw = str(request.POST.get("employee", ""))
    if not raw.isdigit():
        return HttpResponse(_("Invalid employee."), status=400)
    employee = get_object_or_404(Employee, pk=int(raw))
    services.document_unshare(document=document, employee=employee, actor=request.user)
    if not request.htmx:
        messages.success(
            request, _("The document is no longer shared with %(name)s.") % {"name": employee}
        )
        return redirect(document)
    return render_page(
        request,
        "documents/document_detail.html",
        _detail_context(request, document),
        partials={"document-shares": "shares"},
    )


@require_POST
@object_permission("documents.delete_document", Document, queryset=selectors.documents_for_user)
def document_delete(request: AuthedRequest, document: Document) -> HttpResponse:
    title = document.title
    services.document_delete(document=document, actor=request.user)
    messages.success(request, _("“%(title)s” was deleted.") % {"title": title})
    if request.htmx and request.htmx.target and request.htmx.target.startswith("document-row-"):
        # The row disappears; the message is appended out of band.
        response = render(request, "documents/_deleted_row.html", {})
        patch_vary_headers(response, ("HX-Request", "HX-Target"))
        return response
    if request.htmx:
        return HttpResponseClientRedirect(reverse("documents:document_list"))
    return redirect("documents:document_list")


# --- File responses -----------------------------------------------------------------------------

FILE_CSP = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox"
PDF_CSP = "default-src 'none'; object-src 'self'; frame-ancestors 'self'"


def download_name(document: Document) -> str:
    """The display name with an extension that matches the stored type."""
    expected = EXTENSION_FOR_MIME.get(document.mime_type, "")
    name = document.original_name or document.title or "document"
    if (
        expected
        and file_extension(name) != expected
        and not (expected == ".jpg" and file_extension(name) in {".jpeg", ".jpe", ".jfif"})
    ):
        name = f"{name}{expected}"
    return name


def _file_response(request: AuthedRequest, document: Document, *, inline: bool) -> FileResponse:
    try:
        handle = document.file.storage.open(document.file.name, "rb")
        handle.size  # noqa: B018 - S3 opens lazily: a missing object shows here, not mid-stream
    except Exception as error:  # FileNotFoundError locally, botocore's ClientError on S3
        logger.warning("Stored file of document %s is missing: %s", document.pk, error)
        raise Http404 from error
    services.document_record_download(document=document, actor=request.user, inline=inline)
    response = FileResponse(
        handle,
        as_attachment=not inline,
        filename=download_name(document),
        content_type=document.mime_type
        + ("; charset=utf-8" if document.mime_type.startswith("text/") else ""),
    )
    response["Content-Length"] = str(document.size)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = PDF_CSP if document.is_pdf and inline else FILE_CSP
    response["Cache-Control"] = "private, no-store"
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    return response


@require_GET
@object_permission("documents.view_document", Document, queryset=selectors.documents_for_user)
def document_download(request: AuthedRequest, document: Document) -> HttpResponse:
    return _file_response(request, document, inline=False)


@xframe_options_sameorigin
@require_GET
@object_permission("documents.view_document", Document, queryset=selectors.documents_for_user)
def document_inline(request: AuthedRequest, document: Document) -> HttpResponse:
    if not document.previewable:
        raise Http404
    return _file_response(request, document, inline=True)
