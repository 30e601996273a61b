from __future__ import annotations

from django.urls import path

from rapport.jobs import interview_views as views

urlpatterns = [
    path("interviews/", views.my_interviews, name="my_interviews"),
    path("interviews/<int:pk>/", views.interview_detail, name="interview_detail"),
    path("interviews/<int:pk>/edit/", views.interview_reschedule, name="interview_reschedule"),
    path("interviews/<int:pk>/cancel/", views.interview_cancel, name="interview_cancel"),
    path("interviews/<int:pk>/feedback/", views.interview_feedback, name="interview_feedback"),
    path("interviews/<int:pk>/invite.ics", views.interview_ics, name="interview_ics"),
    path(
        "applications/<int:pk>/interviews/",
        views.application_interviews,
        name="application_interviews",
    ),
    path(
        "applications/<int:pk>/interviews/new/",
        views.interview_schedule,
        name="interview_schedule",
    ),
]
