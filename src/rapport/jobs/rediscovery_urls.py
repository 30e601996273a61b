from __future__ import annotations

from django.urls import URLPattern, path

from rapport.jobs import rediscovery_views as views

urlpatterns: list[URLPattern] = [
    path("jobs/<int:pk>/rediscover/", views.job_rediscover, name="job_rediscover"),
    path(
        "jobs/<int:pk>/rediscover/count/", views.job_rediscover_count, name="job_rediscover_count"
    ),
    path("jobs/<int:pk>/rediscover/add/", views.job_rediscover_add, name="job_rediscover_add"),
    path(
        "jobs/<int:pk>/rediscover/enrol/", views.job_rediscover_enrol, name="job_rediscover_enrol"
    ),
]
