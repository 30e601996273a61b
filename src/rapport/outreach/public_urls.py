"""The candidate's URLs: reached from an email, no login (see outreach.public).
Mounted at the root, so the links in mail stay short."""

from __future__ import annotations

from django.urls import path

from rapport.outreach import public

urlpatterns = [
    path("unsubscribe/<str:token>/", public.unsubscribe, name="public_unsubscribe"),
    path("preferences/<str:token>/", public.preferences, name="public_preferences"),
    path("preferences/<str:token>/leave/", public.leave, name="public_leave"),
    path("m/<str:token>/open.gif", public.open_pixel, name="track_open"),
    path("m/<str:token>/link/", public.click, name="track_click"),
]
