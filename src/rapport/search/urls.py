from __future__ import annotations

from django.urls import path

from rapport.search import views

urlpatterns = [
    path("candidates/", views.candidate_list, name="candidate_list"),
    path("candidates/facets/", views.candidate_facets, name="candidate_facets"),
    path("candidates/suggest/", views.candidate_suggest, name="candidate_suggest"),
    path("bulk/", views.bulk_create, name="bulk_create"),
    path("bulk/<int:pk>/", views.bulk_detail, name="bulk_detail"),
    path("bulk/<int:pk>/progress/", views.bulk_progress, name="bulk_progress"),
    path("bulk/<int:pk>/download/", views.bulk_download, name="bulk_download"),
    path("segments/", views.segment_list, name="segment_list"),
    path("segments/new/", views.segment_create, name="segment_create"),
    path("segments/<int:pk>/", views.segment_detail, name="segment_detail"),
    path("segments/<int:pk>/count/", views.segment_count, name="segment_count"),
    path("segments/<int:pk>/edit/", views.segment_edit, name="segment_edit"),
    path("segments/<int:pk>/delete/", views.segment_delete, name="segment_delete"),
]
