"""Records that carry documents and reminders, addressed by content type id + object id.

``@target_permission()`` loads the record named by the URL (``ct`` and ``object_id``), requires
that its model opted in (``carries_attachments``) and that the user may view it
(``can(user, "<app>.view_<model>", obj)``), and injects it as ``target``. Anything else is a 404:
the existence of a record the user may not see is not revealed.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.http import Http404, HttpRequest, HttpResponse

from apps.common.permissions import ACCESS_ATTR, can


def view_permission_for(obj: models.Model) -> str:
    return f"{obj._meta.app_label}.view_{obj._meta.model_name}"


def carrier_content_types() -> list[ContentType]:
    """The content types of every model that opted in (for filters)."""
    from django.apps import apps

    carriers = [m for m in apps.get_models() if getattr(m, "carries_attachments", False)]
    return list(ContentType.objects.get_for_models(*carriers).values()) if carriers else []


def load_target(user: Any, ct_id: int, object_id: int) -> models.Model:
    try:
        content_type = ContentType.objects.get_for_id(ct_id)
    except ContentType.DoesNotExist as error:
        raise Http404 from error
    model = content_type.model_class()
    if model is None or not getattr(model, "carries_attachments", False):
        raise Http404
    obj = model._default_manager.filter(pk=object_id).first()
    if obj is None or not can(user, view_permission_for(obj), obj):
        raise Http404
    return obj


def target_permission() -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            target = load_target(request.user, kwargs.pop("ct"), kwargs.pop("object_id"))
            return view(request, *args, target=target, **kwargs)

        setattr(wrapper, ACCESS_ATTR, "object:target.view")
        return wrapper

    return decorator


def target_label(obj: models.Model | None, fallback: str = "") -> str:
    """'Customer: KD-00001 Müller GmbH' for the lists."""
    if obj is None:
        return fallback
    return f"{str(obj._meta.verbose_name).capitalize()}: {obj}"[:300]


def target_url(obj: models.Model, fallback: str) -> str:
    """Where to go back to after a non-htmx action: the record's page, else ``fallback``."""
    from django.urls import NoReverseMatch

    try:
        return str(obj.get_absolute_url())  # type: ignore[attr-defined]
    except (AttributeError, NoReverseMatch):
        return fallback
