from django.urls import path

from apps.projects import views

app_name = "projects"

urlpatterns = [
    path("", views.project_list, name="project_list"),
    path("new/", views.project_create, name="project_create"),
    path("<int:pk>/", views.project_detail, name="project_detail"),
    path("<int:pk>/edit/", views.project_edit, name="project_edit"),
    path("<int:pk>/members/add/", views.project_member_add, name="project_member_add"),
    path(
        "<int:pk>/members/<int:employee_pk>/remove/",
        views.project_member_remove,
        name="project_member_remove",
    ),
]
