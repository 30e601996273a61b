from __future__ import annotations

from django.urls import path

from rapport.engagement import task_views, views

urlpatterns = [
    path(
        "candidates/<int:pk>/engagement/",
        views.candidate_engagement,
        name="candidate_engagement",
    ),
    path("tasks/", task_views.task_list, name="task_list"),
    path("tasks/<int:pk>/done/", task_views.task_done, name="task_done"),
    path("tasks/<int:pk>/reopen/", task_views.task_reopen, name="task_reopen"),
]
