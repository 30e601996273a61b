from __future__ import annotations

from django.urls import path

from rapport.sourcing import views

urlpatterns = [
    path("imports/", views.import_list, name="import_list"),
    path("imports/<int:pk>/", views.import_detail, name="import_detail"),
    path("imports/<int:pk>/progress/", views.import_progress, name="import_progress"),
    path("imports/<int:pk>/report.csv", views.import_report, name="import_report"),
]
