"""Single sign-on URLs under /oidc/: mozilla-django-oidc's views, marked public so that
LoginRequiredMiddleware does not send the sign-in itself to the login page (a loop)."""

from django.urls import path

from apps.common.permissions import public
from apps.employees.oidc import OIDCCallbackView, OIDCSignOutView, OIDCStartView

urlpatterns = [
    path("authenticate/", public(OIDCStartView.as_view()), name="oidc_authentication_init"),
    path("callback/", public(OIDCCallbackView.as_view()), name="oidc_authentication_callback"),
    path("logout/", public(OIDCSignOutView.as_view()), name="oidc_logout"),
]
