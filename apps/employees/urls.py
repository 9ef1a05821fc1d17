from django.urls import path

from apps.employees import views

app_name = "employees"

urlpatterns = [
    path("", views.employee_list, name="employee_list"),
    path("me/", views.profile, name="profile"),
    path("me/preferences/", views.preferences, name="preferences"),
    path("<int:pk>/", views.employee_detail, name="employee_detail"),
    path("<int:pk>/edit/", views.employee_edit, name="employee_edit"),
    path("<int:pk>/deactivate/", views.employee_deactivate, name="employee_deactivate"),
    path("departments/", views.department_list, name="department_list"),
    path("departments/<int:pk>/", views.department_detail, name="department_detail"),
]
