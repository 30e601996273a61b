from __future__ import annotations

from django.urls import path

from rapport.inbox import views

urlpatterns = [
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/<int:pk>/", views.conversation_detail, name="conversation_detail"),
    path("inbox/<int:pk>/reply/", views.conversation_reply, name="conversation_reply"),
    path("inbox/<int:pk>/assign/", views.conversation_assign, name="conversation_assign"),
    path("inbox/<int:pk>/done/", views.conversation_done, name="conversation_done"),
    path("inbox/<int:pk>/place/", views.conversation_place, name="conversation_place"),
    path("inbox/mail/<int:pk>/original/", views.inbound_original, name="inbound_original"),
    path(
        "inbox/mail/<int:pk>/attachments/<int:index>/",
        views.inbound_attachment,
        name="inbound_attachment",
    ),
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/<int:pk>/", views.notification_open, name="notification_open"),
    path("inbound/email/", views.inbound_http, name="inbound_http"),
]
