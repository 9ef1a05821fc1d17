from django.urls import path

from apps.chat import views

app_name = "chat"

urlpatterns = [
    path("", views.room_list, name="room_list"),
    path("mentions/", views.mention_list, name="mention_list"),
    path("mentions/<int:mention_id>/", views.mention_open, name="mention_open"),
    path("<int:room_id>/", views.room_detail, name="room_detail"),
    path("<int:room_id>/post/", views.message_create, name="message_create"),
    path("<int:room_id>/members/", views.member_search, name="member_search"),
    path("messages/<int:message_id>/edit/", views.message_edit, name="message_edit"),
    path("messages/<int:message_id>/delete/", views.message_delete, name="message_delete"),
    path(
        "messages/<int:message_id>/attachment/",
        views.attachment_download,
        name="attachment_download",
    ),
]
