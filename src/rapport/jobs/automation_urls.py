from __future__ import annotations

from django.urls import path

from rapport.jobs import automation_views as views

urlpatterns = [
    path("jobs/<int:pk>/automations/", views.job_automations, name="job_automations"),
    path(
        "jobs/<int:pk>/automations/<int:stage_pk>/",
        views.job_automation_save,
        name="job_automation_save",
    ),
    path("automations/review/", views.automation_review, name="automation_review"),
    path(
        "automations/runs/<int:pk>/send/",
        views.automation_review_send,
        name="automation_review_send",
    ),
    path(
        "automations/runs/<int:pk>/skip/",
        views.automation_review_skip,
        name="automation_review_skip",
    ),
    path(
        "applications/<int:pk>/automations/",
        views.application_automations,
        name="application_automations",
    ),
]
