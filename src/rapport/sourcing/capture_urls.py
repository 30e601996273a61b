"""Capture from profile pages: the window the bookmarklet and the extension
open, and the page that explains how to install them."""

from __future__ import annotations

from django.urls import path

from rapport.sourcing import capture_views as views

urlpatterns = [
    path("capture/", views.capture_start, name="capture_start"),
    path("capture/review/", views.capture_review, name="capture_review"),
    path("capture/save/", views.capture_save_view, name="capture_save"),
    path("capture/help/", views.capture_help, name="capture_help"),
]
