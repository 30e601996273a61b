from __future__ import annotations

from django.urls import path
from django.views.generic import RedirectView

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="candidate_list"), name="home"),
]
