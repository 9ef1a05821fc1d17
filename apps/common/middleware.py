from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth.middleware import LoginRequiredMiddleware
from django.http import HttpRequest, HttpResponse
from django_htmx.http import HttpResponseClientRedirect

from apps.common.request_context import bind_request


class RequestContextMiddleware:
    """Makes the current request's user and IP available to services (for the audit log)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with bind_request(request):
            return self.get_response(request)


class HtmxAwareLoginRequiredMiddleware(LoginRequiredMiddleware):
    """Login is the default for every view. An htmx request of a signed-out user gets
    ``HX-Redirect`` so the whole page navigates to the login, never a login form in a fragment."""

    def handle_no_permission(self, request: HttpRequest, view_func: Callable) -> HttpResponse:
        htmx = getattr(request, "htmx", None)
        if htmx:
            from django.contrib.auth.views import redirect_to_login

            current = htmx.current_url_abs_path or request.get_full_path()
            target = redirect_to_login(current, self.get_login_url(view_func))
            return HttpResponseClientRedirect(target["Location"])
        return super().handle_no_permission(request, view_func)
