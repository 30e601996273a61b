from __future__ import annotations

from django.urls import path

from rapport.search import views

urlpatterns = [
    path("candidates/", views.candidate_list, name="candidate_list"),
]
