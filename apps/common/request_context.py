"""The request being served, for code far from the view (audit log: actor and IP)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from django.http import HttpRequest


@dataclass(frozen=True)
class RequestInfo:
    ip: str | None
    user_agent: str
    request: HttpRequest | None


_current: ContextVar[RequestInfo | None] = ContextVar("workmate_request", default=None)


def client_ip(request: HttpRequest) -> str | None:
    # Behind the reverse proxy the app sees the proxy; REMOTE_ADDR is set right by gunicorn's
    # --forwarded-allow-ips / uvicorn's --proxy-headers, so nothing here trusts a client header.
    return request.META.get("REMOTE_ADDR") or None


@contextmanager
def bind_request(request: HttpRequest) -> Iterator[None]:
    token = _current.set(
        RequestInfo(
            ip=client_ip(request),
            user_agent=request.META.get("HTTP_USER_AGENT", "")[:300],
            request=request,
        )
    )
    try:
        yield
    finally:
        _current.reset(token)


def current_request_info() -> RequestInfo | None:
    return _current.get()
