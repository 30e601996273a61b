"""The public privacy notice, where admins write its versions, and erasure."""

from __future__ import annotations

from django.urls import path

from rapport.privacy import views

urlpatterns = [
    path("privacy/", views.notice_public, name="privacy_notice"),
    path("privacy/<str:version>/", views.notice_public, name="privacy_notice_version"),
    path("settings/privacy/", views.notice_list, name="notice_list"),
    path("settings/privacy/<int:pk>/", views.notice_detail, name="notice_detail"),
    path("settings/privacy/<int:pk>/publish/", views.notice_publish, name="notice_publish"),
    path("settings/privacy/<int:pk>/copy/", views.notice_copy, name="notice_copy"),
    path("settings/privacy/<int:pk>/delete/", views.notice_delete, name="notice_delete"),
    path("candidates/<int:pk>/erase/", views.candidate_erase, name="candidate_erase"),
    path("candidates/<int:pk>/export/", views.candidate_export, name="candidate_export"),
    path("settings/erasures/", views.erasure_list, name="erasure_list"),
    path("settings/retention/", views.retention_settings, name="retention_settings"),
]
