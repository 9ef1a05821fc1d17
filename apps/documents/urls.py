from django.urls import path

from apps.documents import views

app_name = "documents"

urlpatterns = [
    path("", views.document_list, name="document_list"),
    path("<int:pk>/", views.document_detail, name="document_detail"),
    path("<int:pk>/edit/", views.document_edit, name="document_edit"),
    path("<int:pk>/share/", views.document_share, name="document_share"),
    path("<int:pk>/unshare/", views.document_unshare, name="document_unshare"),
    path("<int:pk>/delete/", views.document_delete, name="document_delete"),
    path("<int:pk>/download/", views.document_download, name="document_download"),
    path("<int:pk>/inline/", views.document_inline, name="document_inline"),
    path("for/<int:ct>/<int:object_id>/", views.document_panel, name="document_panel"),
    path("for/<int:ct>/<int:object_id>/upload/", views.document_upload, name="document_upload"),
    path("for/<int:ct>/<int:object_id>/link/", views.document_link, name="document_link"),
    path(
        "for/<int:ct>/<int:object_id>/unlink/<int:document_pk>/",
        views.document_unlink,
        name="document_unlink",
    ),
]
