from __future__ import annotations

from django.urls import URLPattern, path

from rapport.jobs import views

urlpatterns: list[URLPattern] = [
    path("jobs/", views.job_list, name="job_list"),
    path("jobs/new/", views.job_create, name="job_create"),
    path("jobs/<int:pk>/", views.job_detail, name="job_detail"),
    path("jobs/<int:pk>/edit/", views.job_edit, name="job_edit"),
    path("jobs/<int:pk>/status/", views.job_status, name="job_status"),
    path("jobs/<int:pk>/list/", views.job_applications, name="job_applications"),
    path("jobs/<int:pk>/list/move/", views.job_bulk_move, name="job_bulk_move"),
    path("jobs/<int:pk>/stages/", views.job_stages, name="job_stages"),
    path("applications/<int:pk>/", views.application_detail, name="application_detail"),
    path("applications/<int:pk>/move/", views.application_move, name="application_move"),
    path("applications/<int:pk>/reject/", views.application_reject, name="application_reject"),
    path("settings/pipeline/", views.settings_pipeline, name="settings_pipeline"),
    path("candidates/<int:pk>/jobs/", views.candidate_jobs, name="candidate_jobs"),
    path("candidates/<int:pk>/jobs/add/", views.candidate_job_add, name="candidate_job_add"),
]
