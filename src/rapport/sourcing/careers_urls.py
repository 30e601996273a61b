"""The careers site: the public job list, job pages and apply form (no login,
at /careers/), and the team's pages for a job's careers-site funnel and its
apply-form questions."""

from __future__ import annotations

from django.urls import path

from rapport.sourcing import careers_views as views

urlpatterns = [
    path("careers/", views.careers_list, name="careers_list"),
    path("careers/<slug:slug>/", views.careers_job, name="careers_job"),
    path("careers/<slug:slug>/apply/", views.careers_apply, name="careers_apply"),
    path("jobs/<int:pk>/careers/", views.job_careers, name="job_careers"),
    path("jobs/<int:pk>/questions/", views.job_questions, name="job_questions"),
    path(
        "jobs/<int:pk>/questions/<int:question_id>/",
        views.job_question_edit,
        name="job_question_edit",
    ),
    path(
        "jobs/<int:pk>/questions/<int:question_id>/delete/",
        views.job_question_delete,
        name="job_question_delete",
    ),
    path(
        "jobs/<int:pk>/questions/<int:question_id>/move/",
        views.job_question_move,
        name="job_question_move",
    ),
]
