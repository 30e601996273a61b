from __future__ import annotations

from django.urls import path

from rapport.sourcing import review_views as views

urlpatterns = [
    path("sourcing/reviews/", views.review_queue, name="duplicate_reviews"),
    path("sourcing/reviews/<int:pk>/", views.review_detail, name="duplicate_review"),
    path("sourcing/reviews/<int:pk>/dismiss/", views.review_dismiss, name="duplicate_dismiss"),
    path("sourcing/reviews/<int:pk>/reopen/", views.review_reopen, name="duplicate_reopen"),
    path("sourcing/merge/<int:pk>/", views.merge_pick, name="merge_pick"),
    path("sourcing/merge/<int:pk>/<int:other>/", views.merge_compare, name="merge_compare"),
    path("sourcing/merges/", views.merge_history, name="merge_history"),
    path("sourcing/merges/<int:pk>/undo/", views.merge_undo, name="merge_undo"),
]
