from django.urls import path

from apps.reminders import views

app_name = "reminders"

urlpatterns = [
    path("", views.reminder_list, name="reminder_list"),
    path("calendar/renew/", views.calendar_token_renew, name="calendar_token_renew"),
    path("ical/<str:token>.ics", views.calendar_feed, name="calendar_feed"),
    path("for/<int:ct>/<int:object_id>/", views.reminder_panel, name="reminder_panel"),
    path("for/<int:ct>/<int:object_id>/add/", views.reminder_create, name="reminder_create"),
    path("<int:pk>/toggle/", views.reminder_toggle, name="reminder_toggle"),
    path("<int:pk>/snooze/", views.reminder_snooze, name="reminder_snooze"),
    path("<int:pk>/edit/", views.reminder_edit, name="reminder_edit"),
    path("<int:pk>/delete/", views.reminder_delete, name="reminder_delete"),
]
