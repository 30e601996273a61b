from __future__ import annotations

from django.urls import path

from rapport.sourcing import resume_views as views

urlpatterns = [
    path("candidates/<int:pk>/resumes/", views.candidate_resumes, name="candidate_resumes"),
    path("candidates/<int:pk>/resumes/upload/", views.resume_upload, name="resume_upload"),
    path("resumes/bulk/", views.resumes_bulk, name="resumes_bulk"),
    path("resumes/<int:pk>/download/", views.resume_download, name="resume_download"),
    path("resumes/<int:pk>/confirm/", views.resume_confirm, name="resume_confirm"),
    path("resumes/<int:pk>/delete/", views.resume_delete, name="resume_delete"),
]
