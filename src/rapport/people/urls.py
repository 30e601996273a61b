from __future__ import annotations

from django.urls import path

from rapport.people import views

urlpatterns = [
    path("candidates/new/", views.candidate_create, name="candidate_create"),
    path("candidates/bulk/", views.candidate_bulk, name="candidate_bulk"),
    path("candidates/<int:pk>/", views.candidate_detail, name="candidate_detail"),
    path("candidates/<int:pk>/edit/", views.candidate_edit, name="candidate_edit"),
    path("candidates/<int:pk>/delete/", views.candidate_delete, name="candidate_delete"),
    path("candidates/<int:pk>/notes/", views.note_add, name="note_add"),
    path("candidates/<int:pk>/tags/", views.candidate_tag_add, name="candidate_tag_add"),
    path(
        "candidates/<int:pk>/tags/<str:name>/remove/",
        views.candidate_tag_remove,
        name="candidate_tag_remove",
    ),
    path("candidates/<int:pk>/pools/", views.candidate_pool_add, name="candidate_pool_add"),
    path(
        "candidates/<int:pk>/pools/<int:pool_pk>/remove/",
        views.candidate_pool_remove,
        name="candidate_pool_remove",
    ),
    path("candidates/<int:pk>/contacts/", views.contact_add, name="contact_add"),
    path(
        "candidates/<int:pk>/contacts/<int:contact_pk>/remove/",
        views.contact_remove,
        name="contact_remove",
    ),
    path(
        "candidates/<int:pk>/contacts/<int:contact_pk>/primary/",
        views.contact_primary,
        name="contact_primary",
    ),
    path("candidates/<int:pk>/share/", views.candidate_share, name="candidate_share"),
    path("pools/", views.pool_list, name="pool_list"),
    path("pools/<int:pk>/", views.pool_detail, name="pool_detail"),
    path("tags/", views.tag_list, name="tag_list"),
    path("settings/fields/", views.settings_fields, name="settings_fields"),
    path("settings/fields/<int:pk>/delete/", views.custom_field_delete, name="custom_field_delete"),
]
