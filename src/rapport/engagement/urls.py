from __future__ import annotations

from django.urls import path

from rapport.engagement import views

urlpatterns = [
    path(
        "candidates/<int:pk>/engagement/",
        views.candidate_engagement,
        name="candidate_engagement",
    ),
]
