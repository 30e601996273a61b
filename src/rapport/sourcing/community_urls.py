"""The talent community: the public sign-up and its confirmation (no login,
mounted at the root so the links stay short), and the team's page."""

from __future__ import annotations

from django.urls import path

from rapport.sourcing import community_views as views

urlpatterns = [
    path("join/", views.join, name="community_join"),
    path("join/confirm/<str:token>/", views.confirm, name="community_confirm"),
    path("join/<str:token>/", views.join_pool, name="community_join_pool"),
    path("community/", views.community_admin, name="community_admin"),
]
