from django.contrib import admin
from django.urls import include, path

from apps.common.views import favicon, health

urlpatterns = [
    path("health/", health, name="health"),
    path("favicon.ico", favicon, name="favicon"),
    path("admin/", admin.site.urls),
    path("accounts/", include("apps.employees.auth_urls")),
    path("oidc/", include("apps.employees.oidc_urls")),
    path("", include("apps.dashboards.urls")),
    path("employees/", include("apps.employees.urls")),
    path("audit/", include("apps.audit.urls")),
    path("crm/", include("apps.crm.urls")),
    path("projects/", include("apps.projects.urls")),
    path("documents/", include("apps.documents.urls")),
    path("reminders/", include("apps.reminders.urls")),
    path("time/", include("apps.timetracking.urls")),
    path("invoices/", include("apps.invoices.urls")),
    path("finance/", include("apps.finance.urls")),
    path("chat/", include("apps.chat.urls")),
    path("exports/", include("apps.common.urls")),
]

admin.site.site_header = "WorkmateOS"
admin.site.site_title = "WorkmateOS"
