"""The app's URLs plus ``/bench/minimal/``: the baseline every page is compared with."""

from django.http import HttpResponse
from django.template import engines
from django.urls import path
from django.views.decorators.http import require_GET

from apps.common.http import AuthedRequest
from apps.common.permissions import login_only
from workmate.urls import urlpatterns as app_urlpatterns

_TEMPLATE = engines["django"].from_string(
    '<!doctype html><html lang="{{ LANGUAGE_CODE }}"><title>ok</title><p>{{ user.code }}</p></html>'
)


@require_GET
@login_only
def minimal(request: AuthedRequest) -> HttpResponse:
    """Same middleware, same permission decorator, a tiny rendered template: no data work."""
    return HttpResponse(_TEMPLATE.render({"user": request.user}, request))


urlpatterns = [path("bench/minimal/", minimal, name="bench_minimal"), *app_urlpatterns]
