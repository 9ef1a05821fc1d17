from django.urls import path

from apps.common import views

app_name = "common"

urlpatterns = [
    path("<uuid:key>/", views.export_detail, name="export_detail"),
    path("<uuid:key>/download/", views.export_download, name="export_download"),
]
