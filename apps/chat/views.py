"""Chat pages. The room page also serves its fragments (older history, catch-up after a
reconnect, mention suggestions); posting works as a plain POST when the WebSocket is down."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from apps.chat import selectors, services
from apps.chat.forms import MessageForm
from apps.chat.models import ChatMessage, ChatRoom
from apps.chat.permissions import message_access, room_access
from apps.common.htmx import render_page
from apps.common.http import AuthedRequest
from apps.common.permissions import login_only

ROOM_TEMPLATE = "chat/room.html"


def _int_param(request: AuthedRequest, name: str) -> int | None:
    raw = request.GET.get(name)
    if raw in (None, ""):
        return None
    try:
        value = int(raw)
    except ValueError:
        raise ValidationError(_("Invalid value for %(name)s.") % {"name": name}) from None
    if value < 0:
        raise ValidationError(_("Invalid value for %(name)s.") % {"name": name})
    return value


def _with_editable(messages: list[ChatMessage], user: Any) -> list[ChatMessage]:
    now = timezone.now()
    for message in messages:
        message.editable = services.message_editable(message, user, now=now)  # type: ignore[attr-defined]
    return messages


def _fragment(
    request: AuthedRequest, template: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    response = render(request, template, context, status=status)
    patch_vary_headers(response, ("HX-Request", "HX-Target"))
    return response


def _room_context(
    request: AuthedRequest,
    room: ChatRoom,
    *,
    before: int | None = None,
    after: int | None = None,
    form: MessageForm | None = None,
) -> dict[str, Any]:
    messages, more = selectors.messages_for_room(room, before=before, after=after)
    _with_editable(messages, request.user)
    return {
        "room": room,
        "messages": messages,
        "has_older": more if after is None else False,
        "has_newer": more if after is not None else False,
        "oldest_id": messages[0].pk if messages else None,
        "form": form or MessageForm(),
        "ws_path": f"/ws/chat/{room.pk}/",
    }


OTHER_ROOMS_PAGE_SIZE = 30


@require_GET
@login_only
def room_list(request: AuthedRequest) -> HttpResponse:
    services.rooms_ensure()
    search = request.GET.get("q", "").strip()[:100]
    others = selectors.other_rooms(request.user, search)
    context = {
        "rooms": list(selectors.my_rooms(request.user)),
        "may_see_all": request.user.has_perm(selectors.ALL_ROOMS_PERM),
        "search": search,
        "others": Paginator(others, OTHER_ROOMS_PAGE_SIZE).get_page(request.GET.get("page")),
    }
    return render_page(request, "chat/room_list.html", context, partials={"chat-others": "others"})


@require_GET
@room_access
def room_detail(request: AuthedRequest, room: ChatRoom) -> HttpResponse:
    try:
        before = _int_param(request, "before")
        after = _int_param(request, "after")
    except ValidationError as exc:
        return HttpResponseBadRequest(exc.messages[0])
    context = _room_context(request, room, before=before, after=after)
    if before is None:
        # Opening the room (or catching up after a reconnect) reads everything so far.
        services.room_mark_read(room=room, employee=request.user)
    partials = {}
    if before is not None:
        partials = {"chat-older": "older"}
    elif after is not None:
        partials = {"chat-messages": "newer"}
    return render_page(request, ROOM_TEMPLATE, context, partials=partials)


@require_POST
@room_access
def message_create(request: AuthedRequest, room: ChatRoom) -> HttpResponse:
    form = MessageForm(request.POST, request.FILES)
    errors: list[str] = []
    message = None
    if form.is_valid():
        try:
            message = services.message_post(
                room=room,
                author=request.user,
                body=form.cleaned_data["body"],
                attachment=form.cleaned_data.get("attachment"),
            )
        except ValidationError as exc:
            errors = exc.messages
    else:
        errors = [e for field_errors in form.errors.values() for e in field_errors]
    if request.htmx:
        context: dict[str, Any] = {"errors": errors}
        if message is not None:
            message.editable = True  # type: ignore[attr-defined]
            context["message"] = message
        return _fragment(
            request, f"{ROOM_TEMPLATE}#post-result", context, status=422 if errors else 200
        )
    if errors:
        context = _room_context(request, room, form=form)
        context["errors"] = errors
        return render(request, ROOM_TEMPLATE, context, status=422)
    return redirect(f"{room.get_absolute_url()}#chat-bottom")


@require_GET
@room_access
def member_search(request: AuthedRequest, room: ChatRoom) -> HttpResponse:
    query = request.GET.get("q", "")[:100]
    members = selectors.room_members(room, query=query)
    return _fragment(request, f"{ROOM_TEMPLATE}#member-options", {"members": members})


@require_http_methods(["GET", "POST"])
@message_access
def message_edit(request: AuthedRequest, message: ChatMessage) -> HttpResponse:
    if message.author_id != request.user.pk:
        raise PermissionDenied
    errors: list[str] = []
    if request.method == "GET" and request.GET.get("show"):
        # "Cancel" in the inline editor: the message as it is.
        message.editable = services.message_editable(message, request.user)  # type: ignore[attr-defined]
        context = {"message": message, "editable": message.editable}  # type: ignore[attr-defined]
        if request.htmx:
            return _fragment(request, f"{ROOM_TEMPLATE}#message", context)
        return redirect(message.get_absolute_url())
    if request.method == "POST":
        form = MessageForm(request.POST)
        if form.is_valid():
            try:
                message = services.message_edit(
                    message=message, actor=request.user, body=form.cleaned_data["body"]
                )
            except ValidationError as exc:
                errors = exc.messages
            else:
                if not request.htmx:
                    return redirect(message.get_absolute_url())
                editable = services.message_editable(message, request.user)
                context = {"message": message, "editable": editable}
                return _fragment(request, f"{ROOM_TEMPLATE}#message", context)
        else:
            errors = [e for field_errors in form.errors.values() for e in field_errors]
    else:
        form = MessageForm(initial={"body": message.body})
        if not services.message_editable(message, request.user):
            errors = [_("This message can no longer be changed.")]
    context = {"message": message, "form": form, "errors": errors}
    status = 422 if errors and request.method == "POST" else 200
    if request.htmx:
        return _fragment(request, f"{ROOM_TEMPLATE}#edit-form", context, status=status)
    return render(request, "chat/message_edit.html", context, status=status)


@require_POST
@message_access
def message_delete(request: AuthedRequest, message: ChatMessage) -> HttpResponse:
    if message.author_id != request.user.pk:
        raise PermissionDenied
    try:
        message = services.message_delete(message=message, actor=request.user)
    except ValidationError as exc:
        if request.htmx:
            return _fragment(
                request, f"{ROOM_TEMPLATE}#form-error", {"errors": exc.messages}, status=422
            )
        return HttpResponse(exc.messages[0], status=422)
    if request.htmx:
        return _fragment(request, f"{ROOM_TEMPLATE}#message", {"message": message})
    return redirect(message.get_absolute_url())


@require_GET
@message_access
def attachment_download(request: AuthedRequest, message: ChatMessage) -> HttpResponse:
    """The file attached to a message, for everyone who may read the room."""
    document = message.document
    if document is None or message.deleted_at is not None:
        raise Http404
    try:
        handle = document.file.storage.open(document.file.name, "rb")
    except OSError as error:
        raise Http404 from error
    from apps.documents.services import document_record_download

    document_record_download(document=document, actor=request.user, inline=False)
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=document.original_name or document.title,
        content_type=document.mime_type,
    )
    response["Content-Length"] = str(document.size)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
@login_only
def mention_list(request: AuthedRequest) -> HttpResponse:
    page = Paginator(selectors.mentions_for_user(request.user), 25).get_page(
        request.GET.get("page")
    )
    return render_page(
        request, "chat/mention_list.html", {"page": page}, partials={"mention-results": "results"}
    )


@require_GET
@login_only
def mention_open(request: AuthedRequest, mention_id: int) -> HttpResponse:
    """Opening a notification marks it seen and shows the message in its room."""
    mention = get_object_or_404(selectors.mentions_for_user(request.user), pk=mention_id)
    services.mention_mark_seen(mention=mention, employee=request.user)
    return redirect(mention.message.get_absolute_url())
